"""The process designer: drafts with optimistic saves, checks on elements, deploys,
test runs that touch nothing, and real cases moved to a newer version."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.utils import translation

from webapp.accounts.roles import Role
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent, Definition, HumanTask
from webapp.cases.openings import recruitment_open
from webapp.cases.services import task_complete
from webapp.designer import moves, selectors, services
from webapp.designer.models import DesignerEvent, Draft

from .flows import CLEAN_REVIEW, application, open_task

pytestmark = pytest.mark.django_db

REVIEW_LABEL = 'name="报名资格审查"'


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are checked in English here (the Chinese ones are tested once below)."""
    with translation.override("en"):
        yield


@pytest.fixture
def designer(city: Any) -> Any:
    from tests.fixtures import _user

    return _user("designer", city, Role.DESIGNER)


def client_for(user: Any, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def recruitment_draft(designer: Any) -> Draft:
    return services.draft_open(process_id="recruitment", user=designer)


def edited(draft: Draft, old: str, new: str, name: str = "recruitment.bpmn") -> dict[str, str]:
    files = dict(draft.files)
    assert old in files[name]
    files[name] = files[name].replace(old, new, 1)
    return files


# ----------------------------------------------------------------- who may


def test_it_shows_the_designer_only_to_the_designer_role(
    models_deployed: Any, designer: Any, hr: Any
) -> None:
    assert client_for(hr).get("/designer/").status_code == 404
    page = client_for(designer).get("/designer/")
    assert page.status_code == 200
    assert b"recruitment" in page.content
    assert b'data-testid="nav-designer"' in page.content


def test_it_refuses_a_save_or_deploy_by_anyone_else(
    models_deployed: Any, designer: Any, hr: Any
) -> None:
    draft = recruitment_draft(designer)
    url = f"/designer/drafts/{draft.pk}/save/"
    assert post_json(client_for(hr), url, {"revision": 1, "files": draft.files}).status_code == 404
    with pytest.raises(services.NotPermitted):
        services.draft_deploy(draft_id=draft.pk, revision=draft.revision, user=hr)


# ------------------------------------------------------------- editing, saving


def test_it_opens_a_deployed_model_with_what_the_panel_offers(
    models_deployed: Any, designer: Any
) -> None:
    client = client_for(designer)
    response = client.post("/designer/processes/recruitment/open/")
    draft = Draft.objects.get()
    assert response.url == f"/designer/drafts/{draft.pk}/"
    page = client.get(response.url)
    config = page.context["config"]
    assert set(config["files"]) >= {"recruitment.bpmn", "eligibility.dmn", "forms/scores.json"}
    assert {r["code"] for r in config["roles"]} >= {"hr_officer", "approver"}
    assert "staff_hire" in {o["name"] for o in config["operators"]}
    assert {"eligibility", "disqualification"} <= set(config["decisions"])
    assert config["problems"] == []
    assert b"dist/designer.js" in page.content


def test_it_tells_the_second_designer_the_draft_changed_underneath_and_keeps_their_work(
    models_deployed: Any, designer: Any, city: Any
) -> None:
    from tests.fixtures import _user

    other = _user("designer2", city, Role.DESIGNER)
    draft = recruitment_draft(designer)
    url = f"/designer/drafts/{draft.pk}/save/"
    first = edited(draft, REVIEW_LABEL, 'name="报名审查（甲）"')
    second = edited(draft, REVIEW_LABEL, 'name="报名审查（乙）"')
    assert post_json(client_for(designer), url, {"revision": 1, "files": first}).json() == {
        "revision": 2,
        "problems": [],
    }
    stale = post_json(client_for(other), url, {"revision": 1, "files": second})
    assert stale.status_code == 409
    body = stale.json()
    assert "designer" in body["error"] and "revision 2" in body["error"]
    assert body["files"] == second  # the second designer's work comes back to them
    draft.refresh_from_db()
    assert draft.revision == 2 and "报名审查（甲）" in draft.files["recruitment.bpmn"]
    chinese = post_json(client_for(other, "zh-hans"), url, {"revision": 1, "files": second})
    assert "此草稿已被 designer 于" in chinese.json()["error"]


def test_it_saves_a_model_with_errors_and_names_the_element_but_refuses_to_deploy_it(
    models_deployed: Any, designer: Any
) -> None:
    draft = recruitment_draft(designer)
    files = edited(draft, "eligible == True", "eligible ==")
    response = post_json(
        client_for(designer), f"/designer/drafts/{draft.pk}/save/", {"revision": 1, "files": files}
    )
    assert response.status_code == 200
    problems = response.json()["problems"]
    assert problems, "a broken condition must be reported"
    assert problems[0]["element_id"] == "flow_gateway_eligible_continue"
    assert problems[0]["file"] == "recruitment.bpmn" and problems[0]["line"]
    deploy = post_json(
        client_for(designer), f"/designer/drafts/{draft.pk}/deploy/", {"revision": 2}
    )
    assert deploy.status_code == 400
    assert "cannot be deployed" in deploy.json()["error"]
    assert Definition.objects.filter(process_id="recruitment").count() == 1


@pytest.mark.parametrize(
    "hostile",
    [
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "boom">]><d>&x;</d>',
        '<?xml version="1.0"?><!DOCTYPE d SYSTEM "http://example.com/x.dtd"><d/>',
        '<?xml version="1.0"?><definitions>\x00</definitions>',
    ],
)
def test_it_refuses_a_hostile_file_and_changes_nothing(
    models_deployed: Any, designer: Any, hostile: str
) -> None:
    draft = recruitment_draft(designer)
    files = {**draft.files, "recruitment.bpmn": hostile}
    response = post_json(
        client_for(designer), f"/designer/drafts/{draft.pk}/save/", {"revision": 1, "files": files}
    )
    assert response.status_code == 400
    assert "Refused" in response.json()["error"] or "拒绝" in response.json()["error"]
    draft.refresh_from_db()
    assert draft.revision == 1


