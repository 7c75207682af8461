"""Operators of what a member files (Art. 12). An upheld appeal reverses what the decision
did (the grade corrected, the suspension lifted, the separation it opened withdrawn), each
reversal written into the decided case's hash-chained history as well as the appeal's;
either way the outcome is kept in the archive and the member is told. A suggestion's
reply is sent back to the member too."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.errors import OperatorRefused
from processes.operators import OperatorCall
from webapp.accounts.services import notify_user
from webapp.records.models import AppealRecord, Assessment, Grade
from webapp.staff.models import MemberAccount, Staff, StaffState

from ..history import append_event
from ..models import Case, CaseStatus, TaskState
from .context import OperatorSpec, record_effect, subject_of
from .transitions import member_reinstate

ARTICLE = "Art. 12"


def _decided_case(call: OperatorCall, staff: Staff) -> Case:
    """The case whose decision is appealed, locked: it must be about the same member."""
    key = str(call.data.get("decision_case") or "")
    decided = (
        Case.objects.select_for_update(of=("self",)).filter(business_key=key, subject=staff)
    ).first()
    if decided is None:
        raise OperatorRefused(
            _("The appealed decision %(key)s is not about %(name)s (Art. 12).")
            % {"key": key, "name": staff.name}
        )
    return decided


def _save_row(case: Case) -> None:
    """Write a case row that another case's step changed, under its version check."""
    case.update_versioned(
        status=case.status,
        outcome=case.outcome,
        finished_at=case.finished_at,
        wake_at=case.wake_at,
        event_count=case.event_count,
        head_hash=case.head_hash,
    )


def _note(case: Case, appeal: Case, title: str, actor: Any) -> None:
    """One line in the decided case's history saying what the appeal reversed."""
    append_event(
        case,
        kind="appeal_reversal",
        title=title,
        actor=actor,
        comment=_("Appeal %(key)s upheld") % {"key": appeal.business_key},
        articles=ARTICLE,
        data_after={"appeal": appeal.business_key},
    )
    _save_row(case)


def _withdraw_linked_separation(decided: Case, appeal: Case, actor: Any) -> str:
    """The separation the overturned decision opened stops, its tasks withdrawn."""
    opened = (
        Case.objects.select_for_update(of=("self",))
        .filter(parent=decided, definition__process_id="separation")
        .first()
    )
    if opened is None:
        return ""
    if opened.status != CaseStatus.RUNNING:
        return str(
            _("The separation %(key)s had already finished; it is not undone here.")
            % {"key": opened.business_key}
        )
    for task in opened.tasks.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED]):
        task.withdraw()
        task.save()
        append_event(
            opened,
            kind="task_withdrawn",
            title=task.name,
            task=task,
            bpmn_id=task.bpmn_id,
            articles=ARTICLE,
        )
    opened.cancel()
    opened.finished_at = timezone.now()
    opened.wake_at = None
    opened.outcome = str(_("Withdrawn: appeal %(key)s upheld") % {"key": appeal.business_key})[:200]
    title = _("Withdrawn: the appeal %(key)s overturned the decision %(decided)s that opened it")
    append_event(
        opened,
        kind="case_withdrawn",
        title=title % {"key": appeal.business_key, "decided": decided.business_key},
        actor=actor,
        articles=ARTICLE,
    )
    _save_row(opened)
    return str(_("Separation %(key)s withdrawn") % {"key": opened.business_key})


def _correct_grade(call: OperatorCall, decided: Case, appeal: Case) -> tuple[str, str]:
    grade = str(call.params.get("corrected_grade") or "")
    record = Assessment.objects.select_for_update().filter(case=decided).first()
    if record is None:
        raise OperatorRefused(_("The appealed case recorded no assessment (Art. 20)."))
    if grade not in Grade.values or grade == record.grade:
        raise OperatorRefused(
            _("Give the corrected grade, different from %(grade)s (Art. 12, Art. 20).")
            % {"grade": record.get_grade_display()},
            field="corrected_grade",
        )
    before = record.get_grade_display()
    Assessment.objects.filter(pk=record.pk).update(grade=grade)
    after = Grade(grade).label
    title = _("Assessment %(year)d corrected on appeal: %(before)s → %(after)s") % {
        "year": record.year,
        "before": before,
        "after": after,
    }
    _note(decided, appeal, title, call.context.actor)
    record_effect(call, title, f"{ARTICLE}, Art. 20", grade_before=record.grade, grade_after=grade)
    return record.grade, grade


