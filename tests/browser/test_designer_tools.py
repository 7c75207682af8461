"""The designer's test run shows the path on the diagram and changes nothing; every file of
the shared corpus opens in the browser's modeler (or, if no modeler can show it, as text
with the reason)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from processes import catalog
from tests.fixtures import _user
from tests.processes.test_corpus import PASSES, corpus_files, corpus_path
from webapp.accounts.roles import Role
from webapp.cases.models import Case, CaseEvent, HumanTask
from webapp.staff.models import Staff

from .test_designer_e2e import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEW = {
    "nationality_prc": "false",
    "good_conduct": "true",
    "fit_for_post": "true",
    "criminal_record": "false",
    "criminal_proceedings_pending": "false",
    "detained_or_rehab": "false",
    "expelled_public_servant": "false",
    "dishonest_blacklist": "false",
}


# Files no modeler can draw: not BPMN at all.
AS_TEXT = {"bpmn-moddle-fixtures__error__not-bpmn.bpmn"}


@pytest.fixture
def designer(city: Any) -> Any:
    return _user("designer", city, Role.DESIGNER)


def test_it_test_runs_a_model_and_marks_the_path_without_touching_records(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    counts = (Case.objects.count(), CaseEvent.objects.count(), Staff.objects.count())
    sign_in(page, live_server.url, "designer")
    page.goto(f"{live_server.url}/designer/")
    page.click("[data-testid=open-recruitment]")
    page.wait_for_selector("[data-designer-editor][data-ready=true]")
    page.click("[data-testid=designer-testrun]")
    page.click("[data-testid=sandbox-start]")
    form = page.locator("[data-sandbox-task=review_application]")
    form.wait_for()
    for field, value in REVIEW.items():
        form.locator(f"[data-sandbox-field={field}] select").select_option(value)
    page.click("[data-testid=sandbox-complete-review_application]")
    page.wait_for_selector("[data-testid=sandbox-completed]")
    assert "staff_reject" in page.locator("[data-testid=sandbox-operators]").inner_text()
    for done in ("review_application", "check_eligibility", "reject_ineligible"):
        page.wait_for_selector(f"g.djs-element[data-element-id={done}].fz-path")
    assert page.locator("g.djs-element[data-element-id=record_scores].fz-path").count() == 0
    assert (Case.objects.count(), CaseEvent.objects.count(), Staff.objects.count()) == counts
    assert not HumanTask.objects.exists()


def test_it_opens_every_corpus_file_in_the_browser(
    page: Any, live_server: Any, designer: Any, tmp_path: Any
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server.url, "designer")
    for name in corpus_files():
        path = corpus_path(name)
        bundle = catalog.bundle_for(path) if path.suffix != ".dmn" else {name: path.read_bytes()}
        uploads = []
        for file_name, data in bundle.items():
            target = tmp_path / file_name.rsplit("/", 1)[-1]
            target.write_bytes(data)
            uploads.append(str(target))
        page.goto(f"{live_server.url}/designer/")
        page.set_input_files("[data-testid=designer-import] input[type=file]", uploads)
        page.click("[data-testid=designer-import] button[type=submit]")
        page.wait_for_selector("[data-designer-editor][data-ready=true]")
        shown = page.locator(f"[data-testid=designer-files] [data-file='{name}']")
        assert shown.count() == 1, name
        problems = page.locator("[data-testid=designer-problems] li[data-source=check]").count()
        assert (problems == 0) == (name in PASSES), name
        status = page.locator("[data-testid=designer-status]")
        if name in AS_TEXT:
            # No modeler can draw it: it opens as text, and the status line says why.
            assert page.locator("[data-testid=designer-text]").is_visible(), name
            assert name in status.inner_text()
        elif not name.endswith(".dmn") and b"BPMNDiagram" not in bundle[name]:
            # No diagram in the file: a layout is drawn, and the status line says so.
            assert page.locator(".designer-bpmn .djs-container").is_visible(), name
            assert "BPMNDI" in status.inner_text(), name
        else:
            canvas = ".designer-dmn .dmn-decision-table-container, .designer-dmn .djs-container"
            selector = canvas if name.endswith(".dmn") else ".designer-bpmn .djs-container"
            assert page.locator(selector).first.is_visible(), name
    assert errors == []


def test_it_marks_what_changed_between_two_versions(
    page: Any, live_server: Any, models_deployed: Any, designer: Any
) -> None:
    from webapp.designer import services

    draft = services.draft_open(process_id="recruitment", user=designer)
    files = dict(draft.files)
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        'name="报名资格审查"', 'name="报名资格初审"', 1
    )
    draft = services.draft_save(draft_id=draft.pk, revision=1, files=files, user=designer)
    services.draft_deploy(draft_id=draft.pk, revision=draft.revision, user=designer)
    sign_in(page, live_server.url, "designer")
    page.goto(f"{live_server.url}/designer/compare/recruitment/?a=1&b=2")
    page.wait_for_selector("[data-designer-compare][data-ready=true]")
    change = page.locator("[data-diff=changed][data-element=review_application]")
    assert "报名资格初审" in change.inner_text()
    for side in ("a", "b"):
        marked = f"[data-side={side}] g.djs-element[data-element-id=review_application]"
        assert "fz-diff-changed" in page.locator(marked).get_attribute("class")
    assert page.locator("[data-diff=added], [data-diff=removed]").count() == 0


def test_it_tells_the_second_designer_and_offers_their_version(
    page: Any, live_server: Any, models_deployed: Any, designer: Any, city: Any
) -> None:
    from webapp.designer import services
    from webapp.designer.models import Draft

    from .test_designer_e2e import select_on_canvas

    other = _user("designer2", city, Role.DESIGNER)
    sign_in(page, live_server.url, "designer")
    page.goto(f"{live_server.url}/designer/")
    page.click("[data-testid=open-recruitment]")
    page.wait_for_selector("[data-designer-editor][data-ready=true]")
    draft = Draft.objects.get()
    files = dict(draft.files)
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        'name="报名资格审查"', 'name="报名资格审查（同事）"', 1
    )
    services.draft_save(draft_id=draft.pk, revision=1, files=files, user=other)

    select_on_canvas(page, "review_application")
    page.fill("[data-panel-field=name] input", "报名资格审查（我）")
    page.press("[data-panel-field=name] input", "Tab")
    page.click("[data-testid=designer-save]")
    page.wait_for_selector("[data-testid=designer-status][data-conflict=true]")
    assert "designer2" in page.locator("[data-testid=designer-status]").inner_text()
    with page.expect_download() as download:
        page.click("[data-testid=conflict-download]")
    mine = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert "报名资格审查（我）" in mine["recruitment.bpmn"]
    draft.refresh_from_db()
    assert draft.revision == 2 and "报名资格审查（同事）" in draft.files["recruitment.bpmn"]
