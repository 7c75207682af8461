"""Cases a member opens about themselves (Art. 12): an appeal against a yearly grade or a
disciplinary decision, and a suggestion to their agency.

The member is whoever owns the signed-in account (``webapp.staff.accounts``); they can
file only about themselves and only against a decision about them. Whether an appeal is
in time is the model's rule (``bpmn/appeal``), so the period is model data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.errors import NotPermitted, StepRefused
from webapp.records.models import Assessment, DisciplineRecord
from webapp.staff.accounts import member_of
from webapp.staff.models import Staff

from .models import Case, CaseEvent, CaseRecusal
from .services import case_start_about

APPEAL = "appeal"
SUGGESTION = "suggestion"
MAX_TEXT = 2000
# Discipline outcomes a member may appeal: every decision against them.
APPEALABLE_DISCIPLINE = frozenset({"criticism", "termination", "judicial"})


@dataclass(frozen=True)
class Appealable:
    """A decision about the member that an appeal may be filed against (Art. 12, 20, 23)."""

    case: Case
    kind: str  # "assessment" | "discipline"
    summary: str
    decided_on: date
    appeal: Case | None  # the appeal already filed against it, if any


def member_or_refuse(user: Any) -> Staff:
    staff = member_of(user)
    if staff is None:
        raise NotPermitted(_("Only a member of staff can do this, about themselves (Art. 12)."))
    return staff


def appealable_decisions(staff: Staff) -> list[Appealable]:
    """The member's yearly grades and disciplinary decisions, newest first, each with the
    appeal already filed against it."""
    appeals = {
        str(case.data.get("decision_case")): case
        for case in Case.objects.filter(definition__process_id=APPEAL, subject=staff)
    }
    found: list[Appealable] = []
    for assessment in Assessment.objects.filter(staff=staff).select_related("case"):
        summary = _("Assessment %(year)d: %(grade)s") % {
            "year": assessment.year,
            "grade": assessment.get_grade_display(),
        }
        found.append(_appealable(assessment.case, "assessment", summary, assessment, appeals))
    records = DisciplineRecord.objects.filter(staff=staff, decision__in=APPEALABLE_DISCIPLINE)
    for record in records.select_related("case"):
        summary = _("Discipline decision: %(reason)s") % {"reason": record.reason[:80]}
        found.append(_appealable(record.case, "discipline", summary, record, appeals))
    return sorted(found, key=lambda item: item.decided_on, reverse=True)


def _appealable(
    case: Case, kind: str, summary: str, record: Any, appeals: dict[str, Case]
) -> Appealable:
    decided = timezone.localdate(record.recorded_at)
    return Appealable(case, kind, str(summary), decided, appeals.get(case.business_key))


def appeal_open(*, user: Any, decision_case_id: int, reason: str) -> Case:
    """The member appeals a decision about them (Art. 12). Nobody who took part in that
    decision may act on the appeal (``CaseRecusal``); a late appeal is refused by the
    model's period rule and leaves nothing behind."""
    staff = member_or_refuse(user)
    decision = next((d for d in appealable_decisions(staff) if d.case.pk == decision_case_id), None)
    if decision is None:
        raise StepRefused(
            _("Choose a yearly grade or a disciplinary decision about you (Art. 12)."),
            article="Art. 12",
            field="decision",
        )
    if decision.appeal is not None:
        raise StepRefused(
            _("You have already appealed this decision (%(key)s) (Art. 12).")
            % {"key": decision.appeal.business_key},
            article="Art. 12",
            field="decision",
        )
    data = {
        "decision_kind": decision.kind,
        "decision_case": decision.case.business_key,
        "decision_summary": decision.summary,
        "decision_date": decision.decided_on.isoformat(),
        "appeal_reason": _text_or_refuse(reason, "reason"),
    }
    with transaction.atomic():
        case = case_start_about(process_id=APPEAL, staff=staff, actor=user, data=data)
        _recuse_deciders(case, decision.case)
    return case


def _recuse_deciders(appeal: Case, decided: Case) -> None:
    """Everyone who opened or acted in the decided case stands aside from the appeal."""
    actors = set(
        CaseEvent.objects.filter(case=decided, actor__isnull=False).values_list(
            "actor_id", flat=True
        )
    )
    if decided.started_by_id:
        actors.add(decided.started_by_id)
    reason = _("took part in the decision %(key)s under appeal") % {"key": decided.business_key}
    CaseRecusal.objects.bulk_create(
        [CaseRecusal(case=appeal, user_id=actor, reason=reason) for actor in sorted(actors)]
    )


def suggestion_open(*, user: Any, text: str) -> Case:
    """The member makes a suggestion to their agency (Art. 12); it reaches the agency's
    inbox, and the reply comes back to the member."""
    staff = member_or_refuse(user)
    data = {"suggestion_text": _text_or_refuse(text, "text")}
    return case_start_about(process_id=SUGGESTION, staff=staff, actor=user, data=data)


def _text_or_refuse(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise StepRefused(_("This field is required."), article="Art. 12", field=field)
    if len(text) > MAX_TEXT:
        raise StepRefused(
            _("Enter at most %(limit)s characters.") % {"limit": MAX_TEXT},
            article="Art. 12",
            field=field,
        )
    return text
