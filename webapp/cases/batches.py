"""Opening many cases at once: the yearly assessment of a province (Art. 20) opens one
case per member on duty, 200,000 of them.

Each case is opened exactly as ``services.case_start`` opens one: the same engine start
on its own data, the same history lines signed onto its own chain under the current
key, the same task routing and delegation. Only the writes are batched: the case rows,
the task rows and the history lines of a batch go in one statement each (and the
cases' final columns in one more), in one transaction, so a batch lands whole or not at
all and an interrupted run is simply run again (``scheduling``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from django.db import transaction
from django.utils import timezone

from processes import engine
from processes.types import Outcome
from webapp.accounts.models import Agency, Delegation
from webapp.staff.models import Staff

from .definitions import parsed
from .history import write_staged_many
from .keys import business_key
from .models import Case, Definition, HumanTask
from .operators import REGISTRY
from .services import stage_opened, step_context
from .steps import (
    ENGINE_HELPERS,
    Routes,
    finish_outcome,
    new_task,
    run_engine,
    stage_outcome,
    stage_task_created,
)

# The case row's columns a start fills in after the row exists.
_STARTED_COLUMNS = [
    "business_key",
    "state",
    "data",
    "wake_at",
    "status",
    "finished_at",
    "event_count",
    "head_hash",
    "version",
]


@dataclass(frozen=True)
class Opening:
    """One case to open: what ``case_start`` is given, with no person behind it."""

    agency: Agency
    title: str
    data: Mapping[str, Any]
    subject: Staff | None = None


def cases_start_many(*, definition: Definition, openings: Sequence[Opening]) -> list[Case]:
    """Open a case on ``definition`` for each opening and run each to its first wait, in
    one transaction: four statements for the batch, however many cases it opens, plus
    the routing of each (case agency, role) met. A refusal of any start (a model's own
    check of its start data) rolls the whole batch back."""
    if not openings:
        return []
    with transaction.atomic():
        cases = [_unstarted(definition, opening) for opening in openings]
        # The rows first: a case's business key is its number, and an operator run by the
        # start may need the row.
        Case.objects.bulk_create(cases)
        routes: Routes = {}
        now = timezone.now()
        started: list[tuple[Case, Outcome, list[tuple[HumanTask, Delegation | None]]]] = []
        for case, opening in zip(cases, openings, strict=True):
            case.business_key = business_key(case)
            outcome = _start(case, opening)
            tasks = [new_task(case, spec, now, routes) for spec in outcome.human_tasks]
            started.append((case, outcome, tasks))
        HumanTask.objects.bulk_create([task for _, _, tasks in started for task, _ in tasks])
        for case, outcome, tasks in started:
            for task, delegation in tasks:
                stage_task_created(case, task, delegation)
            finish_outcome(case, outcome)
            case.version += 1
        write_staged_many(cases)
        # The rows exist (their numbers are taken): written again over themselves, which
        # costs an INSERT; bulk_update's CASE WHEN per row and column costs seven times it.
        Case.objects.bulk_create(
            cases, update_conflicts=True, unique_fields=["id"], update_fields=_STARTED_COLUMNS
        )
    return cases


def _unstarted(definition: Definition, opening: Opening) -> Case:
    return Case(
        business_key=f"tmp-{uuid4().hex}",
        title=opening.title,
        definition=definition,
        agency=opening.agency,
        subject=opening.subject,
        state={},
        started_by=None,
    )


def _start(case: Case, opening: Opening) -> Outcome:
    """The engine's start of one case and its first history lines, as ``case_start``."""
    context = step_context(case, None)
    outcome = run_engine(
        lambda: engine.start(
            parsed(case.definition),
            opening.data,
            operators=REGISTRY,
            helpers=ENGINE_HELPERS,
            context=context,
        )
    )
    stage_opened(case, opening.data, None, None)
    stage_outcome(case, outcome, context)
    return outcome
