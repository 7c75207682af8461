"""Who a case may be about: each process's precondition on its member, and the data every
case about a member starts with. Read by every way a case about a member is opened (by a
person, by another case's step, by the scheduler)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.errors import StepRefused
from webapp.records.models import Assessment
from webapp.staff.models import Staff

from .definitions import latest_deployed
from .models import Case, CaseStatus, Definition, DefinitionState

PROCESS_SUBJECT_STATES: dict[str, tuple[str, ...]] = {
    # Which members a process may be opened about (the processes' own preconditions).
    "training": ("hired",),
    "assessment": ("on_duty",),
    "commendation": ("on_duty",),
    "discipline": ("on_duty", "suspended"),
    "separation": ("hired", "on_duty", "suspended"),
    "liability": ("on_duty", "suspended", "separated", "dismissed"),
    "renewal": ("on_duty", "suspended"),
    # Art. 12: filed by the member themselves (member_filings), never opened about them.
    "appeal": ("hired", "on_duty", "suspended", "separated", "dismissed"),
    "suggestion": ("hired", "on_duty", "suspended"),
}
# The processes only the member opens, about themselves (Art. 12).
MEMBER_FILED = frozenset({"appeal", "suggestion"})


# Processes of which a member has at most one running case, and the article that says so:
# one separation, one training, one renewal of a contract, one assessment a year.
ONE_RUNNING: dict[str, str] = {
    "training": "Art. 19",
    "assessment": "Art. 20",
    "separation": "Art. 21",
    "renewal": "Art. 20",
}


def running_case_about(process_id: str, staff: Staff) -> Case | None:
    """The member's running case on ``process_id``, if there is one."""
    return (
        Case.objects.filter(
            definition__process_id=process_id, subject=staff, status=CaseStatus.RUNNING
        )
        .order_by("started_at")
        .first()
    )


def assert_not_duplicate(process_id: str, staff: Staff, data: Mapping[str, Any]) -> None:
    """Refuse a second running case where a member has one at a time, and a second
    assessment of the same year (Art. 20), at opening rather than at a later step. The
    caller holds the member's row lock, so two openings cannot both pass."""
    article = ONE_RUNNING.get(process_id)
    running = running_case_about(process_id, staff) if article else None
    if article and running is not None:
        raise StepRefused(
            _("%(name)s already has a running %(process)s case (%(key)s); it must finish first.")
            % {"name": staff.name, "process": running.definition.name, "key": running.business_key}
            + f" ({article})",
            article=article,
            field="process",
        )
    year = int(data.get("assessment_year") or 0)
    if process_id == "assessment" and Assessment.objects.filter(staff=staff, year=year).exists():
        raise StepRefused(
            _("%(name)s already has an assessment for %(year)d (Art. 20).")
            % {"name": staff.name, "year": year},
            article="Art. 20",
            field="process",
        )


def process_start_data(process_id: str) -> dict[str, Any]:
    """Start data a process needs beyond the member's own (see docs/processes/)."""
    if process_id == "assessment":
        return {"assessment_year": timezone.localdate().year}  # Art. 20: yearly
    return {}


def staff_case_data(staff: Staff) -> dict[str, Any]:
    """What every case about a person starts with (see docs/operators.md)."""
    return {
        "staff_name": staff.name,
        "staff_state": staff.state,
        "agency_name": staff.agency.name,
        "employment_mode": staff.employment_mode,
        "post": staff.post,
    }


def startable_processes(staff: Staff) -> list[tuple[str, str]]:
    """(process id, name) of the deployed processes a case about ``staff`` may be opened on."""
    names = dict(
        Definition.objects.filter(state=DefinitionState.DEPLOYED)
        .order_by("process_id", "version")
        .values_list("process_id", "name")
    )
    return [
        (process_id, names[process_id])
        for process_id, states in PROCESS_SUBJECT_STATES.items()
        if staff.state in states and process_id in names and process_id not in MEMBER_FILED
    ]


def _process_label(process_id: str) -> str:
    """The process's name as its newest version gives it (its id if none is deployed)."""
    names = Definition.objects.filter(process_id=process_id).order_by("-version")
    return str(names.values_list("name", flat=True).first() or process_id)


def definition_about(process_id: str, staff: Staff) -> Definition:
    """The version a new case about ``staff`` starts on; refused if the process may not be
    opened about them or has no deployed version."""
    allowed = PROCESS_SUBJECT_STATES.get(process_id)
    if allowed is None:
        # A recruitment, usage plan or complaint is opened by its own form, not about a
        # member already in the archive.
        raise StepRefused(
            _("A %(process)s case is not opened about a member of staff.")
            % {"process": _process_label(process_id)}
        )
    if staff.state not in allowed:
        raise StepRefused(
            _("A %(process)s case cannot be opened about %(name)s, who is %(state)s.")
            % {
                "process": _process_label(process_id),
                "name": staff.name,
                "state": staff.get_state_display(),
            }
        )
    try:
        return latest_deployed(process_id)
    except Definition.DoesNotExist:
        raise StepRefused(
            _("No version of the process %(process)s is deployed.") % {"process": process_id}
        ) from None
