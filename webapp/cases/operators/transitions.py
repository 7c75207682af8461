"""Operators that move a member through the lifecycle: hire, certify, suspend, separate...

Each makes its django-fsm transition under a row lock inside the case step's
transaction, and tells the case history what changed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed

from processes.errors import OperatorRefused
from processes.operators import OperatorCall
from webapp.records.quota import assert_within_quota
from webapp.staff import lifecycle
from webapp.staff.accounts import member_account_ensure
from webapp.staff.models import Staff

from .context import Effect, OperatorSpec, record_effect, subject_of

TRANSITION_LABELS = {
    "hire": gettext_lazy("hire"),
    "reject": gettext_lazy("record as not hired"),
    "certify": gettext_lazy("certify and put on duty"),
    "suspend": gettext_lazy("suspend"),
    "reinstate": gettext_lazy("reinstate"),
    "separate": gettext_lazy("separate"),
    "dismiss": gettext_lazy("dismiss"),
}


def _transition(call: OperatorCall, method: str, articles: str) -> Staff:
    staff: Staff = Staff.objects.select_for_update().get(pk=subject_of(call).pk)
    before = staff.get_state_display()
    try:
        getattr(staff, method)()
    except TransitionNotAllowed:
        raise OperatorRefused(
            _("%(name)s is %(state)s; this step cannot apply “%(action)s” to them.")
            % {"name": staff.name, "state": before, "action": TRANSITION_LABELS.get(method, method)}
        ) from None
    staff.save()
    call.context.case.subject = staff
    call.context.effects.append(
        Effect(
            kind="staff_state",
            title=_("%(name)s: %(before)s → %(after)s")
            % {"name": staff.name, "before": before, "after": staff.get_state_display()},
            articles=articles,
            data={"staff": staff.pk, "state": staff.state},
        )
    )
    return staff


def _as_date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _contract_term(call: OperatorCall) -> tuple[date | None, date | None]:
    """The contract's start and end; refused (on ``contract_end``) unless it ends after it
    starts, as the contract form says (Art. 9)."""
    start = _as_date(call.params.get("contract_start"))
    end = _as_date(call.params.get("contract_end"))
    if start is not None and end is not None and end <= start:
        raise OperatorRefused(
            _(
                "The contract must end after it starts (Art. 9): it starts on %(start)s and "
                "ends on %(end)s."
            )
            % {"start": start, "end": end},
            field="contract_end",
        )
    return start, end


def staff_hire(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    start, end = _contract_term(call)
    assert_within_quota(staff.agency)  # Art. 8, 9: no hire beyond the approved plan and quota
    staff = _transition(call, "hire", "Art. 9, Art. 10")
    staff.employment_mode = call.params.get("employment_mode") or ""
    staff.dispatch_company = call.params.get("dispatch_company") or ""
    staff.contract_start = start
    staff.contract_end = end
    # Art. 16: staff join social insurance and the housing fund on hiring.
    staff.social_insurance = True
    staff.housing_fund = True
    staff.save()
    # Art. 12: the member's own account, to see their record, suggest and appeal.
    member_account_ensure(staff)
    return {"staff": staff.pk, "state": staff.state}


def staff_reject(call: OperatorCall) -> dict[str, Any]:
    staff = _transition(call, "reject", "Art. 10, Art. 11")
    reason = str(call.params.get("reason") or "")
    call.context.case.outcome = reason[:200]
    return {"staff": staff.pk, "state": staff.state, "reason": reason}


def certificate_issue(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    if staff.state != "hired":
        raise OperatorRefused(
            _(
                "Only a member who passed pre-job training can receive a certificate; "
                "%(name)s is %(state)s (Art. 19)."
            )
            % {"name": staff.name, "state": staff.get_state_display()}
        )
    certificate = lifecycle.certificate_issue(staff)
    staff = _transition(call, "certify", "Art. 19")
    record_effect(
        call,
        _("Certificate %(number)s issued") % {"number": certificate.number},
        "Art. 19",
        number=certificate.number,
    )
    call.context.case.outcome = certificate.number
    return {"number": certificate.number, "staff": staff.pk, "state": staff.state}


def marks_issue(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    if staff.state != "on_duty":
        raise OperatorRefused(_("Marks are issued only to members on duty (Art. 21)."))
    kinds = list(call.params.get("kinds") or ["badge", "armband"])
    marks = lifecycle.marks_issue(staff, kinds)
    record_effect(
        call, _("Marks issued: %(kinds)s") % {"kinds": ", ".join(kinds)}, "Art. 21", marks=kinds
    )
    return {"marks": [m.kind for m in marks]}


def staff_suspend(call: OperatorCall) -> dict[str, Any]:
    staff = _transition(call, "suspend", "Art. 23")
    held = lifecycle.certificate_in_force(staff)
    if held is not None and held.state == "issued":
        held.suspend()
        held.save()
    return {"state": staff.state}


def member_reinstate(call: OperatorCall, articles: str) -> Staff:
    """Back on duty with their certificate valid again, citing ``articles`` (a decision's
    end, Art. 23, or an upheld appeal, Art. 12)."""
    staff = _transition(call, "reinstate", articles)
    held = lifecycle.certificate_in_force(staff)
    if held is not None and held.state == "suspended":
        held.restore()
        held.save()
    return staff


def staff_reinstate(call: OperatorCall) -> dict[str, Any]:
    return {"state": member_reinstate(call, "Art. 23").state}


def recovery_record(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    recovery = lifecycle.recovery_record(
        staff,
        certificate=bool(call.params.get("certificate_returned")),
        badge=bool(call.params.get("badge_returned")),
        armband=bool(call.params.get("armband_returned")),
    )
    title = (
        _("Certificate and marks recovered")
        if recovery.complete
        else _("Still to be handed back: %(items)s")
        % {"items": lifecycle.item_labels(recovery.missing)}
    )
    record_effect(call, title, "Art. 21", complete=recovery.complete, missing=recovery.missing)
    return {"complete": recovery.complete, "missing": recovery.missing}


def _leave(call: OperatorCall, method: str, articles: str, *, revoke: bool) -> dict[str, Any]:
    staff = subject_of(call)
    lifecycle.assert_recovered(staff)  # Art. 21
    staff = _transition(call, method, articles)
    closed = lifecycle.close_certificate(staff, revoke=revoke)
    reason = str(call.params.get("reason") or "")
    call.context.case.outcome = reason[:200]
    return {"state": staff.state, "certificate": closed.number if closed else None}


def staff_separate(call: OperatorCall) -> dict[str, Any]:
    return _leave(call, "separate", "Art. 20, Art. 21", revoke=False)


def staff_dismiss(call: OperatorCall) -> dict[str, Any]:
    article = str(call.params.get("article") or "Art. 23")
    return _leave(call, "dismiss", f"{article}, Art. 21", revoke=True)


def contract_renew(call: OperatorCall) -> dict[str, Any]:
    staff: Staff = Staff.objects.select_for_update().get(pk=subject_of(call).pk)
    new_end = _as_date(call.params.get("contract_end"))
    if new_end is None or (staff.contract_end is not None and new_end <= staff.contract_end):
        raise OperatorRefused(
            _("The renewed contract must end after the current one (%(end)s).")
            % {"end": staff.contract_end}
        )
    old_end = staff.contract_end
    staff.contract_end = new_end
    staff.save(update_fields=["contract_end", "updated_at"])
    record_effect(
        call,
        _("Contract renewed until %(end)s") % {"end": new_end},
        "Art. 20",
        **{"from": str(old_end), "to": str(new_end)},
    )
    call.context.case.outcome = _("Renewed until %(end)s") % {"end": new_end}
    return {"contract_end": new_end.isoformat()}


OPERATORS: tuple[OperatorSpec, ...] = (
    ("staff_hire", staff_hire, "Hire the applicant (Art. 9, 10, 11)"),
    ("staff_reject", staff_reject, "Record that the applicant is not hired"),
    ("certificate_issue", certificate_issue, "Issue the certificate, put on duty (Art. 19)"),
    ("marks_issue", marks_issue, "Issue badge and armband (Art. 21)"),
    ("staff_suspend", staff_suspend, "Suspend the member and the certificate"),
    ("staff_reinstate", staff_reinstate, "Reinstate a suspended member"),
    ("recovery_record", recovery_record, "Record certificate and marks handed back"),
    ("staff_separate", staff_separate, "Separation: resignation, contract end..."),
    ("staff_dismiss", staff_dismiss, "Dismissal; the certificate is revoked (Art. 23)"),
    ("contract_renew", contract_renew, "Renew the contract (Art. 9, 20)"),
)
