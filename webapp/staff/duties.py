"""Assigning a duty to a member, checked against Art. 13, 14 and 19.

The scope of each duty (alone / only with a named enforcement officer / never) is the
decision table ``bpmn/decisions/duty_scope.dmn``, which a process designer maintains.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from processes.decisions import Decision, decide, load_decision
from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role
from webapp.errors import NotPermitted, StepRefused

from .lifecycle import certificate_in_force
from .models import DutyAssignment, Staff, StaffState


@lru_cache(maxsize=1)
def _duty_scope() -> Decision:
    path = settings.FUZHI_BPMN_DIR / "decisions" / "duty_scope.dmn"
    return load_decision(path.name, path.read_bytes(), "duty_scope")


def duty_scope(duty: str) -> dict[str, Any]:
    """{'scope': 'alone'|'with_officer'|'never', 'scope_reason': ..., 'duty_label': ...}."""
    result = decide(_duty_scope(), {"duty": duty})
    if result.get("scope") not in ("alone", "with_officer", "never"):
        return {
            "scope": "never",
            "scope_reason": _("This duty is not in Art. 14."),
            "duty_label": duty,
        }
    return result


def duty_assign(
    *,
    staff: Staff,
    duty: str,
    user: Any,
    officer_name: str = "",
    officer_certificate: str = "",
    note: str = "",
) -> DutyAssignment:
    if not (
        has_role(user, Role.HR_OFFICER, staff.agency_id)
        or has_role(user, Role.APPROVER, staff.agency_id)
    ):
        raise NotPermitted(_("Only the member's own agency can assign their duties (Art. 4)."))
    with transaction.atomic():
        staff = Staff.objects.select_for_update().get(pk=staff.pk)
        _assert_may_work(staff)
        scope = duty_scope(duty)
        if scope["scope"] == "never":
            raise StepRefused(
                _("%(duty)s may never be assigned to auxiliary staff: %(reason)s")
                % {"duty": scope["duty_label"], "reason": scope["scope_reason"]},
                article="Art. 14",
            )
        if scope["scope"] == "with_officer" and not officer_name.strip():
            raise StepRefused(
                _(
                    "%(duty)s may only be done assisting a named enforcement officer: name the "
                    "officer (Art. 14)."
                )
                % {"duty": scope["duty_label"]},
                article="Art. 14",
            )
        return DutyAssignment.objects.create(
            staff=staff,
            duty=duty,
            scope=scope["scope"],
            officer_name=officer_name.strip(),
            officer_certificate=officer_certificate.strip(),
            assigned_by=user,
            note=note,
        )


def _assert_may_work(staff: Staff) -> None:
    # Art. 13, 19: on duty and holding a valid certificate.
    if staff.state != StaffState.ON_DUTY:
        raise StepRefused(
            _("%(name)s is %(state)s; only members on duty can be assigned duties (Art. 13).")
            % {"name": staff.name, "state": staff.get_state_display()},
            article="Art. 13",
        )
    held = certificate_in_force(staff)
    if held is None or not held.is_valid:
        raise StepRefused(
            _("%(name)s holds no valid certificate and may not work on duty (Art. 13, Art. 19).")
            % {"name": staff.name},
            article="Art. 19",
        )
