"""What an operator is handed besides its parameters: the case being stepped, who steps
it, and where it leaves the changes the case history must show."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from processes.errors import OperatorRefused
from processes.operators import Operator, OperatorCall

if TYPE_CHECKING:
    from webapp.cases.models import Case
    from webapp.staff.models import Staff


# (name a service task calls, the function, what it does): one row of the registry.
OperatorSpec = tuple[str, Operator, str]


@dataclass(frozen=True)
class Effect:
    """A change an operator made, written to the case history after the engine call."""

    kind: str
    title: str
    articles: str
    data: dict[str, Any] = field(default_factory=dict)


# Opens a case about the same member, linked to the case being stepped: (that case,
# process id, reason, start data) -> the new case. Supplied by the step
# (webapp.cases.services), so the operators need not import the code that runs them.
LinkedOpener = Callable[["Case", str, str, Mapping[str, Any]], "Case"]


def _no_linked_cases(parent: Case, process_id: str, reason: str, data: Mapping[str, Any]) -> Case:
    raise OperatorRefused(_("This step cannot open a linked case."))


@dataclass
class StepContext:
    case: Case
    actor: Any
    effects: list[Effect] = field(default_factory=list)
    open_linked: LinkedOpener = _no_linked_cases
    # The schema each data item has in the case's model (its label, its choices' names).
    schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def subject_of(call: OperatorCall) -> Staff:
    context: StepContext = call.context
    staff = context.case.subject
    if staff is None:
        raise OperatorRefused(_("This case has no staff member to act on."))
    return staff


def choice_label(call: OperatorCall, name: str, value: Any) -> str:
    """The name the model gives ``value`` of its choice ``name`` (else the value)."""
    prop = call.context.schemas.get(name) or {}
    codes = [str(code) for code in prop.get("enum") or []]
    labels = prop.get("x-enumLabels") or codes
    text = str(value or "")
    return str(labels[codes.index(text)]) if text in codes and len(labels) == len(codes) else text


def record_effect(call: OperatorCall, title: str, articles: str, **data: Any) -> None:
    """An archive record this step made, for the case history."""
    call.context.effects.append(Effect(kind="record", title=title, articles=articles, data=data))
