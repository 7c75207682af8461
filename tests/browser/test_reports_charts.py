"""The report page draws its ECharts charts in Chinese and in English, without errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures import PASSWORD
from webapp.staff.models import Staff, StaffState

from ..webapp.test_lifecycle_operators import member
from ..webapp.test_reports import certify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUNDLE = Path(__file__).resolve().parents[2] / "webapp" / "static" / "dist" / "reports.js"
CHARTS = ["headcount", "certified", "training", "grades", "complaints", "discipline"]


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def is_ours(message):
    # The browser asks for /favicon.ico on its own; the site has none.
    return message.type == "error" and not message.location.get("url", "").endswith("favicon.ico")


def charts_drawn(page):
    for key in CHARTS:
        page.wait_for_selector(f"[data-chart={key}][data-chart-ready=true] canvas")
    return page.locator("[data-chart] canvas").count()


def test_it_draws_the_charts_in_chinese_and_english(
    page, live_server, auditor, agency, other_agency
):
    assert BUNDLE.exists(), "build the browser bundles first: make frontend"
    for seq in (1, 2, 3):
        member(agency, seq, state=StaffState.ON_DUTY)
    certify(Staff.objects.get(name="成员1"), 1)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if is_ours(msg) else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url

    sign_in(page, base, "auditor")
    page.click("[data-testid=nav-reports]")
    assert charts_drawn(page) >= len(CHARTS)
    assert page.locator("#report-headcount-title").inner_text() == "人员编额使用情况（Art. 9）"
    headcount_row = page.locator(
        "[data-testid=report-headcount] tbody tr", has_text="六安市城市管理局"
    )
    assert headcount_row.locator("td").nth(2).inner_text() == "3"  # the number is in the HTML

    page.select_option("select[name=language]", "en")
    page.wait_for_selector("html[lang=en]")
    assert charts_drawn(page) >= len(CHARTS)
    assert (
        page.locator("#report-headcount-title").inner_text() == "Headcount against quota (Art. 9)"
    )
    assert errors == []