def test_it_refuses_an_upload_holding_a_nul_character(designer: Any) -> None:
    with pytest.raises(services.HostileFile, match="NUL"):
        services.draft_import(user=designer, uploads={"nul.bpmn": b"<a>\x00</a>"})


def test_it_refuses_an_oversized_upload_with_a_clear_message(designer: Any) -> None:
    big = b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>"
    with pytest.raises(services.HostileFile, match="limit"):
        services.draft_import(user=designer, uploads={"big.bpmn": big})


def test_it_refuses_a_file_name_that_is_not_a_model(models_deployed: Any, designer: Any) -> None:
    draft = recruitment_draft(designer)
    with pytest.raises(services.StepRefused, match="not a model file name"):
        services.draft_save(
            draft_id=draft.pk,
            revision=1,
            files={**draft.files, "../settings.py": "x"},
            user=designer,
        )


def test_it_exports_a_file_of_the_draft(models_deployed: Any, designer: Any) -> None:
    draft = recruitment_draft(designer)
    response = client_for(designer).get(f"/designer/drafts/{draft.pk}/files/forms/scores.json")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="scores.json"'
    assert json.loads(response.content)["title"] == "笔试面试成绩"


# ------------------------------------------------------------------- deploying


def test_it_deploys_a_draft_as_a_new_version_and_running_cases_keep_theirs(
    models_deployed: Any, designer: Any, hr: Any, agency: Any
) -> None:
    case = recruitment_open(user=hr, fields=application(agency))
    draft = recruitment_draft(designer)
    files = edited(
        draft, '"title": "笔试成绩"', '"title": "笔试成绩（百分制）"', "forms/scores.json"
    )
    services.draft_save(draft_id=draft.pk, revision=1, files=files, user=designer)
    response = post_json(
        client_for(designer), f"/designer/drafts/{draft.pk}/deploy/", {"revision": 2}
    )
    assert response.status_code == 200, response.content
    assert response.json()["version"] == 2
    v2 = Definition.objects.get(process_id="recruitment", version=2)
    assert response.json()["compare_url"] == "/designer/compare/recruitment/?b=2"
    assert response.json()["migrate_url"] == f"/designer/versions/{v2.pk}/migrate/"
    assert v2.deployed_by == designer and v2.deployed_at is not None
    case.refresh_from_db()
    assert case.definition.version == 1
    assert recruitment_open(user=hr, fields=application(agency, 2)).definition == v2
    event = DesignerEvent.objects.get(action="deployed")
    assert (event.actor, event.process_id, event.version) == (designer, "recruitment", 2)
    compare = client_for(designer).get("/designer/compare/recruitment/?a=1&b=2")
    assert compare.context["form_changes"] == [
        {
            "kind": "changed",
            "form": "scores.json",
            "field": "exam_score",
            "detail": "title: '笔试成绩' → '笔试成绩（百分制）'",
        }
    ]
    again = post_json(client_for(designer), f"/designer/drafts/{draft.pk}/deploy/", {"revision": 2})
    assert again.status_code == 400 and "already has exactly these files" in again.json()["error"]


