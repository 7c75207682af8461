"""Who a case may be about: each process's precondition on its member, and the data every
case about a member starts with. Read by every way a case about a member is opened (by a
person, by another case's step, by the scheduler)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.errors import StepRefused
from webapp.staff.models import Staff

from .definitions import latest_deployed
from .models import Definition, DefinitionState

PROCESS_SUBJECT_STATES: dict[str, tuple[str, ...]] = {
    # Which members a process may be opened about (the processes' own preconditions).
    "training": ("hired",),
    "assessment": ("on_duty",),
    "commendation": ("on_duty",),
    "discipline": ("on_duty", "suspended"),
    "separation": ("hired", "on_duty", "suspended"),
    "liability": ("on_duty", "suspended", "separated", "dismissed"),
    "renewal": ("on_duty", "suspended"),
}


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
        if staff.state in states and process_id in names
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
