"""A designer opens the usage plan in the browser, changes a form field's label, breaks a
gateway condition and sees the error on that flow, fixes it, deploys version 2, compares
it with version 1, and an HR officer starts a case on the new version."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fixtures import PASSWORD, _user
from webapp.accounts.roles import Role
from webapp.cases.models import Case, Definition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FLOW = "flow_gateway_plan_continue"
NEW_LABEL = "岗位名称（按编制核定）"


@pytest.fixture
def designer(city: Any) -> Any:
    return _user("designer", city, Role.DESIGNER)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def select_on_canvas(page: Any, element_id: str) -> None:
    """Select through the modeler's selection service (a thin flow is hard to hit)."""
    page.evaluate(
        """(id) => { const m = window.fuzhiDesigner.modeler;
        m.get('selection').select(m.get('elementRegistry').get(id)); }""",
        element_id,
    )
    page.wait_for_selector(f"[data-testid=panel-id]:text-is('{element_id}')")


def save(page: Any) -> None:
    page.click("[data-testid=designer-save]")
    page.wait_for_function("() => !document.querySelector('[data-designer-editor]').dataset.dirty")


def test_it_edits_checks_deploys_compares_and_runs_a_new_version(
    page: Any, live_server: Any, models_deployed: Any, designer: Any, hr: Any, agency: Any
) -> None:
    base = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A Content-Security-Policy refusal shows only on the console.
    page.on("console", lambda msg: "Refused to" in msg.text and errors.append(msg.text))
    sign_in(page, base, "designer")
    page.click("[data-testid=nav-designer]")
    page.click("[data-testid=open-usage_plan]")
    page.wait_for_selector("[data-designer-editor][data-ready=true]")

    # Open the user task by clicking it on the diagram; change a form field's label.
    page.click("g.djs-element[data-element-id=draft_plan]")
    page.wait_for_selector("[data-testid=panel-id]:text-is('draft_plan')")
    page.fill("[data-form-label=post]", NEW_LABEL)

    # Break the gateway's condition: saving keeps the draft, the flow is marked.
    select_on_canvas(page, FLOW)
    page.fill("[data-testid=panel-condition]", "decision_plan ==")
    page.press("[data-testid=panel-condition]", "Tab")
    save(page)
    problem = page.locator(f"[data-testid=designer-problems] li[data-element={FLOW}]")
    problem.first.wait_for()
    assert "does not compile" in problem.first.inner_text() or FLOW in problem.first.inner_text()
    page.wait_for_selector(f"g.djs-element[data-element-id={FLOW}].fz-error")
    page.click("[data-testid=designer-deploy]")
    page.wait_for_selector(".designer-status.error")
    assert Definition.objects.filter(process_id="usage_plan").count() == 1

    # Clicking the problem selects the flow; fix the condition; save clean; deploy.
    problem.first.click()
    page.wait_for_selector(f"[data-testid=panel-id]:text-is('{FLOW}')")
    page.fill("[data-testid=panel-condition]", "decision_plan == 'approve'")
    page.press("[data-testid=panel-condition]", "Tab")
    save(page)
    page.wait_for_selector(
        "[data-testid=designer-problems] li[data-source=check]", state="detached"
    )
    assert page.locator(f"g.djs-element[data-element-id={FLOW}].fz-error").count() == 0
    page.click("[data-testid=designer-deploy]")
    page.wait_for_selector("[data-testid=designer-status][data-deployed='2']")
    v2 = Definition.objects.get(process_id="usage_plan", version=2)
    assert v2.deployed_by == designer

    # Compare with version 1: the form field's label change is listed.
    page.click("[data-testid=compare-link]")
    page.wait_for_selector("[data-designer-compare][data-ready=true]")
    change = page.locator("[data-form-change=changed][data-form='plan.json'][data-field=post]")
    assert NEW_LABEL in change.inner_text()
    assert page.locator(".compare-canvas .djs-container").count() == 2

    # An HR officer starts a usage plan: it runs on version 2 and shows the new label.
    page.click("header form[action$='/logout/'] button")
    sign_in(page, base, "hr")
    page.goto(f"{base}/cases/usage-plans/new/")
    page.click("form button[type=submit].primary")
    page.wait_for_selector("[data-testid=timeline]")
    case = Case.objects.get()
    assert case.definition == v2
    page.goto(f"{base}/inbox/")
    page.click("[data-testid=inbox] a:text-is('拟定使用计划')")
    assert NEW_LABEL in page.locator("[data-field=post] label").inner_text()
    assert errors == []