def test_it_lists_versions_with_who_and_when(models_deployed: Any, designer: Any) -> None:
    page = client_for(designer).get("/designer/")
    rows = {row.process_id: row for row in page.context["rows"]}
    assert [v.version for v in rows["recruitment"].versions] == [1]


def test_it_shows_what_changed_between_two_versions(models_deployed: Any, designer: Any) -> None:
    draft = recruitment_draft(designer)
    files = edited(draft, REVIEW_LABEL, 'name="报名资格初审"')
    services.draft_save(draft_id=draft.pk, revision=1, files=files, user=designer)
    services.draft_deploy(draft_id=draft.pk, revision=2, user=designer)
    client = client_for(designer)
    page = client.get("/designer/compare/recruitment/")
    assert (page.context["a"].version, page.context["b"].version) == (1, 2)
    a_xml = client.get(f"/designer/versions/{page.context['a'].pk}/xml/").content.decode()
    b_xml = client.get(f"/designer/versions/{page.context['b'].pk}/xml/").content.decode()
    assert REVIEW_LABEL in a_xml and 'name="报名资格初审"' in b_xml


# -------------------------------------------------------------------- test run


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_it_test_runs_a_draft_without_touching_any_record(
    models_deployed: Any, designer: Any
) -> None:
    draft = recruitment_draft(designer)
    review = {**CLEAN_REVIEW, "nationality_prc": False}
    sample = draft_sample(designer, draft)
    client = client_for(designer)  # signing in writes a session: before counting
    before = row_counts()
    response = post_json(
        client,
        f"/designer/drafts/{draft.pk}/test-run/",
        {
            "files": draft.files,
            "data": sample,
            "inputs": [{"task": "review_application", "data": review}],
        },
    )
    assert row_counts() == before
    body = response.json()
    assert body["completed"] is True
    assert body["path"][:3] == ["start_application", "review_application", "rank_education"]
    assert "reject_ineligible" in body["path"]
    assert body["operator_calls"][0]["operator"] == "staff_reject"
    assert "Art. 10(2)" in body["operator_calls"][0]["params"]["reason"]


def draft_sample(designer: Any, draft: Draft) -> dict[str, Any]:
    page = client_for(designer).get(f"/designer/drafts/{draft.pk}/")
    sample: dict[str, Any] = page.context["config"]["sample"]
    return sample


def test_it_reports_a_refused_test_run_input_with_the_field(
    models_deployed: Any, designer: Any
) -> None:
    draft = recruitment_draft(designer)
    response = post_json(
        client_for(designer),
        f"/designer/drafts/{draft.pk}/test-run/",
        {"files": draft.files, "data": {}, "inputs": [{"task": "review_application", "data": {}}]},
    )
    body = response.json()
    assert "nationality_prc" in body["field_errors"]
    assert [t["bpmn_id"] for t in body["waiting"]] == ["review_application"]


