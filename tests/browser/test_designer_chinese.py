"""A designer works in Chinese: the palette and its menus are Chinese and clicking them
never fails, the mistakes that would break a live case come back located and in
Chinese (no English sentence on screen), a script is checked as it is typed, a new
element gets a readable id, and the page works at 390 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import _user
from webapp.accounts.roles import Role
from webapp.designer import services

from .test_designer_e2e import select_on_canvas, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Two English words in a row: what a Chinese page must not show in its messages.
ENGLISH = re.compile(r"\b[A-Za-z]{3,} [a-z]{3,}\b")


@pytest.fixture
def designer(city: Any) -> Any:
    return _user("designer", city, Role.DESIGNER)


def open_draft(page: Any, base: str, process: str) -> None:
    sign_in(page, base, "designer")
    page.goto(f"{base}/designer/")
    page.click(f"[data-testid=open-{process}]")
    page.wait_for_selector("[data-designer-editor][data-ready=true]")


def problems_text(page: Any) -> str:
    return page.inner_text("[data-testid=designer-problems]")


def test_the_palette_is_chinese_and_its_clicks_do_not_fail(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    open_draft(page, live_server.url, "recruitment")
    html = page.inner_html(".djs-palette")
    assert "创建开始事件" in html and "Create start event" not in html, html[:500]
    page.locator(".djs-palette [data-action='hand-tool']").click()
    page.locator(".djs-palette [data-action='lasso-tool']").click()
    page.keyboard.press("Escape")
    status = page.inner_text("[data-testid=designer-status]")
    assert "请求失败" not in status and "is not a function" not in status
    # The decision tables: Chinese menus, and cells in the language the engine runs.
    page.click("button[data-file='disqualification.dmn']")
    page.wait_for_selector(".tjs-table")
    assert "命中策略" in page.inner_text(".hit-policy")
    language = page.evaluate(
        """() => window.fuzhiDesigner.dmn.getActiveViewer().get('expressionLanguages')
        .getDefault('inputCell').label"""
    )
    assert language == "Python"


def test_mistakes_that_break_a_live_case_are_located_and_in_chinese(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    open_draft(page, live_server.url, "recruitment")
    page.click("[data-testid=designer-xml]")
    xml = page.input_value("[data-testid=designer-text]")
    xml = xml.replace("<bpmn:flowNodeRef>review_application</bpmn:flowNodeRef>", "", 1)
    xml = xml.replace(
        '<bpmn:sequenceFlow id="flow_start_review"',
        '<bpmn:sequenceFlow id="flow_start_again" sourceRef="start_application" '
        'targetRef="review_application" /><bpmn:sequenceFlow id="flow_start_review"',
        1,
    )
    page.fill("[data-testid=designer-text]", xml)
    page.click("[data-testid=designer-xml]")  # read back into the diagram
    page.wait_for_selector(".djs-container")
    page.click("[data-testid=designer-check]")
    page.wait_for_selector("li[data-source=check][data-element=review_application]")
    text = problems_text(page)
    assert "用户任务不在任何泳道中" in text
    assert "有 2 条顺序流从此事件流出" in text
    lane = page.inner_text("li[data-source=check][data-element=review_application]")
    assert "recruitment.bpmn 第 " in lane and "用户任务 review_application" in lane
    checks = page.locator("li[data-source=check]").all_inner_texts()
    assert checks and not [c for c in checks if ENGLISH.search(c)], checks
    marked = page.locator("[data-problem-for=start_application]")
    assert marked.count() == 1


def test_a_script_is_checked_as_it_is_typed_and_a_new_task_gets_a_readable_id(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    open_draft(page, live_server.url, "assessment")
    select_on_canvas(page, "compute_rating")
    page.fill("[data-testid=panel-script]", "import os\nrating = 1")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=designer-problems]').innerText"
        ".includes('不允许使用 import 语句')"
    )
    new_id = page.evaluate(
        """() => { const m = window.fuzhiDesigner.modeler;
        const source = m.get('elementRegistry').get('compute_rating');
        const shape = m.get('modeling').appendShape(source, { type: 'bpmn:UserTask' });
        return shape.id; }"""
    )
    assert re.fullmatch(r"userTask(_\d+)?", new_id), new_id
    select_on_canvas(page, new_id)
    page.fill("[data-testid=panel-name]", "Extra review")
    page.press("[data-testid=panel-name]", "Tab")
    page.wait_for_selector("[data-testid=panel-id]:text-is('extra_review')")
    assert page.locator(".djs-element[data-element-id=extra_review]").count() == 1


def test_the_designer_works_at_phone_width_in_chinese(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    open_draft(page, live_server.url, "recruitment")
    select_on_canvas(page, "review_application")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "designer-390.png"), full_page=True)
    assert width <= 390
    panel = page.inner_text("[data-testid=designer-panel]")
    assert "用户任务" in panel and "UserTask" not in panel


def test_compare_groups_layout_only_moves_into_one_line(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    # As when a lane is inserted above: every shape moves down, nothing else changes.
    draft = services.draft_open(process_id="recruitment", user=designer)
    files = dict(draft.files)
    files["recruitment.bpmn"] = re.sub(
        r'(<dc:Bounds x="[\d.]+" y=")([\d.]+)',
        lambda m: f"{m.group(1)}{float(m.group(2)) + 120:g}",
        files["recruitment.bpmn"],
    )
    services.draft_save(draft_id=draft.pk, revision=1, files=files, user=designer)
    services.draft_deploy(draft_id=draft.pk, revision=2, user=designer)
    sign_in(page, live_server.url, "designer")
    page.goto(f"{live_server.url}/designer/compare/recruitment/")
    page.wait_for_selector("[data-designer-compare][data-ready=true]")
    moved = page.locator("li[data-diff=layout]")
    assert moved.count() == 1
    assert int(moved.get_attribute("data-moved") or 0) > 10
    assert "个元素仅移动了位置" in moved.inner_text()
