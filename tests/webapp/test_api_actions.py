"""What the pages do, an integrator does through /api/ (issue 13): duties, grading, the
member's sign-in, the certificate PDF, the agency directory, the ranking, finding a case
by its receipt, timers with their due times, integrity runs, the report as JSON,
supervision, the member's own filings, and administration without a browser."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests.fixtures import _user
from webapp.accounts.models import Grant, Membership
from webapp.accounts.roles import Role
from webapp.cases.openings import complaint_open
from webapp.security.models import AuditEntry
from webapp.staff.accounts import member_account_ensure
from webapp.staff.models import Certificate

from .flows import case_at_approval
from .test_api import auth, get, post
from .test_consequences import POOR, trained

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed: Any) -> Any:
    cache.clear()
    return models_deployed


@pytest.fixture
def on_duty(agency: Any, hr: Any, approver: Any) -> Any:
    staff, _ = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    return staff


def test_duties_are_assigned_and_refused_as_the_page_does(client, hr, on_duty):
    url = f"/api/staff/{on_duty.pk}/duties/"
    refused = post(client, url, {"duty": "inspection_patrol"}, user=hr)
    assert refused.status_code == 400 and refused.json()["article"] == "Art. 14"
    never = post(client, url, {"duty": "case_filing"}, user=hr)
    assert never.status_code == 400 and never.json()["article"] == "Art. 14"
    made = post(client, url, {"duty": "inspection_patrol", "officer_name": "执法员甲"}, user=hr)
    assert made.status_code == 201 and made.json()["scope"] == "with_officer"
    listed = get(client, url, user=hr).json()
    assert [d["duty"] for d in listed] == ["inspection_patrol"]


def test_a_grade_is_recorded_with_its_reason_only_by_the_agencys_hr(client, hr, approver, on_duty):
    url = f"/api/staff/{on_duty.pk}/grade/"
    assert post(client, url, {"grade": "一级", "reason": "x"}, user=approver).status_code == 400
    made = post(client, url, {"grade": "一级", "reason": "年度考核优秀"}, user=hr)
    assert made.status_code == 201 and made.json()["grade_after"] == "一级"
    assert get(client, url, user=hr).json()[0]["reason"] == "年度考核优秀"


def test_an_hr_officer_issues_the_members_sign_in_over_the_api(client, hr, approver, on_duty):
    url = f"/api/staff/{on_duty.pk}/sign-in/"
    assert post(client, url, user=approver).status_code == 403
    issued = post(client, url, user=hr)
    assert issued.status_code == 201 and issued["Cache-Control"] == "no-store"
    body = issued.json()
    assert client.login(username=body["username"], password=body["password"])


def test_the_certificate_pdf_is_served_to_the_agencys_hr(client, hr, approver, on_duty):
    certificate = Certificate.objects.get(staff=on_duty)
    url = f"/api/certificates/{certificate.pk}/pdf/"
    pdf = get(client, url, user=hr)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert get(client, url, user=approver).status_code == 403


def test_the_agency_directory_lists_every_agency_with_its_kind(client, hr, agency, city):
    rows = get(client, "/api/agencies/", user=hr).json()["results"]
    by_code = {row["code"]: row for row in rows}
    assert by_code["LA-CG"]["parent"] == city.pk and by_code["LA-CG"]["may_employ_staff"]
    assert not by_code["LA"]["may_employ_staff"]


def test_the_ranking_puts_the_best_first(client, hr, approver, agency):
    first = case_at_approval(hr, approver, agency, seq=1)
    rows = get(client, "/api/recruitments/ranking/", user=hr).json()
    assert rows[0]["business_key"] == first.business_key and rows[0]["rank"] == 1
    assert rows[0]["total_score"] == 85.0


def test_a_case_is_found_by_its_complaint_receipt_or_key_only_where_visible(
    client, hr, agency, stranger
):
    case = complaint_open(
        agency=agency,
        actor=None,
        complainant_name="",
        complainant_contact="",
        complaint_text="态度恶劣",
    )
    receipt = case.data["receipt_number"]
    found = get(client, "/api/cases/lookup/", user=hr, data={"receipt": receipt})
    assert found.status_code == 200 and found.json()["id"] == case.pk
    by_key = get(client, "/api/cases/lookup/", user=hr, data={"key": case.business_key})
    assert by_key.json()["id"] == case.pk
    assert (
        get(client, "/api/cases/lookup/", user=stranger, data={"receipt": receipt}).status_code
        == 404
    )
    assert get(client, "/api/cases/lookup/", user=hr).status_code == 400


def test_a_case_gives_its_timers_and_task_deadlines(client, hr, agency):
    from webapp.cases.openings import recruitment_open

    from .flows import TO_APPROVAL, application, drive

    case = recruitment_open(user=hr, fields=application(agency, 3))
    drive(case, TO_APPROVAL, hr, None)
    body = get(client, f"/api/cases/{case.pk}/", user=hr).json()
    assert [t["bpmn_id"] for t in body["timers"]] == ["public_notice"]
    assert body["timers"][0]["due_at"][:16] == body["wake_at"][:16]
    complaint = complaint_open(
        agency=agency, actor=None, complainant_name="", complainant_contact="", complaint_text="差"
    )
    tasks = get(client, f"/api/cases/{complaint.pk}/", user=hr).json()["open_tasks"]
    assert tasks and all(t["due_at"] for t in tasks)


def test_integrity_runs_start_and_report_over_the_api(client, auditor, hr, approver, agency):
    case_at_approval(hr, approver, agency)
    run = post(client, "/api/integrity-runs/", user=auditor)
    assert run.status_code == 201
    body = run.json()
    assert body["status"] == "succeeded" and body["checked"] == 1 and body["breaks"] == []
    assert (
        get(client, f"/api/integrity-runs/{body['id']}/", user=auditor).json()["id"] == body["id"]
    )
    assert get(client, f"/api/integrity-runs/{body['id']}/", user=hr).status_code == 404


def test_the_report_comes_as_json_with_every_section(client, auditor, hr, agency):
    report = get(client, "/api/reports/", user=auditor, data={"year": timezone.localdate().year})
    assert report.status_code == 200
    keys = [s["key"] for s in report.json()["sections"]]
    assert "headcount" in keys and "supervision" in keys
    bad = get(client, "/api/reports/", user=auditor, data={"date_from": "2026-05-01"})
    assert bad.status_code == 400


def test_the_justice_bureau_orders_a_correction_over_the_api(client, city, agency, hr):
    justice = _user("justice", city, Role.JUSTICE_BUREAU)
    Grant.objects.create(user=justice, agency=city)
    body = {
        "agency": agency.pk,
        "order_findings": "辅助人员单独调查取证",
        "correction_deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }
    made = post(client, "/api/correction-orders/", body, user=justice)
    assert made.status_code == 201 and made.json()["process"] == "correction_order"
    assert made.json()["timers"][0]["bpmn_id"] == "correction_deadline_passed"
    assert post(client, "/api/correction-orders/", body, user=hr).json()["article"] == "Art. 22"
    filing = {
        "agency": agency.pk,
        "measures_title": "细则",
        "measures_text": "全文",
        "measures_adopted_on": "2026-03-01",
    }
    assert post(client, "/api/measures-filings/", filing, user=hr).status_code == 201


def test_a_member_reads_their_record_and_appeals_over_the_api(client, agency, hr, approver):
    staff, _ = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    from webapp.cases.openings import case_open_for_staff

    from .flows import drive

    assessment = case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    drive(
        assessment,
        [("rate_member", POOR), ("confirm_grade", {"decision": "approve"})],
        hr,
        approver,
    )
    user = member_account_ensure(staff).user
    record = get(client, "/api/me/", user=user).json()
    assert record["name"] == staff.name and record["certificate"]["number"]
    assert record["appealable"][0]["case"] == assessment.pk
    made = post(
        client, "/api/me/appeals/", {"decision": assessment.pk, "reason": "不服"}, user=user
    )
    assert made.status_code == 201 and made.json()["process"] == "appeal"
    again = post(client, "/api/me/appeals/", {"decision": assessment.pk, "reason": "再"}, user=user)
    assert again.status_code == 400 and again.json()["fields"] == {
        "decision": again.json()["message"]
    }
    told = post(client, "/api/me/suggestions/", {"text": "建议"}, user=user)
    assert told.status_code == 201
    assert get(client, "/api/me/", user=hr).status_code == 404


def test_an_administrator_manages_users_roles_and_tokens_without_a_browser(client, agency, hr):
    admin = get_user_model().objects.create_superuser("root", password="x" * 12)
    made = post(
        client, "/api/admin/users/", {"username": "hr_new", "last_name": "新人"}, user=admin
    )
    assert made.status_code == 201
    user_id = made.json()["id"]
    role = post(
        client,
        "/api/admin/memberships/",
        {"user": user_id, "agency": agency.pk, "role": "hr_officer"},
        user=admin,
    )
    assert role.status_code == 201
    assert Membership.objects.filter(user_id=user_id, role="hr_officer").exists()
    twice = post(
        client,
        "/api/admin/memberships/",
        {"user": user_id, "agency": agency.pk, "role": "hr_officer"},
        user=admin,
    )
    assert twice.status_code == 409
    token = post(client, f"/api/admin/users/{user_id}/token/", user=admin).json()["token"]
    mine = client.get("/api/inbox/", HTTP_AUTHORIZATION=f"Token {token}")
    assert mine.status_code == 200
    assert client.delete(f"/api/admin/users/{user_id}/token/", **auth(admin)).status_code == 204
    assert client.get("/api/inbox/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
    locked = client.patch(
        f"/api/admin/users/{user_id}/",
        {"is_active": False},
        content_type="application/json",
        **auth(admin),
    )
    assert locked.json()["is_active"] is False
    removed = client.delete(f"/api/admin/memberships/{role.json()['id']}/", **auth(admin))
    assert removed.status_code == 204
    assert AuditEntry.objects.filter(action="api_token", target="hr_new").exists()
    assert AuditEntry.objects.filter(action="api_token_revoked").exists()
    assert get(client, "/api/admin/users/", user=hr).status_code == 403
    assert not Token.objects.filter(user_id=user_id).exists()


def test_an_api_address_with_a_line_break_is_a_json_404(client, hr):
    answer = client.patch("/api/admin/users/%0Ax/", {}, content_type="application/json", **auth(hr))
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