def test_it_refuses_a_test_run_of_a_model_with_problems_or_by_anyone_else(
    models_deployed: Any, designer: Any, hr: Any
) -> None:
    draft = recruitment_draft(designer)
    broken = edited(draft, "eligible == True", "eligible ==")
    with pytest.raises(services.StepRefused, match="before a test run"):
        services.draft_test_run(user=designer, files=broken, start={}, inputs=[])
    with pytest.raises(services.NotPermitted):
        services.draft_test_run(user=hr, files=draft.files, start={}, inputs=[])
    with pytest.raises(services.StepRefused, match="not valid JSON"):
        services.draft_test_run(user=designer, files=draft.files, start="x", inputs=[])


def test_it_compares_the_newest_version_with_the_one_before_unless_told(
    models_deployed: Any, designer: Any
) -> None:
    v1 = Definition.objects.get(process_id="recruitment")
    assert selectors.version_pair("nothing-deployed") is None
    only = selectors.version_pair("recruitment")
    assert only is not None and (only.old, only.new) == (v1, v1)
    v2 = deploy_edit(designer, REVIEW_LABEL, 'name="报名资格审查（二）"')
    pair = selectors.version_pair("recruitment")
    assert pair is not None and (pair.old, pair.new, pair.versions) == (v1, v2, [v2, v1])
    chosen = selectors.version_pair("recruitment", a="2", b="1")
    assert chosen is not None and (chosen.old, chosen.new) == (v2, v1)


# ------------------------------------------------------------------- migration


def deploy_edit(designer: Any, old: str, new: str, name: str = "recruitment.bpmn") -> Definition:
    draft = Draft.objects.filter(process_id="recruitment").first() or recruitment_draft(designer)
    files = edited(draft, old, new, name)
    draft = services.draft_save(
        draft_id=draft.pk, revision=draft.revision, files=files, user=designer
    )
    return services.draft_deploy(draft_id=draft.pk, revision=draft.revision, user=designer)


def test_it_moves_a_running_case_to_the_new_version_and_records_it_in_the_history(
    models_deployed: Any, designer: Any, hr: Any, agency: Any
) -> None:
    case = recruitment_open(user=hr, fields=application(agency))
    task = open_task(case, "review_application")
    v2 = deploy_edit(designer, REVIEW_LABEL, 'name="报名资格审查（第二版）"')
    [row] = moves.movable_cases(v2)
    assert row.movability.can_move and row.movability.current == ("review_application",)
    response = client_for(designer).post(f"/designer/versions/{v2.pk}/migrate/", {"case": case.pk})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.definition == v2
    event = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    assert event is not None and event.kind == "case_migrated"
    assert (event.data_before, event.data_after) == (
        {"definition_version": 1},
        {"definition_version": 2},
    )
    assert verify_case(case) == []
    page = client_for(hr).get(f"/cases/{case.pk}/")
    assert "Moved from version 1 to version 2 of the process" in page.content.decode()
    task.refresh_from_db()
    assert task.is_active and task.name == "报名资格审查（第二版）"
    case = task_complete(task_id=task.pk, user=hr, data=CLEAN_REVIEW, comment="")
    assert open_task(case, "record_scores").case.definition == v2
    assert DesignerEvent.objects.filter(action="migrated").count() == 1
    if apps.is_installed("webapp.security"):
        from webapp.security.models import AuditEntry

        entry = AuditEntry.objects.get(action="designer.migrated")
        assert entry.actor == designer and entry.target == "recruitment v2"
        assert AuditEntry.objects.filter(action="deploy").count() >= 1


def test_it_says_why_a_case_cannot_move(
    models_deployed: Any, designer: Any, hr: Any, agency: Any
) -> None:
    case = recruitment_open(user=hr, fields=application(agency))
    draft = recruitment_draft(designer)
    files = dict(draft.files)
    files["recruitment.bpmn"] = re.sub(
        r'<bpmn:userTask id="review_application"(.*?)</bpmn:userTask>',
        r'<bpmn:manualTask id="review_application"\1</bpmn:manualTask>',
        files["recruitment.bpmn"],
        flags=re.S,
    )
    draft = services.draft_save(draft_id=draft.pk, revision=1, files=files, user=designer)
    v2 = services.draft_deploy(draft_id=draft.pk, revision=draft.revision, user=designer)
    [row] = moves.movable_cases(v2)
    assert not row.movability.can_move
    assert "UserTask here but a ManualTask in the new version" in row.reasons[0]
    with pytest.raises(services.StepRefused, match="cannot move"):
        moves.case_migrate(case_id=case.pk, target_id=v2.pk, user=designer)
    case.refresh_from_db()
    assert case.definition.version == 1
    assert HumanTask.objects.filter(case=case, state="open").count() == 1
    page = client_for(designer, "zh-hans").get(f"/designer/versions/{v2.pk}/migrate/")
    html = page.content.decode()
    assert "在此为 UserTask，在新版本中为 ManualTask" in html


