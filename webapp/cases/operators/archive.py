"""Operators that write the archive (一人一档): assessments, commendations, plans...

Each row points back to the case whose step decided it (webapp.records.models).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from processes.errors import OperatorRefused
from processes.operators import OperatorCall
from webapp.records.models import (
    Assessment,
    Commendation,
    ComplaintRecord,
    DisciplineRecord,
    Grade,
    LiabilityRecord,
    UsagePlan,
)
from webapp.records.quota import quota_check

from .context import OperatorSpec, choice_label, record_effect, subject_of


def _money(value: Any) -> Decimal:
    try:
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise OperatorRefused(
            _("%(value)r is not an amount of money.") % {"value": value}
        ) from None


def assessment_record(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    year = int(call.params.get("year") or 0)
    grade = str(call.params.get("grade") or "")
    if grade not in Grade.values:
        raise OperatorRefused(
            _("%(grade)r is not an assessment grade (Art. 20).") % {"grade": grade}
        )
    if Assessment.objects.filter(staff=staff, year=year).exists():
        raise OperatorRefused(
            _("%(name)s already has an assessment for %(year)d (Art. 20).")
            % {"name": staff.name, "year": year}
        )
    record = Assessment.objects.create(
        staff=staff,
        year=year,
        grade=grade,
        remarks=str(call.params.get("remarks") or ""),
        case=call.context.case,
    )
    label = record.get_grade_display()
    record_effect(
        call, _("Assessment %(year)d: %(grade)s") % {"year": year, "grade": label}, "Art. 20"
    )
    call.context.case.outcome = f"{year} {label}"
    return {"assessment": record.pk, "grade": grade}


def commendation_record(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    record = Commendation.objects.create(
        staff=staff,
        # The model passes its choices' codes; the archive keeps their names.
        title=choice_label(call, "commendation_title", call.params.get("title"))[:60],
        level=choice_label(call, "commendation_level", call.params.get("level"))[:30],
        reason=str(call.params.get("reason") or ""),
        case=call.context.case,
    )
    record_effect(call, _("Commended: %(title)s") % {"title": record.title}, "Art. 17")
    call.context.case.outcome = record.title
    return {"commendation": record.pk}


def discipline_record(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    breaches = [int(item) for item in call.params.get("breaches") or []]
    record = DisciplineRecord.objects.create(
        staff=staff,
        breaches=breaches,
        decision=str(call.params.get("decision") or ""),
        reason=str(call.params.get("reason") or ""),
        case=call.context.case,
    )
    decision = str(record.get_decision_display())
    record_effect(
        call,
        _("Discipline decision: %(decision)s") % {"decision": decision},
        "Art. 15, Art. 23",
        breaches=breaches,
    )
    call.context.case.outcome = decision[:200]
    return {"discipline": record.pk}


def complaint_record(call: OperatorCall) -> dict[str, Any]:
    substantiated = bool(call.params.get("substantiated"))
    record, _created = ComplaintRecord.objects.update_or_create(
        case=call.context.case,
        defaults={
            "receipt_number": str(call.data.get("receipt_number") or ""),
            "substantiated": substantiated,
            "reply": str(call.params.get("reply") or ""),
        },
    )
    record_effect(call, _("Complaint finding recorded"), "Art. 18", substantiated=substantiated)
    return {"complaint": record.pk}


def liability_record(call: OperatorCall) -> dict[str, Any]:
    staff = subject_of(call)
    compensation = _money(call.params.get("compensation"))
    recourse_amount = _money(call.params.get("recourse_amount"))
    if recourse_amount > compensation:
        raise OperatorRefused(_("Recourse cannot exceed the compensation paid (Art. 24)."))
    record = LiabilityRecord.objects.create(
        staff=staff,
        compensation=compensation,
        dispatch_share=_money(call.params.get("dispatch_share")),
        recourse=bool(call.params.get("recourse")),
        recourse_amount=recourse_amount,
        reason=str(call.params.get("reason") or ""),
        case=call.context.case,
    )
    record_effect(call, _("Compensation %(amount)s recorded") % {"amount": compensation}, "Art. 24")
    return {"liability": record.pk}


def usage_plan_check(call: OperatorCall) -> dict[str, Any]:
    return quota_check(call.context.case.agency, int(call.params.get("headcount") or 0))


def usage_plan_record(call: OperatorCall) -> dict[str, Any]:
    agency = call.context.case.agency
    headcount = int(call.params.get("headcount") or 0)
    approved = bool(call.params.get("approved"))
    requirement = str(call.params.get("education_requirement") or "college")
    reason = str(call.params.get("education_requirement_reason") or "").strip()
    if approved and not quota_check(agency, headcount)["within_quota"]:
        raise OperatorRefused(
            _(
                "The plan exceeds the approved headcount of %(agency)s and cannot be approved "
                "(Art. 9)."
            )
            % {"agency": agency.name}
        )
    if requirement != "college" and not reason:
        raise OperatorRefused(
            _("A raised or lowered education requirement must state its reason (Art. 10).")
        )
    plan = UsagePlan.objects.create(
        agency=agency,
        post=str(call.params.get("post") or "")[:60],
        headcount=headcount,
        employment_mode=str(call.params.get("employment_mode") or ""),
        education_requirement=requirement,
        education_requirement_reason=reason[:300],
        approved=approved,
        case=call.context.case,
    )
    title = _("Usage plan approved") if approved else _("Usage plan not approved")
    record_effect(call, f"{title}: {plan.post} ×{headcount}", "Art. 8, Art. 9")
    call.context.case.outcome = str(title)
    return {"plan": plan.pk, "approved": approved}


OPERATORS: tuple[OperatorSpec, ...] = (
    ("assessment_record", assessment_record, "Record the year's assessment (Art. 20)"),
    ("commendation_record", commendation_record, "Record a commendation (Art. 17)"),
    ("discipline_record", discipline_record, "Record a discipline decision (Art. 15, 23)"),
    ("complaint_record", complaint_record, "Record a complaint's finding (Art. 18)"),
    ("liability_record", liability_record, "Record compensation and recourse (Art. 24)"),
    ("usage_plan_check", usage_plan_check, "Compare a plan with the quota (Art. 9)"),
    ("usage_plan_record", usage_plan_record, "Record a usage plan's outcome (Art. 8, 9)"),
)
