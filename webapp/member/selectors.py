"""What a member sees of their own record (Art. 12, Art. 18): their archive, certificate,
grades, training, duties and the cases about them; never anything of another member, and
of a case only its course and the decisions about them (no complainant's identity or
other personal data, Art. 15(4))."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from webapp.cases.definitions import parsed
from webapp.cases.member_filings import appealable_decisions
from webapp.cases.models import Case, CaseEvent
from webapp.cases.presenters import case_facts
from webapp.staff.accounts import member_of
from webapp.staff.lifecycle import certificate_in_force
from webapp.staff.models import Certificate, Staff

# The data of a case its member reads: their own words and the decisions about them.
MEMBER_FACTS: dict[str, tuple[str, ...]] = {
    "appeal": (
        "decision_summary",
        "appeal_reason",
        "appeal_legal_finding",
        "grade_appeal_upheld",
        "corrected_grade",
        "grade_appeal_reason",
        "discipline_appeal_upheld",
        "discipline_appeal_reason",
    ),
    "suggestion": ("suggestion_text", "suggestion_adoption", "suggestion_reply"),
    "assessment": (
        "discipline_rating",
        "performance_rating",
        "conduct_rating",
        "training_rating",
        "assessment_remarks",
        "adjusted_grade",
    ),
    "discipline": ("investigation_findings", "discipline_decision", "discipline_reason"),
    "training": ("course_name", "course_start", "course_end", "training_hours", "exam_score"),
}
# What a member's own filings are called in their language (the case data holds the text).
OWN_TEXT = {
    "decision_summary": _("Decision appealed"),
    "appeal_reason": _("Your reasons"),
    "suggestion_text": _("Your suggestion"),
}


@dataclass(frozen=True)
class OwnRecord:
    staff: Staff
    certificate: Certificate | None
    cases: QuerySet[Case]
    training: QuerySet[Case]
    appealable: list[Any]


def member_or_404(user: Any) -> Staff:
    staff = member_of(user)
    if staff is None:
        raise Http404
    return staff


def own_record(staff: Staff) -> OwnRecord:
    cases = staff.cases.select_related("definition").order_by("-started_at")
    return OwnRecord(
        staff=staff,
        certificate=certificate_in_force(staff),
        cases=cases,
        training=cases.filter(definition__process_id="training"),
        appealable=appealable_decisions(staff),
    )


def own_case(staff: Staff, case_id: int) -> Case:
    """A case about the member; any other case is a 404, as if it did not exist."""
    try:
        case: Case = Case.objects.select_related("definition", "agency").get(
            pk=case_id, subject=staff
        )
    except Case.DoesNotExist:
        raise Http404 from None
    return case


def own_facts(case: Case) -> list[tuple[str, str]]:
    """(label, value) of the case data its member may read."""
    allowed = MEMBER_FACTS.get(case.definition.process_id, ())
    data = {k: v for k, v in (case.data or {}).items() if k in allowed}
    facts = [(str(OWN_TEXT[k]), str(data[k])) for k in OWN_TEXT if k in data]
    return facts + case_facts(parsed(case.definition), data)


def own_events(case: Case) -> QuerySet[CaseEvent]:
    """The case's course: when, what and under which article; who is not shown."""
    return case.events.only("seq", "at", "kind", "title", "articles").order_by("seq")
