"""Running cases that wait for nothing (issue 19): no open task, no timer, no message.

Nothing will ever move such a case (a model that lost its waiting task, a state written
by hand), so the operator's schedule and ``check_integrity`` name it. Cheap first: the
case rows with no open task and no timer; then the engine confirms each of those from
its stored state (it may be waiting for a message, which no row records).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from processes import engine
from processes.errors import ProcessError

from .definitions import parsed
from .models import Case, CaseStatus, HumanTask, TaskState

CANDIDATES = 500


def waits_for(case: Case) -> list[str] | None:
    """What the case's workflow waits for (BPMN ids); None if its state does not load."""
    try:
        definition = parsed(case.definition)
        return engine.waiting_for(definition, engine.load(definition, case.state))
    except (ProcessError, KeyError, TypeError, ValueError):
        return None


def stalled_cases(limit: int = 50) -> list[Case]:
    """Running cases with no open task and no timer whose workflow waits for nothing."""
    open_task = HumanTask.objects.filter(
        case=OuterRef("pk"), state__in=[TaskState.OPEN, TaskState.CLAIMED]
    )
    candidates = (
        Case.objects.filter(status=CaseStatus.RUNNING, wake_at__isnull=True)
        .exclude(Exists(open_task))
        .select_related("definition", "agency")
        .order_by("pk")[:CANDIDATES]
    )
    return [case for case in candidates if not waits_for(case)][:limit]
