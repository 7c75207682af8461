"""A file field speaks the page's language: the browser's own control says "Choose Files"
/ "No file chosen" in the browser's language whatever the page's, so fuzhi.js dresses it
with a button and the chosen names in the page's language (a Chinese page in a browser
set to English was found showing English). The input itself still takes the files."""

from __future__ import annotations

from typing import Any

import pytest

from tests.webapp.documents_support import jpeg_with_gps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def english_browser_chinese_page(browser: Any) -> Any:
    # An English browser; the page asked for in Chinese (the site's language cookie).
    context = browser.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_the_complaint_forms_file_field_says_choose_and_the_names_in_chinese(
    english_browser_chinese_page: Any, live_server: Any, agency: Any
) -> None:
    page = english_browser_chinese_page
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/complaints/")
    field = page.locator(".file-pick").first
    assert field.locator(".file-pick-button").inner_text() == "选择文件"
    assert field.locator(".file-pick-names").inner_text() == "未选择文件"
    native = field.locator("input[type=file]")
    box = native.bounding_box()
    assert box is not None and box["width"] <= 1  # the browser's English control is hidden
    native.set_input_files(
        [{"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    assert field.locator(".file-pick-names").inner_text() == "现场照片.jpg"
    page.screenshot(path="test-results/file-field-zh.png", full_page=True)
    width = int(page.evaluate("document.documentElement.scrollWidth"))
    assert width <= PHONE["width"], f"{width} px wide"