def test_it_moves_the_cases_it_can_and_says_why_not_for_the_others(
    models_deployed: Any, designer: Any, hr: Any, agency: Any
) -> None:
    old = recruitment_open(user=hr, fields=application(agency))
    v2 = deploy_edit(designer, REVIEW_LABEL, 'name="报名资格审查（二）"')
    new = recruitment_open(user=hr, fields=application(agency, 2))
    report = moves.cases_migrate(
        case_ids=[str(old.pk), str(new.pk)], target_id=v2.pk, user=designer
    )
    assert report.moved == 1
    assert report.refusals == ["The case is already on this version or a newer one."]
    old.refresh_from_db()
    assert old.definition == v2


def test_it_lists_no_case_already_on_the_version(
    models_deployed: Any, designer: Any, hr: Any, agency: Any
) -> None:
    v2 = deploy_edit(designer, REVIEW_LABEL, 'name="报名资格审查（二）"')
    recruitment_open(user=hr, fields=application(agency))
    assert moves.movable_cases(v2) == []
    assert Case.objects.get().definition == v2


def test_it_refuses_a_form_that_refers_to_another_schema(
    models_deployed: Any, designer: Any
) -> None:
    draft = recruitment_draft(designer)
    form = json.loads(draft.files["forms/scores.json"])
    form["properties"]["exam_score"] = {"$ref": "http://example.com/evil.json"}
    files = {**draft.files, "forms/scores.json": json.dumps(form)}
    with pytest.raises(services.HostileFile, match="another schema"):
        services.draft_save(draft_id=draft.pk, revision=1, files=files, user=designer)


def test_it_refuses_a_hostile_upload_in_the_users_language(designer: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    hostile = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "boom">]><d>&x;</d>'
    client = client_for(designer, "zh-hans")
    response = client.post(
        "/designer/import/", {"files": [SimpleUploadedFile("evil.bpmn", hostile)]}, follow=True
    )
    assert "已拒绝" in response.content.decode()
    assert not Draft.objects.exists()


def test_it_checks_unsaved_files_without_saving_them(models_deployed: Any, designer: Any) -> None:
    draft = recruitment_draft(designer)
    files = edited(draft, 'name="hr_officer"', 'name="clerk"')
    response = post_json(
        client_for(designer, "zh-hans"), f"/designer/drafts/{draft.pk}/check/", {"files": files}
    )
    [problem] = response.json()["problems"]
    assert problem["element_id"] == "lane_hr_officer"
    assert "泳道 'clerk' 不是已知角色" in problem["message"]
    assert "lane 'clerk' is not a known role" in problem["message_en"]
    draft.refresh_from_db()
    assert draft.revision == 1 and draft.problems == []


def test_it_starts_a_new_draft_from_an_older_version(models_deployed: Any, designer: Any) -> None:
    deploy_edit(designer, REVIEW_LABEL, 'name="报名资格审查（二）"')
    client = client_for(designer)
    response = client.post("/designer/processes/recruitment/open/", {"version": "1"})
    draft = Draft.objects.order_by("-pk").first()
    assert draft is not None and response.url == f"/designer/drafts/{draft.pk}/"
    assert draft.based_on is not None and draft.based_on.version == 1
    assert REVIEW_LABEL in draft.files["recruitment.bpmn"]


