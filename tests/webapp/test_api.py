"""The REST API over HTTP on the real database and engine: token auth, tenancy, the
inbox actions with their 409 and four-eyes refusals, cases, staff, errors, throttling."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from webapp.api.services import ProcessNotStartable, case_open_about_staff
from webapp.cases.models import CaseEvent, HumanTask, TaskState
from webapp.cases.services import task_complete
from webapp.staff.models import StaffState

from .flows import APPROVE, CONTRACT, case_at_approval, drive, open_task
from .test_lifecycle_operators import call, case_about, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    cache.clear()  # throttle counters
    return models_deployed


def auth(user) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def get(client, url, user=None, **extra):
    return client.get(url, **(auth(user) if user else {}), **extra)


def post(client, url, body=None, user=None, **extra):
    return client.post(
        url, body or {}, content_type="application/json", **(auth(user) if user else {}), **extra
    )


# Token authentication


def test_it_refuses_a_request_without_credentials_with_a_json_401(client):
    response = client.get("/api/inbox/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    body = response.json()
    assert body["error"] == "not_authenticated" and body["article"] is None
    assert set(body) == {"error", "message", "article", "fields"}


def test_it_refuses_a_wrong_token(client, approver):
    response = client.get("/api/inbox/", HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert response.status_code == 401
    assert response.json()["error"] == "authentication_failed"


def test_it_accepts_a_token_and_a_rotated_one_replaces_it(client, approver):
    from webapp.api.services import token_rotate

    old = auth(approver)
    assert client.get("/api/inbox/", **old).status_code == 200
    new_key = token_rotate(user=approver)
    assert client.get("/api/inbox/", **old).status_code == 401
    from webapp.security.models import AuditEntry

    logged = AuditEntry.objects.filter(action="api_token", actor=approver).latest("at")
    assert logged.detail == {"replaced": True}
    assert client.get("/api/inbox/", HTTP_AUTHORIZATION=f"Token {new_key}").status_code == 200


def test_it_shows_a_new_token_on_the_token_page(client, approver):
    from .conftest import PASSWORD

    client.login(username=approver.username, password=PASSWORD)
    page = client.post("/api/token/")
    assert page.status_code == 200
    key = Token.objects.get(user=approver).key
    assert key in page.content.decode()
    assert client.get("/api/inbox/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_it_makes_a_token_from_the_command_line(approver):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("api_token", approver.username, stdout=out)
    assert Token.objects.get(user=approver).key in out.getvalue()


def test_it_accepts_the_browser_session_but_demands_its_csrf_token(approver):
    from django.test import Client

    from .conftest import PASSWORD

    browser = Client(enforce_csrf_checks=True)
    browser.login(username=approver.username, password=PASSWORD)
    assert browser.get("/api/inbox/").status_code == 200
    assert browser.post("/api/cases/", {}, content_type="application/json").status_code == 403


# Inbox


def test_it_lists_the_roles_tasks_and_not_other_roles(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    body = get(client, "/api/inbox/", approver).json()
    assert body["count"] == 1
    task = body["results"][0]
    assert task["case"]["business_key"] == case.business_key
    assert task["role"] == "approver" and task["state"] == "open"
    assert get(client, "/api/inbox/", hr).json()["count"] == 0


def test_it_shows_a_foreign_agency_nothing_in_any_list(client, hr, approver, agency, stranger):
    case = case_at_approval(hr, approver, agency)
    for url in ("/api/inbox/", "/api/cases/", "/api/staff/", "/api/certificates/"):
        body = get(client, url, stranger).json()
        assert body["count"] == 0, url
        assert case.business_key not in str(body) and case.subject.name not in str(body)


def test_it_pages_lists_and_caps_the_page_size(client, hr, agency, monkeypatch):
    from webapp.api.pagination import Page

    for seq in range(3):
        member(agency, 20 + seq)
    first = get(client, "/api/staff/?limit=2", hr).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["next"]
    rest = get(client, "/api/staff/?limit=2&offset=2", hr).json()
    assert len(rest["results"]) == 1
    monkeypatch.setattr(Page, "max_limit", 2)  # 200 in use; 2 here to see the cap bite
    capped = get(client, "/api/staff/?limit=1000000", hr).json()
    assert capped["count"] == 3 and len(capped["results"]) == 2


def test_it_refuses_bad_filters_on_every_list(client, approver):
    for url, field in (
        ("/api/cases/?status=lost", "status"),
        ("/api/staff/?state=lost", "state"),
        ("/api/staff/?agency=-1", "agency"),
        ("/api/certificates/?staff=abc", "staff"),
        ("/api/inbox/?overdue=perhaps", "overdue"),
    ):
        response = get(client, url, approver)
        assert response.status_code == 400, url
        assert field in response.json()["fields"], url


def test_it_filters_the_inbox_and_refuses_a_bad_filter(client, hr, approver, agency):
    case_at_approval(hr, approver, agency, seq=1)
    case_at_approval(hr, approver, agency, seq=2)
    assert get(client, "/api/inbox/?q=申请人2", approver).json()["count"] == 1
    assert get(client, "/api/inbox/?state=claimed", approver).json()["count"] == 0
    bad = get(client, "/api/inbox/?state=lost", approver)
    assert bad.status_code == 400
    assert "state" in bad.json()["fields"]


def test_it_gives_the_task_with_its_form_schema(client, hr, approver, agency):
    task = open_task(case_at_approval(hr, approver, agency), "approve_hire")
    body = get(client, f"/api/tasks/{task.pk}/", approver).json()
    assert body["name"] == task.name
    assert "decision" in body["form"]["properties"]


def test_it_hides_a_foreign_agencys_task(client, hr, approver, agency, stranger):
    task = open_task(case_at_approval(hr, approver, agency), "approve_hire")
    assert get(client, f"/api/tasks/{task.pk}/", stranger).status_code == 404
    for action in ("claim", "release"):
        response = post(client, f"/api/tasks/{task.pk}/{action}/", user=stranger)
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"
    response = post(client, f"/api/tasks/{task.pk}/complete/", {"data": APPROVE}, stranger)
    assert response.status_code == 404
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN


def test_it_claims_and_releases_and_refuses_a_colleagues_claim(
    client, hr, approver, colleague, agency
):
    task = open_task(case_at_approval(hr, approver, agency), "approve_hire")
    claimed = post(client, f"/api/tasks/{task.pk}/claim/", user=approver)
    assert claimed.status_code == 200
    assert claimed.json()["state"] == "claimed" and claimed.json()["assignee"] == "approver"
    taken = post(client, f"/api/tasks/{task.pk}/claim/", user=colleague)
    assert taken.status_code == 409 and "approver" in taken.json()["message"]
    not_theirs = post(client, f"/api/tasks/{task.pk}/release/", user=colleague)
    assert not_theirs.status_code in (403, 409)
    released = post(client, f"/api/tasks/{task.pk}/release/", user=approver)
    assert released.status_code == 200 and released.json()["state"] == "open"


def test_it_completes_a_task_and_the_case_moves_on(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    response = post(
        client,
        f"/api/tasks/{task.pk}/complete/",
        {"data": {"decision": "approve", "reason": "同意"}, "comment": "材料齐全"},
        approver,
    )
    assert response.status_code == 200, response.json()
    assert response.json()["business_key"] == case.business_key
    event = CaseEvent.objects.get(case=case, kind="task_completed", task=task)
    assert event.comment == "材料齐全" and event.actor == approver
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.DONE


def test_it_validates_form_data_as_the_inbox_page_does_and_saves_nothing(
    client, hr, approver, agency
):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    events = CaseEvent.objects.filter(case=case).count()
    url = f"/api/tasks/{task.pk}/complete/"
    no_reason = post(client, url, {"data": {"decision": "reject", "reason": ""}}, approver)
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]
    unknown = post(client, url, {"data": {"decision": "approve", "decisoin": "x"}}, approver)
    assert unknown.status_code == 400 and "decisoin" in unknown.json()["fields"]
    not_a_choice = post(client, url, {"data": {"decision": ["approve"]}}, approver)
    assert not_a_choice.status_code == 400 and "decision" in not_a_choice.json()["fields"]
    not_an_object = post(client, url, {"data": "approve"}, approver)
    assert not_an_object.status_code == 400 and "data" in not_an_object.json()["fields"]
    assert CaseEvent.objects.filter(case=case).count() == events
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN


def test_it_answers_409_already_completed_by_to_a_second_completion(
    client, hr, approver, colleague, agency
):
    task = open_task(case_at_approval(hr, approver, agency), "approve_hire")
    task_complete(task_id=task.pk, user=colleague, data=APPROVE)
    events = CaseEvent.objects.count()
    late = post(client, f"/api/tasks/{task.pk}/complete/", {"data": APPROVE}, approver)
    assert late.status_code == 409
    body = late.json()
    assert body["error"] == "conflict" and "colleague" in body["message"]
    assert CaseEvent.objects.count() == events


def test_it_refuses_the_initiators_own_approval_four_eyes(client, agency, approver):
    from webapp.accounts.models import Membership

    Membership.objects.create(user=approver, agency=agency, role="hr_officer")
    task = open_task(case_at_approval(approver, approver, agency), "approve_hire")
    response = post(client, f"/api/tasks/{task.pk}/complete/", {"data": APPROVE}, approver)
    assert response.status_code == 403
    assert response.json()["error"] == "not_permitted"
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN


def test_it_cites_the_article_when_the_regulation_refuses_the_step(client, hr, approver, agency):
    agency.quota = 0  # Art. 9: no headcount left
    agency.save()
    case = case_at_approval(hr, approver, agency)
    drive(case, [("approve_hire", APPROVE)], hr, approver)
    task = open_task(case, "sign_contract")
    response = post(client, f"/api/tasks/{task.pk}/complete/", {"data": CONTRACT}, hr)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "refused" and "Art. 9" in body["article"]
    assert "Art. 9" in body["message"]
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN


def test_it_says_the_refusal_in_english_when_asked(client, hr, approver, colleague, agency):
    task = open_task(case_at_approval(hr, approver, agency), "approve_hire")
    task_complete(task_id=task.pk, user=colleague, data=APPROVE)
    url = f"/api/tasks/{task.pk}/complete/"
    english = post(client, url, {"data": APPROVE}, approver, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["message"].startswith("Already completed by")
    chinese = post(client, url, {"data": APPROVE}, approver)
    assert not chinese.json()["message"].startswith("Already")


# Cases


def test_it_reads_a_case_and_its_hash_chained_history(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    detail = get(client, f"/api/cases/{case.pk}/", approver).json()
    assert detail["business_key"] == case.business_key and detail["process"] == "recruitment"
    assert detail["open_tasks"][0]["role"] == "approver"
    history = get(client, f"/api/cases/{case.pk}/history/", approver).json()
    assert history["intact"] is True
    events = history["events"]
    assert events[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(events))
    assert events[-1]["hash"] == history["head_hash"] == detail["head_hash"]
    assert any("Art." in e["article"] for e in events)


def test_it_lists_only_visible_cases_and_hides_foreign_ones(
    client, hr, approver, agency, stranger, auditor
):
    case = case_at_approval(hr, approver, agency)
    assert get(client, "/api/cases/", stranger).json()["count"] == 0
    for url in (f"/api/cases/{case.pk}/", f"/api/cases/{case.pk}/history/"):
        assert get(client, url, stranger).status_code == 404
        assert get(client, url, auditor).status_code == 200  # granted the city's subtree
    assert get(client, "/api/cases/?process=recruitment", approver).json()["count"] == 1


def test_it_opens_a_case_about_a_member_for_an_hr_officer(client, hr, approver, agency):
    staff = member(agency, 7, state=StaffState.HIRED)
    response = post(client, "/api/cases/", {"process": "training", "staff": staff.pk}, hr)
    assert response.status_code == 201, response.json()
    assert response.json()["process"] == "training"
    assert response.json()["subject"]["id"] == staff.pk
    refused = post(client, "/api/cases/", {"process": "training", "staff": staff.pk}, approver)
    assert refused.status_code == 403


def test_it_refuses_a_process_the_members_state_does_not_allow(client, hr, agency):
    staff = member(agency, 7, state=StaffState.HIRED)
    response = post(client, "/api/cases/", {"process": "recruitment", "staff": staff.pk}, hr)
    assert response.status_code == 400 and "process" in response.json()["fields"]
    missing = post(client, "/api/cases/", {"process": "training"}, hr)
    assert missing.status_code == 400 and "staff" in missing.json()["fields"]


def test_the_service_names_the_processes_the_member_may_have_when_refusing_another(hr, agency):
    staff = member(agency, 7, state=StaffState.HIRED)
    with pytest.raises(ProcessNotStartable, match="training, separation"):
        case_open_about_staff(user=hr, staff=staff, process_id="assessment")
    assert not staff.cases.exists()
    case = case_open_about_staff(user=hr, staff=staff, process_id="training")
    assert case.subject == staff and case.definition.process_id == "training"


def test_it_will_not_open_a_case_about_a_foreign_member(client, agency, stranger):
    staff = member(agency, 7, state=StaffState.HIRED)
    response = post(client, "/api/cases/", {"process": "training", "staff": staff.pk}, stranger)
    assert response.status_code == 404
    assert not staff.cases.exists()


# Staff and certificates


def test_it_masks_personal_data_except_for_the_agencys_hr(client, hr, approver, agency):
    staff = member(agency, 3, state=StaffState.HIRED)
    as_hr = get(client, f"/api/staff/{staff.pk}/", hr).json()
    assert as_hr["id_number"] == staff.id_number
    assert {"process": "training", "name": as_hr["startable_processes"][0]["name"]} in as_hr[
        "startable_processes"
    ]
    as_approver = get(client, "/api/staff/", approver).json()["results"][0]
    assert as_approver["id_number"] == staff.id_masked != staff.id_number


def test_it_reads_certificates_of_the_agency_only(client, hr, agency, other_agency, stranger):
    staff = member(agency, 4)
    call(case_about(staff, hr), "certificate_issue")
    listed = get(client, "/api/certificates/", hr).json()
    assert listed["count"] == 1
    certificate = listed["results"][0]
    assert certificate["is_valid"] and certificate["staff"]["id"] == staff.pk
    assert get(client, f"/api/certificates/{certificate['id']}/", hr).status_code == 200
    assert get(client, f"/api/certificates/{certificate['id']}/", stranger).status_code == 404
    assert get(client, f"/api/staff/{staff.pk}/", stranger).status_code == 404
    assert get(client, "/api/certificates/", stranger).json()["count"] == 0


# Errors and throttling


def test_it_answers_json_for_unknown_addresses_and_wrong_methods(client, approver, hr):
    missing = get(client, "/api/nothing/here/", approver)
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.delete("/api/inbox/", **auth(approver))
    assert wrong.status_code == 405 and wrong.json()["error"] == "method_not_allowed"
    broken = client.post("/api/cases/", "{not json", content_type="application/json", **auth(hr))
    assert broken.status_code == 400 and broken.json()["error"] == "parse_error"
    form = client.post("/api/cases/", {"process": "training"}, **auth(hr))
    assert form.status_code == 415 and form.json()["error"] == "unsupported_media_type"
    # Who may not open a case is refused before the body is read, whatever it holds.
    unread = client.post(
        "/api/cases/", "{not json", content_type="application/json", **auth(approver)
    )
    assert unread.status_code == 403 and unread.json()["error"] == "not_permitted"


def test_it_answers_json_even_when_the_server_fails(client, approver, monkeypatch):
    from webapp.api.views import cases

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cases, "case_for", broken)
    response = get(client, "/api/cases/1/", approver)
    assert response.status_code == 500
    assert response.json()["error"] == "server_error"
    assert "disk" not in response.json()["message"]


def test_it_throttles_a_user_and_answers_429_with_retry_after(client, approver, settings):
    settings.FUZHI_API_RATES = {**settings.FUZHI_API_RATES, "user": "3/min"}
    codes = [get(client, "/api/inbox/", approver).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = get(client, "/api/inbox/", approver)
    assert last.json()["error"] == "throttled" and int(last["Retry-After"]) > 0


def test_it_throttles_anonymous_public_callers_more_strictly(client, settings):
    settings.FUZHI_API_RATES = {**settings.FUZHI_API_RATES, "anon": "2/min", "user": "100/min"}
    codes = [
        client.get("/api/public/registry/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]  # a forged X-Forwarded-For does not reset the count


# Schema and docs


def test_it_serves_the_openapi_schema_and_a_docs_page_without_a_cdn(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/tasks/{task_id}/complete/" in paths
    assert "409" in paths["/api/tasks/{task_id}/complete/"]["post"]["responses"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/api/tasks/{task_id}/complete/" in html
    assert 'src="http' not in html and 'src="//' not in html  # nothing from another host


def test_it_opens_a_recruitment_case_as_the_application_form_does(client, hr, approver, agency):
    from webapp.staff.models import Staff

    from .flows import application

    fields = {**application(agency), "agency": agency.pk}
    response = post(client, "/api/recruitments/", fields, hr)
    assert response.status_code == 201, response.json()
    assert response.json()["process"] == "recruitment"
    assert response.json()["open_tasks"][0]["role"] == "hr_officer"
    wrong = {**application(agency, 2), "agency": agency.pk, "required_education": "bachelor"}
    refused = post(client, "/api/recruitments/", wrong, hr, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "Art. 10" in refused.json()["fields"]["education_requirement_reason"]
    assert post(client, "/api/recruitments/", fields, approver).status_code == 403
    assert Staff.objects.count() == 1
    again = post(client, "/api/recruitments/", fields, hr, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 400
    assert "already registered" in again.json()["fields"]["id_number"]
    assert Staff.objects.count() == 1


def test_it_drafts_a_usage_plan_only_for_the_callers_agency(client, hr, agency, other_agency):
    created = post(client, "/api/usage-plans/", {"agency": agency.pk}, hr)
    assert created.status_code == 201 and created.json()["process"] == "usage_plan"
    foreign = post(client, "/api/usage-plans/", {"agency": other_agency.pk}, hr)
    assert foreign.status_code == 403


def test_it_generates_a_valid_schema_without_warnings():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/inbox/" in out.getvalue()
