"""The member's own rights (Art. 12): an account from hiring with a first-sign-in password
change, their own record and nothing of anyone else's, appeals reviewed by someone who took
no part in the decision and reversed in the history when upheld, suggestions answered."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.fixtures import _user
from webapp.accounts.models import Notification
from webapp.accounts.roles import Role
from webapp.cases.history import verify_case
from webapp.cases.member_filings import appeal_open
from webapp.cases.models import Case, CaseEvent, HumanTask
from webapp.cases.openings import case_open_for_staff
from webapp.cases.services import task_claim, task_complete
from webapp.cases.subjects import startable_processes
from webapp.errors import NotPermitted, StepRefused
from webapp.records.models import AppealRecord, Assessment
from webapp.security.member_access import member_password_issue
from webapp.security.models import AuditEntry
from webapp.staff.accounts import member_account_ensure
from webapp.staff.models import Certificate, MemberAccount, StaffState

from .flows import APPROVE, CONTRACT, case_at_approval, drive, open_task
from .test_consequences import NO_BREACH, POOR, trained

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "my-own-Pass-2026"


@pytest.fixture(autouse=True)
def _deployed(models_deployed: Any) -> Any:
    return models_deployed


@pytest.fixture
def legal_two(agency: Any) -> Any:
    return _user("legal_two", agency, Role.LEGAL_REVIEWER)


def signed_in_member(client: Any, staff: Any, hr: Any) -> Any:
    """The member signs in with the one-time password and chooses their own."""
    issued = member_password_issue(staff=staff, actor=hr)
    assert client.login(username=issued.username, password=issued.password)
    client.post(
        reverse("member:password"),
        {
            "old_password": issued.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    return MemberAccount.objects.get(staff=staff).user


def test_hiring_makes_the_members_account_with_no_password_yet(hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    drive(case, [("approve_hire", APPROVE), ("sign_contract", CONTRACT)], hr, approver)
    account = MemberAccount.objects.get(staff=case.subject)
    assert account.must_change_password
    assert not account.user.has_usable_password()
    assert account.user.username == f"fz{case.subject_id:06d}"
    assert not account.user.memberships.exists()


def test_the_first_sign_in_must_change_the_one_time_password(client, hr, agency, approver):
    staff, _case = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    client.force_login(hr)
    page = client.post(reverse("staff:sign_in_issue", args=[staff.pk]))
    username = page.context["issued"].username
    password = page.context["issued"].password
    assert page["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action="member_sign_in_issued", target=username).exists()
    client.logout()
    assert client.login(username=username, password=password)
    for address in (reverse("member:home"), reverse("inbox:index"), "/api/staff/"):
        assert client.get(address)["Location"] == reverse("member:password"), address
    changed = client.post(
        reverse("member:password"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert not MemberAccount.objects.get(staff=staff).must_change_password
    home = client.get(reverse("home"), follow=True)
    assert home.status_code == 200 and home.context["staff"] == staff


def test_only_the_members_hr_officer_issues_their_sign_in(agency, hr, approver, stranger):
    staff, _ = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    for outsider in (approver, stranger):
        with pytest.raises(NotPermitted):
            member_password_issue(staff=staff, actor=outsider)


def test_a_member_sees_their_record_and_certificate_qr_and_nothing_of_others(
    client, agency, hr, approver
):
    trainer = _user("t", agency, Role.TRAINER)
    staff, training = trained(agency, hr, approver, trainer)
    other = case_at_approval(hr, approver, agency, seq=9)
    signed_in_member(client, staff, hr)
    home = client.get(reverse("member:home"))
    body = home.content.decode()
    certificate = Certificate.objects.get(staff=staff)
    assert certificate.number in body and training.business_key in body
    assert other.subject.name not in body
    qr = client.get(reverse("member:certificate_qr"))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert client.get(reverse("member:case", args=[training.pk])).status_code == 200
    assert client.get(reverse("member:case", args=[other.pk])).status_code == 404
    assert client.get(reverse("staff:detail", args=[other.subject_id])).status_code == 404
    assert client.get(reverse("staff:detail", args=[staff.pk])).status_code == 404
    assert client.get(reverse("cases:detail", args=[training.pk])).status_code == 404
    assert client.get("/api/staff/").json()["count"] == 0
    assert client.get("/api/cases/").json()["count"] == 0


def _failed_assessment(agency: Any, hr: Any, approver: Any) -> tuple[Any, Case]:
    staff, _ = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    assessment = case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    drive(
        assessment,
        [("rate_member", POOR), ("confirm_grade", {"decision": "approve"})],
        hr,
        approver,
    )
    staff.refresh_from_db()
    return staff, Case.objects.get(pk=assessment.pk)


def test_an_upheld_grade_appeal_corrects_the_grade_and_withdraws_the_separation(
    agency, hr, approver, colleague, legal
):
    staff, assessment = _failed_assessment(agency, hr, approver)
    separation = Case.objects.get(parent=assessment)
    assert separation.tasks.filter(state="open").exists()
    user = member_account_ensure(staff).user
    appeal = appeal_open(user=user, decision_case_id=assessment.pk, reason="评分与事实不符")
    assert appeal.data["decision_kind"] == "assessment"
    task_complete(
        task_id=open_task(appeal, "legal_review_appeal").pk,
        user=legal,
        data={"appeal_legal_finding": "well_founded", "appeal_legal_opinion": "评分依据不足"},
    )
    decision = open_task(appeal, "decide_grade_appeal")
    # The approver who confirmed the failed grade took part in it: someone else decides.
    with pytest.raises(NotPermitted) as recused:
        task_claim(task_id=decision.pk, user=approver)
    assert recused.value.article == "Art. 12" and assessment.business_key in recused.value.message
    task_complete(
        task_id=decision.pk,
        user=colleague,
        data={
            "grade_appeal_upheld": True,
            "corrected_grade": "competent",
            "grade_appeal_reason": "考核评分有误",
        },
    )
    appeal.refresh_from_db()
    assert appeal.status == "completed"
    assert Assessment.objects.get(case=assessment).grade == "competent"
    separation.refresh_from_db()
    assert separation.status == "cancelled"
    assert not separation.tasks.filter(state__in=["open", "claimed"]).exists()
    reversal = CaseEvent.objects.get(case=assessment, kind="appeal_reversal")
    assert reversal.articles == "Art. 12" and appeal.business_key in reversal.comment
    withdrawn = CaseEvent.objects.get(case=separation, kind="case_withdrawn")
    assert withdrawn.articles == "Art. 12"
    for case in (assessment, separation, appeal):
        assert verify_case(Case.objects.get(pk=case.pk)) == []
    record = AppealRecord.objects.get(case=appeal)
    assert record.upheld and record.grade_before == "incompetent"
    assert Notification.objects.filter(user=user, title__contains=appeal.business_key).exists()


def test_an_upheld_discipline_appeal_lifts_the_suspension_and_the_separation(
    agency, hr, approver, colleague, legal, legal_two
):
    staff, _ = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    discipline = case_open_for_staff(process_id="discipline", staff=staff, actor=hr)
    drive(
        discipline,
        [
            ("record_report", {"report_source": "inspection", "report_summary": "执法检查发现"}),
            (
                "investigate",
                {**NO_BREACH, "breach_drinking": True, "investigation_findings": "酒后上岗"},
            ),
            ("legal_review", {"legal_opinion": "lawful"}),
            ("decide", {"discipline_decision": "termination", "discipline_reason": "情节严重"}),
            ("notify_member", {"member_notified_on": "2026-12-15"}),
        ],
        hr,
        approver,
        other=legal,
    )
    staff.refresh_from_db()
    assert staff.state == StaffState.SUSPENDED
    separation = Case.objects.get(parent=discipline)
    user = member_account_ensure(staff).user
    appeal = appeal_open(user=user, decision_case_id=discipline.pk, reason="当日并未饮酒")
    legal_task = open_task(appeal, "legal_review_appeal")
    with pytest.raises(NotPermitted):  # the legal reviewer of the decision stands aside too
        task_complete(
            task_id=legal_task.pk,
            user=legal,
            data={"appeal_legal_finding": "unfounded", "appeal_legal_opinion": "x"},
        )
    task_complete(
        task_id=legal_task.pk,
        user=legal_two,
        data={"appeal_legal_finding": "well_founded", "appeal_legal_opinion": "证据不足"},
    )
    task_complete(
        task_id=open_task(appeal, "decide_discipline_appeal").pk,
        user=colleague,
        data={"discipline_appeal_upheld": True, "discipline_appeal_reason": "证据不足以认定"},
    )
    staff.refresh_from_db()
    assert staff.state == StaffState.ON_DUTY
    assert Certificate.objects.get(staff=staff).state == "issued"
    assert Case.objects.get(pk=separation.pk).status == "cancelled"
    events = CaseEvent.objects.filter(case=discipline, kind="appeal_reversal")
    assert events.count() == 2 and {e.articles for e in events} == {"Art. 12"}
    assert CaseEvent.objects.filter(case=appeal, kind="staff_state", articles="Art. 12").exists()


def test_a_dismissed_appeal_leaves_the_decision_and_tells_the_member(
    agency, hr, approver, colleague, legal
):
    staff, assessment = _failed_assessment(agency, hr, approver)
    user = member_account_ensure(staff).user
    appeal = appeal_open(user=user, decision_case_id=assessment.pk, reason="不服")
    drive(
        appeal,
        [
            (
                "legal_review_appeal",
                {"appeal_legal_finding": "unfounded", "appeal_legal_opinion": "依据充分"},
            )
        ],
        hr,
        colleague,
        other=legal,
    )
    drive(
        appeal,
        [("decide_grade_appeal", {"grade_appeal_upheld": False, "grade_appeal_reason": "维持"})],
        hr,
        colleague,
    )
    assert Assessment.objects.get(case=assessment).grade == "incompetent"
    assert Case.objects.get(parent=assessment).status == "running"
    assert not AppealRecord.objects.get(case=appeal).upheld
    assert Notification.objects.filter(user=user).exists()


def test_a_late_appeal_is_refused_by_the_models_period_and_leaves_nothing(agency, hr, approver):
    staff, assessment = _failed_assessment(agency, hr, approver)
    Assessment.objects.filter(case=assessment).update(
        recorded_at=timezone.now() - timedelta(days=31)
    )
    user = member_account_ensure(staff).user
    with pytest.raises(StepRefused) as refused:
        appeal_open(user=user, decision_case_id=assessment.pk, reason="不服")
    assert refused.value.article == "Art. 12"
    assert refused.value.message.startswith("申诉已超过期限")
    assert not Case.objects.filter(definition__process_id="appeal").exists()


def test_a_decision_is_appealed_once_and_only_by_its_member(agency, hr, approver):
    staff, assessment = _failed_assessment(agency, hr, approver)
    user = member_account_ensure(staff).user
    appeal_open(user=user, decision_case_id=assessment.pk, reason="不服")
    with pytest.raises(StepRefused) as twice:
        appeal_open(user=user, decision_case_id=assessment.pk, reason="再次申诉")
    assert twice.value.field == "decision"
    with pytest.raises(NotPermitted):
        appeal_open(user=hr, decision_case_id=assessment.pk, reason="代为申诉")
    with pytest.raises(NotPermitted):
        case_open_for_staff(process_id="appeal", staff=staff, actor=hr)
    assert "appeal" not in {p for p, _n in startable_processes(staff)}


def test_a_suggestion_reaches_the_agencys_inbox_and_the_reply_comes_back(
    client, agency, hr, approver
):
    staff, _ = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    user = signed_in_member(client, staff, hr)
    page = client.post(reverse("member:suggestion_new"), {"text": "建议增加夜间巡查轮班"})
    case = Case.objects.get(definition__process_id="suggestion")
    assert page["Location"] == reverse("member:case", args=[case.pk])
    task = HumanTask.objects.get(case=case, state="open")
    assert task.role == Role.APPROVER and task.agency == agency
    task_complete(
        task_id=task.pk,
        user=approver,
        data={"suggestion_adoption": "adopted", "suggestion_reply": "已采纳，下月起实行"},
    )
    assert Notification.objects.filter(user=user, url=reverse("member:case", args=[case.pk]))
    shown = client.get(reverse("member:case", args=[case.pk])).content.decode()
    assert "已采纳，下月起实行" in shown and "建议增加夜间巡查轮班" in shown


def test_the_appeal_page_files_an_appeal_and_marks_a_missing_reason(client, agency, hr, approver):
    staff, assessment = _failed_assessment(agency, hr, approver)
    signed_in_member(client, staff, hr)
    empty = client.post(reverse("member:appeal_new"), {"decision": assessment.pk, "reason": ""})
    assert empty.status_code == 400 and "reason" in empty.context["form"].errors
    filed = client.post(
        reverse("member:appeal_new"), {"decision": assessment.pk, "reason": "评分有误"}
    )
    appeal = Case.objects.get(definition__process_id="appeal")
    assert filed["Location"] == reverse("member:case", args=[appeal.pk])
    assert appeal.subject == staff and appeal.started_by.member_account.staff == staff