def test_it_refuses_a_save_too_large_to_send_with_a_clear_message(
    models_deployed: Any, designer: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    draft = recruitment_draft(designer)
    url = f"/designer/drafts/{draft.pk}/save/"
    response = post_json(client_for(designer), url, {"revision": 1, "files": draft.files})
    assert response.status_code == 400
    assert "too large to send" in response.json()["error"]


def test_it_moves_a_case_waiting_on_its_notice_timer_without_restarting_it(
    models_deployed: Any, designer: Any, hr: Any, approver: Any, agency: Any
) -> None:
    import time_machine

    from webapp.cases.scheduling import wake_due_cases

    from .flows import TO_APPROVAL, drive

    case = recruitment_open(user=hr, fields=application(agency))
    case = drive(case, TO_APPROVAL, hr, approver)
    due = case.wake_at
    assert due is not None
    v2 = deploy_edit(designer, 'name="录用审批"', 'name="录用审批（第二版）"')
    moves.case_migrate(case_id=case.pk, target_id=v2.pk, user=designer)
    case.refresh_from_db()
    assert case.definition == v2 and case.wake_at == due
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        wake_due_cases()
    assert open_task(case, "approve_hire").name == "录用审批（第二版）"


def test_it_reports_every_mistake_that_would_break_a_live_case_at_once_in_chinese(
    models_deployed: Any, designer: Any
) -> None:
    draft = recruitment_draft(designer)
    files = edited(draft, "<bpmn:flowNodeRef>review_application</bpmn:flowNodeRef>", "")
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        '<bpmn:sequenceFlow id="flow_start_review"',
        '<bpmn:sequenceFlow id="flow_start_again" sourceRef="start_application" '
        'targetRef="review_application" />\n    <bpmn:sequenceFlow id="flow_start_review"',
    )
    response = post_json(
        client_for(designer, "zh-hans"), f"/designer/drafts/{draft.pk}/check/", {"files": files}
    )
    problems = {p["element_id"]: p for p in response.json()["problems"]}
    lane, split = problems["review_application"], problems["start_application"]
    assert "用户任务不在任何泳道中" in lane["message"] and "请把它移入" in lane["message"]
    assert (
        lane["text"].startswith("recruitment.bpmn 第 ")
        and "元素 用户任务 review_application" in lane["text"]
    )
    assert (
        "有 2 条顺序流从此事件流出" in split["message"] and "只有网关可以分支" in split["message"]
    )
    assert "nobody's inbox" in lane["message_en"]


def test_it_compares_decision_tables_and_properties_with_before_and_after(
    models_deployed: Any, designer: Any
) -> None:
    draft = recruitment_draft(designer)
    files = edited(
        draft,
        '<spiffworkflow:property name="dueIn" value="P3D"',
        '<spiffworkflow:property name="dueIn" value="5WD"',
    )
    table = files["disqualification.dmn"]
    files["disqualification.dmn"] = table.replace('hitPolicy="UNIQUE"', 'hitPolicy="FIRST"', 1)
    services.draft_save(draft_id=draft.pk, revision=1, files=files, user=designer)
    services.draft_deploy(draft_id=draft.pk, revision=2, user=designer)
    page = client_for(designer, "zh-hans").get("/designer/compare/recruitment/")
    changes = {(c["what"], c["before"], c["after"]) for c in page.context["model_changes"]}
    assert ("办理期限（dueIn）", "P3D", "5WD") in changes
    assert ("命中策略", "UNIQUE", "FIRST") in changes
    due = next(c for c in page.context["model_changes"] if c["after"] == "5WD")
    assert due["element"] == "用户任务 review_application (报名资格审查)"
    assert "5WD" in page.content.decode()


def test_it_discards_a_draft_and_keeps_the_deployed_versions(
    models_deployed: Any, designer: Any
) -> None:
    draft = recruitment_draft(designer)
    versions = Definition.objects.filter(process_id="recruitment").count()
    response = client_for(designer).post(f"/designer/drafts/{draft.pk}/discard/")
    assert response.status_code == 302
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert Definition.objects.filter(process_id="recruitment").count() == versions