def _lift_suspension(call: OperatorCall, decided: Case, appeal: Case) -> str:
    staff = subject_of(call)
    if staff.state != StaffState.SUSPENDED:
        return ""
    member_reinstate(call, ARTICLE)
    title = _("Suspension lifted on appeal %(key)s") % {"key": appeal.business_key}
    _note(decided, appeal, title, call.context.actor)
    return str(title)


def appeal_uphold(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    appeal = call.context.case
    decided = _decided_case(call, staff)
    reversals: list[str] = []
    before = after = ""
    if call.data.get("decision_kind") == "assessment":
        before, after = _correct_grade(call, decided, appeal)
        reversals.append(f"{before} → {after}")
        if after != Grade.INCOMPETENT:
            reversals.append(_withdraw_linked_separation(decided, appeal, call.context.actor))
    else:
        reversals.append(_lift_suspension(call, decided, appeal))
        reversals.append(_withdraw_linked_separation(decided, appeal, call.context.actor))
        _note(
            decided,
            appeal,
            str(_("Decision revoked on appeal %(key)s") % {"key": appeal.business_key}),
            call.context.actor,
        )
    reversals = [r for r in reversals if r]
    for line in reversals:
        record_effect(call, line, ARTICLE)
    _archive(call, staff, decided, upheld=True, before=before, after=after, reversals=reversals)
    return {"upheld": True, "reversals": reversals}


def appeal_dismiss(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    decided = _decided_case(call, staff)
    _archive(call, staff, decided, upheld=False, before="", after="", reversals=[])
    return {"upheld": False}


def _archive(
    call: OperatorCall,
    staff: Staff,
    decided: Case,
    *,
    upheld: bool,
    before: str,
    after: str,
    reversals: list[str],
) -> None:
    reason = str(call.params.get("reason") or "")
    AppealRecord.objects.create(
        staff=staff,
        decision_case=decided,
        upheld=upheld,
        reason=reason,
        grade_before=before,
        grade_after=after,
        reversals=reversals,
        case=call.context.case,
    )
    outcome = _("Appeal upheld") if upheld else _("Appeal dismissed; the decision stands")
    record_effect(call, str(outcome), ARTICLE, upheld=upheld)
    call.context.case.outcome = str(outcome)
    _tell_member(call, staff, f"{outcome}：{call.context.case.business_key}", reason)


def _tell_member(call: OperatorCall, staff: Staff, title: str, body: str) -> bool:
    """An in-app notice (and mail, if they gave an address) on the member's own account."""
    account = MemberAccount.objects.filter(staff=staff).select_related("user").first()
    if account is None:
        return False
    url = reverse("member:case", kwargs={"case_id": call.context.case.pk})
    notify_user(account.user, title=title, body=body, url=url)
    return True


def member_notify(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    title = str(call.params.get("title") or "")[:200]
    told = _tell_member(call, staff, title, str(call.params.get("body") or ""))
    record_effect(
        call, _("The member was told: %(title)s") % {"title": title}, ARTICLE, notified=told
    )
    return {"notified": told}


OPERATORS: tuple[OperatorSpec, ...] = (
    ("appeal_uphold", appeal_uphold, "Uphold an appeal and reverse the decision (Art. 12)"),
    ("appeal_dismiss", appeal_dismiss, "Dismiss an appeal; the decision stands (Art. 12)"),
    ("member_notify", member_notify, "Tell the member on their own account (Art. 12)"),
)
