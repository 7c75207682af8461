"""The parts every step shares: running the engine with Fuzhi's operators and helpers,
and storing what it produced (history lines, the task projection, the case row under
its version check). Called inside the transaction of a step in ``services``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from processes.errors import InvalidTaskData, ModelRefused, OperatorRefused, ProcessError
from processes.types import HumanTask as HumanTaskSpec
from processes.types import Outcome
from webapp.accounts.models import Agency, Delegation
from webapp.accounts.names import display_name
from webapp.accounts.services import task_route
from webapp.errors import FormInvalid, StepRefused, articles_in
from webapp.workdays.services import working_days_duration

from .deadlines import due_at
from .form_messages import localised_errors
from .history import stage_event, staged_events, write_staged
from .models import Case, HumanTask, TaskState
from .operators import StepContext

# Functions the models' scripts may call beyond the engine's own helpers.
ENGINE_HELPERS = {"working_days_duration": working_days_duration}

# Engine-run elements worth a line in the history; sequence flows and joins are not.
RECORDED_KINDS = (
    "BusinessRuleTask",
    "ServiceTask",
    "ScriptTask",
    "ExclusiveGateway",
    "InclusiveGateway",
    "IntermediateCatchEvent",
    "BoundaryEvent",
    "EndEvent",
)


def run_engine(call: Callable[[], Outcome]) -> Outcome:
    """Run one engine call, turning the engine's refusals into a person's message."""
    try:
        return call()
    except InvalidTaskData as exc:
        raise FormInvalid(localised_errors(exc)) from None
    except OperatorRefused as exc:
        raise StepRefused(str(exc), article=articles_in(str(exc)), field=exc.field) from None
    except ModelRefused as exc:
        # The model's own sentence (it cites the article), not the script's source line.
        raise StepRefused(exc.reason, article=articles_in(exc.reason)) from None
    except ProcessError as exc:
        raise StepRefused(
            _("The process could not take this step: %(error)s") % {"error": exc}
        ) from None


def store_outcome(
    case: Case,
    outcome: Outcome,
    context: StepContext,
    done: HumanTask | None = None,
    open_tasks: list[HumanTask] | None = None,
) -> None:
    """Store the outcome: history lines, task projection, status, then the case row.
    ``open_tasks``: the case's other open tasks when the caller knows them (else read)."""
    stage_outcome(case, outcome, context)
    sync_tasks(case, outcome, done, open_tasks)
    finish_outcome(case, outcome)
    save_case(case)


def stage_outcome(case: Case, outcome: Outcome, context: StepContext) -> None:
    """The history lines of what the engine ran and what the operators did."""
    for record in outcome.ran:
        if record.kind in RECORDED_KINDS:
            stage_event(
                case,
                kind="engine_step",
                title=record.name,
                bpmn_id=record.bpmn_id,
                articles=articles_in(record.documentation),
            )
    for effect in context.effects:
        stage_event(
            case,
            kind=effect.kind,
            title=effect.title,
            actor=context.actor,
            articles=effect.articles,
            data_after=effect.data,
        )


def finish_outcome(case: Case, outcome: Outcome) -> None:
    """The new state and data on the case (not yet written), closed if the engine ended."""
    case.state = outcome.state
    case.data = outcome.data
    case.wake_at = outcome.wake_at
    if outcome.completed and case.status == "running":
        case.complete()
        case.finished_at = timezone.now()
        stage_event(
            case,
            kind="case_completed",
            title=_("Case completed"),
            comment=case.outcome,
            articles=_end_articles(case, outcome),
        )


def _end_articles(case: Case, outcome: Outcome) -> str:
    """The articles the end event reached cites, else those the case opened under."""
    ends = " ".join(r.documentation for r in outcome.ran if r.kind == "EndEvent")
    if articles_in(ends):
        return articles_in(ends)
    # A case that ends in its first step has its opening line still staged.
    staged = [e.articles for e in staged_events(case) if e.kind == "case_started"]
    opened = case.events.filter(kind="case_started").values_list("articles", flat=True)
    return str(staged[0] if staged else opened.first() or "")


