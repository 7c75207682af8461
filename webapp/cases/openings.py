"""Opening cases: about a member (from the archive, or linked from another case's step),
a usage plan for an agency, a complaint.

Each checks the process's preconditions (who may be its subject) and hands over to
``services.case_start``, which runs the first step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from processes.errors import OperatorRefused
from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role
from webapp.errors import NotPermitted, StepRefused
from webapp.staff.models import Staff

from .models import Case, Definition
from .services import case_start

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


def _process_start_data(process_id: str) -> dict[str, Any]:
    """Start data a process needs beyond the member's own (see docs/processes/)."""
    if process_id == "assessment":
        return {"assessment_year": timezone.localdate().year}  # Art. 20: yearly
    return {}


def startable_processes(staff: Staff) -> list[tuple[str, str]]:
    """(process id, name) of the deployed processes a case about ``staff`` may be opened on."""
    from .models import DefinitionState

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


def staff_case_data(staff: Staff) -> dict[str, Any]:
    """What every case about a person starts with (see docs/operators.md)."""
    return {
        "staff_name": staff.name,
        "staff_state": staff.state,
        "agency_name": staff.agency.name,
        "employment_mode": staff.employment_mode,
        "post": staff.post,
    }


def _open_about(
    *, process_id: str, staff: Staff, actor: Any, data: Mapping[str, Any], parent: Case | None
) -> Case:
    from .definitions import latest_deployed

    allowed = PROCESS_SUBJECT_STATES.get(process_id)
    if allowed is not None and staff.state not in allowed:
        raise StepRefused(
            _("A %(process)s case cannot be opened about %(name)s, who is %(state)s.")
            % {"process": process_id, "name": staff.name, "state": staff.get_state_display()}
        )
    try:
        definition = latest_deployed(process_id)
    except Definition.DoesNotExist:
        raise StepRefused(
            _("No version of the process %(process)s is deployed.") % {"process": process_id}
        ) from None
    case = case_start(
        definition=definition,
        agency=staff.agency,
        title=f"{definition.name}：{staff.name}",
        data={**staff_case_data(staff), **_process_start_data(process_id), **dict(data)},
        actor=actor,
        subject=staff,
        parent=parent,
    )
    return case


def case_open_for_staff(
    *, process_id: str, staff: Staff, actor: Any, data: Mapping[str, Any] | None = None
) -> Case:
    """A person opens a case about a member of their agency (training, assessment...)."""
    if not has_role(actor, Role.HR_OFFICER, staff.agency_id):
        raise NotPermitted(
            _("Only an HR officer of %(agency)s can do this.") % {"agency": staff.agency.name}
        )
    return _open_about(
        process_id=process_id, staff=staff, actor=actor, data=data or {}, parent=None
    )


def case_open_linked(
    *, parent: Case, process_id: str, reason: str, data: Mapping[str, Any], actor: Any
) -> Case:
    """A step of ``parent`` opens a case about the same member (inside the same transaction)."""
    if parent.subject is None:
        raise OperatorRefused(_("This case has no staff member to open a linked case about."))
    staff = Staff.objects.get(pk=parent.subject_id)
    try:
        # Opened by the engine, not by a person: nobody is its initiator, so the four-eyes
        # rule does not bar whoever's step led here from handling it.
        return _open_about(
            process_id=process_id,
            staff=staff,
            actor=None,
            data={**dict(data), "opened_by": parent.business_key, "open_reason": reason},
            parent=parent,
        )
    except StepRefused as exc:
        raise OperatorRefused(exc.message) from None


def usage_plan_open(*, agency: Agency, actor: Any) -> Case:
    """An HR officer drafts a usage plan for their agency (Art. 8, 9)."""
    from webapp.staff.services import assert_may_employ, headcount

    from .definitions import latest_deployed

    if not has_role(actor, Role.HR_OFFICER, agency.pk):
        raise NotPermitted(
            _("Only an HR officer of %(agency)s can do this.") % {"agency": agency.name}
        )
    assert_may_employ(agency)
    definition = latest_deployed("usage_plan")
    return case_start(
        definition=definition,
        agency=agency,
        title=f"{definition.name}：{agency.name}",
        data={
            "agency_name": agency.name,
            "agency_quota": agency.quota,
            "headcount_in_use": headcount(agency),
        },
        actor=actor,
    )


def complaint_open(
    *,
    agency: Agency,
    actor: Any,
    complainant_name: str,
    complainant_contact: str,
    complaint_text: str,
    staff: Staff | None = None,
) -> Case:
    """Register a complaint against the agency's auxiliary staff (Art. 18).

    ``actor`` is None when a member of the public submits it without logging in.
    """
    import secrets

    from .definitions import latest_deployed

    definition = latest_deployed("complaint")
    # 64 random bits: the receipt is the only key to a complaint's status page (Art. 18),
    # so it must not be guessable even across many addresses.
    receipt = f"TS{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}"
    data: dict[str, Any] = {
        "complainant_name": complainant_name,
        "complainant_contact": complainant_contact,
        "complaint_text": complaint_text,
        "receipt_number": receipt,
        "staff_known": staff is not None,
        "agency_name": agency.name,
    }
    if staff is not None:
        data.update(staff_case_data(staff))
    return case_start(
        definition=definition,
        agency=agency,
        title=f"{definition.name}：{staff.name if staff else agency.name}",
        data=data,
        actor=actor,
        subject=staff,
    )
