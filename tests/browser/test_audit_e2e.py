"""An auditor traces a case: search, the diagram and timeline in step, the exported PDF."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from tests.fixtures import PASSWORD
from tests.webapp.flows import case_at_approval

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")


def test_an_auditor_traces_a_case_from_search_to_exported_pdf(
    page, live_server, models_deployed, hr, approver, agency, auditor
):
    case = case_at_approval(hr, approver, agency)
    name = case.subject.name
    sign_in(page, live_server.url, "auditor")

    page.click("[data-testid=nav-audit]")
    page.fill("[data-field=q] input", name)
    page.click("[data-testid=search-form] button[type=submit]")
    results = page.locator("[data-testid=results] tbody tr")
    assert results.count() == 1
    page.click(f"[data-testid=results] a:text-is('{case.business_key}')")
    assert page.locator("h1").inner_text().startswith(case.business_key)
    assert "完整性校验通过" in page.locator("[data-testid=chain]").inner_text()

    # The diagram: the path taken in green, the approver's task waiting.
    diagram = page.locator("[data-testid=diagram]")
    page.wait_for_selector("[data-testid=diagram][data-ready=true]")
    assert "fz-done" in diagram.locator("[data-element-id=review_application]").get_attribute(
        "class"
    )
    assert "fz-active" in diagram.locator("[data-element-id=approve_hire]").get_attribute("class")

    # Timeline → diagram: the step is marked.
    page.click("#case-timeline li.ev-task_completed[data-bpmn=record_scores]")
    scores = diagram.locator("[data-element-id=record_scores]")
    assert "fz-selected" in scores.get_attribute("class")
    assert diagram.get_attribute("data-selected") == "record_scores"

    # Diagram → timeline: every entry of the element is highlighted.
    diagram.locator("g.djs-element[data-element-id=health_check]").click()
    hits = page.locator("#case-timeline li.fz-hit")
    assert hits.count() >= 2  # the task waiting, then completed
    assert set(hits.evaluate_all("els => els.map(e => e.dataset.bpmn)")) == {"health_check"}
    assert "fz-selected" not in scores.get_attribute("class")

    with page.expect_download() as download:
        page.click("[data-testid=export-pdf]")
    assert download.value.suggested_filename == f"{case.business_key}.pdf"
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert case.business_key in text and name in text
    assert "完整性校验通过" in text and "录入笔试面试成绩" in text