def save_case(case: Case) -> None:
    """Write the step's history lines, then the case row if nobody wrote it since it
    was read, else refuse the step (and the transaction rolls the lines back)."""
    write_staged(case)
    # The version check keeps a stale writer from overwriting a newer state even where
    # the database cannot lock rows (SQLite); PostgreSQL also holds the row lock.
    case.update_versioned(
        state=case.state,
        data=case.data,
        wake_at=case.wake_at,
        status=case.status,
        outcome=case.outcome,
        finished_at=case.finished_at,
        event_count=case.event_count,
        head_hash=case.head_hash,
    )


def sync_tasks(
    case: Case, outcome: Outcome, done: HumanTask | None, open_tasks: list[HumanTask] | None = None
) -> None:
    """Make the open HumanTask rows match the engine's ready user tasks."""
    if open_tasks is None:
        open_tasks = list(case.tasks.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED]))
    active = {t.engine_task_id: t for t in open_tasks}
    if done is not None:
        active.pop(done.engine_task_id, None)
    ready = {t.id: t for t in outcome.human_tasks}
    for engine_id, task in active.items():
        if engine_id not in ready:
            task.withdraw()
            task.save(update_fields=["state"])
            stage_event(
                case, kind="task_withdrawn", title=task.name, task=task, bpmn_id=task.bpmn_id
            )
    now = timezone.now()
    for engine_id, spec in ready.items():
        if engine_id in active:
            continue
        created, delegation = new_task(case, spec, now)
        # One INSERT with the delegate already in it; its history lines come after it
        # (they sign the task's id).
        created.save(force_insert=True)
        stage_task_created(case, created, delegation)


# Where a batch keeps the routing it looked up: (case agency, role) -> (agency, delegation).
Routes = dict[tuple[int, str], tuple[Agency, Delegation | None]]


def new_task(
    case: Case, spec: HumanTaskSpec, now: datetime, routes: Routes | None = None
) -> tuple[HumanTask, Delegation | None]:
    """The task row (not yet written) for a ready user task: routed to the body doing its
    role, given to the delegate if the role-holder is away. ``routes``: a batch's lookups
    (one transaction, one day), so its cases share them."""
    key = (case.agency_id, spec.lane)
    route = routes.get(key) if routes is not None else None
    if route is None:
        routed, delegation = task_route(case.agency, spec.lane, timezone.localdate())
        # With no rule or no body it waits at the case's agency, where check_integrity and
        # the schedule page name it as a task nobody can act on.
        route = (routed or case.agency, delegation)
        if routes is not None:
            routes[key] = route
    agency, delegation = route
    created = HumanTask(
        case=case,
        engine_task_id=spec.id,
        bpmn_id=spec.bpmn_id,
        name=spec.name,
        documentation=spec.documentation,
        form_name=spec.form_name,
        role=spec.lane,
        agency=agency,
        due_at=due_at(now, spec.due_in),
    )
    if delegation is not None:
        _delegate(created, delegation)
    return created, delegation


def stage_task_created(case: Case, task: HumanTask, delegation: Delegation | None) -> None:
    """The history lines of a new task (written, so they sign its id)."""
    stage_event(
        case,
        kind="task_created",
        title=task.name,
        task=task,
        bpmn_id=task.bpmn_id,
        articles=articles_in(task.documentation),
    )
    if delegation is not None:
        _delegated_event(case, task, delegation)


def _delegate(task: HumanTask, delegation: Delegation) -> None:
    """A task arriving while its role-holder is away goes to the delegate (both named)."""
    task.claim()
    task.assignee = delegation.delegate
    task.delegated_from = delegation.delegator
    task.claimed_at = timezone.now()


def _delegated_event(case: Case, task: HumanTask, delegation: Delegation) -> None:
    stage_event(
        case,
        kind="task_delegated",
        title=_("%(task)s: assigned to %(delegate)s on behalf of %(delegator)s")
        % {
            "task": task.name,
            "delegate": display_name(delegation.delegate),
            "delegator": display_name(delegation.delegator),
        },
        task=task,
        bpmn_id=task.bpmn_id,
    )
