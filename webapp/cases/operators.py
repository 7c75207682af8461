"""The operators service tasks may call: every side effect a model can cause is here.

Each runs inside the case step's transaction, so its writes land with the step or
not at all. A refusal raises ``OperatorRefused`` with the article in its message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_fsm import TransitionNotAllowed

from processes.errors import OperatorRefused
from processes.operators import OperatorCall, OperatorRegistry

if TYPE_CHECKING:
    from webapp.staff.models import Staff

    from .models import Case

REGISTRY = OperatorRegistry()


@dataclass(frozen=True)
class Effect:
    """A change an operator made, written to the case history after the engine call."""

    kind: str
    title: str
    articles: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class StepContext:
    case: Case
    actor: Any
    effects: list[Effect] = field(default_factory=list)


def _subject(call: OperatorCall) -> Staff:
    context: StepContext = call.context
    staff = context.case.subject
    if staff is None:
        raise OperatorRefused(_("This case has no staff member to act on."))
    return staff


TRANSITION_LABELS = {
    "hire": _lazy("hire"),
    "reject": _lazy("record as not hired"),
    "certify": _lazy("certify and put on duty"),
    "suspend": _lazy("suspend"),
    "reinstate": _lazy("reinstate"),
    "separate": _lazy("separate"),
    "dismiss": _lazy("dismiss"),
}


def _transition(call: OperatorCall, method: str, articles: str) -> Staff:
    from webapp.staff.models import Staff

    staff: Staff = Staff.objects.select_for_update().get(pk=_subject(call).pk)
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


@REGISTRY.operator("staff_hire", description="Hire the applicant (Art. 9, 10, 11)")
def staff_hire(call: OperatorCall) -> dict[str, Any]:
    from webapp.staff.services import assert_within_quota

    staff = _subject(call)
    assert_within_quota(staff.agency)  # Art. 9: no hire beyond the approved headcount
    staff = _transition(call, "hire", "Art. 9, Art. 10")
    staff.employment_mode = call.params.get("employment_mode") or ""
    staff.dispatch_company = call.params.get("dispatch_company") or ""
    staff.contract_start = _as_date(call.params.get("contract_start"))
    staff.contract_end = _as_date(call.params.get("contract_end"))
    # Art. 16: staff join social insurance and the housing fund on hiring.
    staff.social_insurance = True
    staff.housing_fund = True
    staff.save()
    return {"staff": staff.pk, "state": staff.state}


@REGISTRY.operator("staff_reject", description="Record that the applicant is not hired")
def staff_reject(call: OperatorCall) -> dict[str, Any]:
    staff = _transition(call, "reject", "Art. 10, Art. 11")
    reason = str(call.params.get("reason") or "")
    call.context.case.outcome = reason[:200]
    return {"staff": staff.pk, "state": staff.state, "reason": reason}
