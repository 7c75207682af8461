"""Writes the API owns: its tokens, and opening a case about a member on a process their
state allows."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from webapp.cases.models import Case
from webapp.cases.openings import case_open_for_staff
from webapp.cases.subjects import startable_processes
from webapp.errors import StepRefused
from webapp.security.services import audit_record
from webapp.staff.models import Staff


class ProcessNotStartable(StepRefused):
    """No case on this process may be opened about the member now (a 400 on ``process``)."""


def token_rotate(*, user: Any) -> str:
    """Replace the user's API token with a new one and return its key (the old one stops
    working at once). A new credential is a security event: it goes into the audit log."""
    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token: Token = Token.objects.create(user=user)
        audit_record(user, "api_token", user.get_username(), {"replaced": replaced})
    return str(token.key)


def case_open_about_staff(*, user: Any, staff: Staff, process_id: str) -> Case:
    """Open a case about ``staff`` on one of the processes their state allows (training,
    assessment, commendation, discipline, separation, liability, renewal); refused with
    the possible ones named. Only an HR officer of the member's agency may open it."""
    allowed = [process for process, _name in startable_processes(staff)]
    if process_id not in allowed:
        raise ProcessNotStartable(
            _("No case on this process can be opened about %(name)s now; possible: %(allowed)s.")
            % {"name": staff.name, "allowed": ", ".join(allowed) or "—"}
        )
    return case_open_for_staff(process_id=process_id, staff=staff, actor=user)