def test_it_warns_before_deploying_a_draft_based_on_an_older_version(
    models_deployed: Any, designer: Any
) -> None:
    old = recruitment_draft(designer)
    newer = services.draft_open(process_id="recruitment", user=designer, version=1)
    files = edited(newer, REVIEW_LABEL, 'name="报名资格初审"')
    services.draft_save(draft_id=newer.pk, revision=1, files=files, user=designer)
    services.draft_deploy(draft_id=newer.pk, revision=2, user=designer)
    files = edited(old, REVIEW_LABEL, 'name="报名资格复审"')
    services.draft_save(draft_id=old.pk, revision=1, files=files, user=designer)
    client = client_for(designer, "zh-hans")
    url = f"/designer/drafts/{old.pk}/deploy/"
    response = post_json(client, url, {"revision": 2})
    assert response.status_code == 409 and response.json()["newer"] is True
    assert "此草稿基于第 1 版，但此后已部署了第 2 版" in response.json()["error"]
    assert Definition.objects.filter(process_id="recruitment").count() == 2
    response = post_json(client, url, {"revision": 2, "over_newer": True})
    assert response.status_code == 200 and response.json()["version"] == 3


def test_a_conflict_download_imports_as_its_files(models_deployed: Any, designer: Any) -> None:
    draft = recruitment_draft(designer)
    download = json.dumps(draft.files).encode()
    imported = services.draft_import(user=designer, uploads={"draft-1-mine.json": download})
    assert imported.files == draft.files and imported.process_id == "recruitment"


def test_it_imports_a_utf16_model_as_bpmn_check_reads_it(
    models_deployed: Any, designer: Any
) -> None:
    path = Path(__file__).resolve().parents[2] / "bpmn" / "recruitment" / "recruitment.bpmn"
    text = path.read_text(encoding="utf-8")
    text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    draft = services.draft_import(user=designer, uploads={"r.bpmn": text.encode("utf-16")})
    assert draft.files["r.bpmn"].startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert draft.process_id == "recruitment"


def test_it_refuses_a_variable_no_step_supplies_and_overlapping_rules_in_chinese(
    models_deployed: Any, designer: Any
) -> None:
    draft = recruitment_draft(designer)
    files = edited(draft, "eligible == True", "eligible == True and reviewed_twice")
    table = files["disqualification.dmn"]
    start = table.index('<inputEntry id="disqualification_rule_2_in_1">')
    files["disqualification.dmn"] = table[:start] + table[start:].replace(
        "<text>False</text>", "<text>-</text>", 1
    )
    response = post_json(
        client_for(designer, "zh-hans"), f"/designer/drafts/{draft.pk}/check/", {"files": files}
    )
    texts = [p["text"] for p in response.json()["problems"]]
    assert any(
        "条件读取了 'reviewed_twice'，但没有任何步骤提供它" in t and "NameError" in t for t in texts
    ), texts
    assert any(
        t.startswith("disqualification.dmn 第 ") and "第 1 条和第 2 条规则在" in t for t in texts
    ), texts


def test_it_archives_an_imported_process_but_never_fuzhis_own(
    models_deployed: Any, designer: Any
) -> None:
    path = Path(__file__).resolve().parents[2] / "bpmn" / "recruitment" / "recruitment.bpmn"
    text = path.read_text(encoding="utf-8").replace('id="recruitment"', 'id="imported_trial"')
    bundle = {**recruitment_draft(designer).files, "recruitment.bpmn": text}
    uploads = {name: body.encode() for name, body in bundle.items()}
    draft = services.draft_import(user=designer, uploads=uploads)
    services.draft_deploy(draft_id=draft.pk, revision=draft.revision, user=designer)
    services.draft_discard(draft_id=draft.pk, user=designer)
    client = client_for(designer, "zh-hans")
    assert client.post("/designer/processes/imported_trial/archive/").status_code == 302
    assert set(
        Definition.objects.filter(process_id="imported_trial").values_list("state", flat=True)
    ) == {"retired"}
    page = client.get("/designer/").content.decode()
    assert 'data-process="imported_trial"' not in page and "归档" in page
    assert 'data-process="imported_trial"' in client.get("/designer/?archived=1").content.decode()
    client.post("/designer/processes/recruitment/archive/")
    assert Definition.objects.filter(process_id="recruitment", state="deployed").exists()
