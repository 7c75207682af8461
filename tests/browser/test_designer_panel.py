"""The Fuzhi panel edits exactly what the engine reads: a lane's role, a task's deadline and
documentation, the decision a business-rule task calls, a service task's result
variable, a timer's expression, a form's new field. Saved, the draft passes the deploy
checks and the engine's view of the model has each change."""

from __future__ import annotations

import json
from typing import Any

import pytest

from processes import catalog
from tests.fixtures import _user
from webapp.accounts.roles import Role
from webapp.designer.checking import draft_problems
from webapp.designer.models import Draft

from .test_designer_e2e import save, select_on_canvas, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def designer(city: Any) -> Any:
    return _user("designer", city, Role.DESIGNER)


def set_field(page: Any, field: str, value: str) -> None:
    control = page.locator(f"[data-panel-field={field}] input, [data-panel-field={field}] textarea")
    control.first.fill(value)
    control.first.press("Tab")


def choose(page: Any, field: str, value: str) -> None:
    page.locator(f"[data-panel-field={field}] select").first.select_option(value)


def test_it_edits_what_the_engine_reads(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    sign_in(page, live_server.url, "designer")
    page.goto(f"{live_server.url}/designer/")
    page.click("[data-testid=open-recruitment]")
    page.wait_for_selector("[data-designer-editor][data-ready=true]")

    select_on_canvas(page, "lane_approver")
    choose(page, "lane-role", "legal_reviewer")
    select_on_canvas(page, "review_application")
    set_field(page, "due-in", "5WD")
    set_field(page, "documentation", "依据《办法》第十条（Art. 10）：新的说明。")
    page.click("[data-testid=form-add-field]")
    page.fill("[data-form-label=field_1]", "补充说明")
    select_on_canvas(page, "check_eligibility")
    choose(page, "decision", "disqualification")
    select_on_canvas(page, "hire")
    set_field(page, "result-variable", "hire_outcome")
    select_on_canvas(page, "public_notice")
    set_field(page, "timer-expression", "'P7D'")
    save(page)

    draft = Draft.objects.get()
    assert draft.revision == 2 and draft.problems == []
    assert draft_problems(draft.files) == []
    definition = catalog.load_definition({n: t.encode() for n, t in draft.files.items()})
    tasks = definition.tasks
    assert tasks["approve_hire"].lane == "legal_reviewer"
    assert tasks["review_application"].due_in == "5WD"
    assert tasks["review_application"].documentation == "依据《办法》第十条（Art. 10）：新的说明。"
    form = json.loads(draft.files["forms/application_review.json"])
    assert form["properties"]["field_1"]["title"] == "补充说明"
    xml = draft.files["recruitment.bpmn"]
    assert (
        "<spiffworkflow:calledDecisionId>disqualification</spiffworkflow:calledDecisionId>" in xml
    )
    assert 'resultVariable="hire_outcome"' in xml
    timer = definition.spec.task_specs["public_notice"].event_definition
    assert timer.expression == "'P7D'"


def test_it_makes_a_form_field_a_field_of_files_with_its_limits(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    sign_in(page, live_server.url, "designer")
    page.goto(f"{live_server.url}/designer/")
    page.click("[data-testid=open-recruitment]")
    page.wait_for_selector("[data-designer-editor][data-ready=true]")
    select_on_canvas(page, "review_application")
    page.click("[data-testid=form-add-field]")
    page.fill("[data-form-label=field_1]", "学历证书")
    page.select_option("[data-form-type=field_1]", "attachment")
    page.wait_for_selector("[data-attachment-limits=field_1]")
    assert "PDF 文档" in page.inner_text("[data-attachment-limits=field_1]")
    page.uncheck("[data-attachment-limits=field_1] [data-accept=png]")
    page.fill("[data-max-files=field_1]", "2")
    page.press("[data-max-files=field_1]", "Tab")
    page.fill("[data-max-size=field_1]", "5")
    page.press("[data-max-size=field_1]", "Tab")
    save(page)

    draft = Draft.objects.get()
    assert draft.problems == [] and draft_problems(draft.files) == []
    field = json.loads(draft.files["forms/application_review.json"])["properties"]["field_1"]
    assert field["type"] == "array" and field["title"] == "学历证书"
    assert field["x-attachment"] == {"accept": ["pdf", "jpeg"], "maxFiles": 2, "maxSize": 5 * 2**20}
    definition = catalog.load_definition({n: t.encode() for n, t in draft.files.items()})
    items = definition.forms["application_review.json"]["properties"]["field_1"]
    assert items["maxItems"] == 2 and items["items"]["required"] == ["attachment", "name", "sha256"]
