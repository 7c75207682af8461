"""Every write to a case goes through here, one transaction per step.

A step locks the case row, runs the engine on the stored state, saves the new state
with a version check, syncs the HumanTask projection, applies the operators' staff
transitions and appends the history events. Either all of it lands or none of it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from processes import engine
from processes.durations import iso_duration
from processes.errors import InvalidTaskData, OperatorRefused, ProcessError
from processes.types import Outcome
from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role
from webapp.staff.models import Staff

from .definitions import parsed
from .errors import FormInvalid, NotPermitted, StepRefused, TaskConflict
from .history import append_event
from .models import Case, Definition, HumanTask, TaskState
from .operators import REGISTRY, StepContext

ARTICLE_RE = re.compile(r"Art\.\s*\d+(?:\(\d+\))?")


KEY_PREFIX = {
    "renewal": "XP",
    "recruitment": "ZP",
    "usage_plan": "JH",
    "training": "PX",
    "assessment": "KH",
    "commendation": "BZ",
    "complaint": "TS",
    "discipline": "WJ",
    "separation": "JP",
    "liability": "PC",
}


def _working_days_duration(days: int) -> str:
    from webapp.workdays.services import working_days_duration

    return working_days_duration(days)


# Functions the models' scripts may call beyond processes.scripting.HELPERS.


ENGINE_HELPERS = {"working_days_duration": _working_days_duration}

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


def articles_in(text: str) -> str:
    return ", ".join(dict.fromkeys(ARTICLE_RE.findall(text or "")))


def _business_key(case: Case) -> str:
    prefix = KEY_PREFIX.get(case.definition.process_id, "AJ")
    return f"{prefix}-{timezone.localdate():%Y}-{case.pk:06d}"


def case_start(
    *,
    definition: Definition,
    agency: Agency,
    title: str,
    data: Mapping[str, Any],
    actor: Any,
    subject: Staff | None = None,
    parent: Case | None = None,
) -> Case:
    """Open a case on ``definition`` and run it to its first wait."""
    with transaction.atomic():
        case = Case.objects.create(
            business_key=f"tmp-{timezone.now().timestamp()}",
            title=title,
            definition=definition,
            agency=agency,
            subject=subject,
            parent=parent,
            state={},
            started_by=actor if actor is not None and actor.is_authenticated else None,
        )
        case.business_key = _business_key(case)
        Case.objects.filter(pk=case.pk).update(business_key=case.business_key)
        context = StepContext(case=case, actor=actor)
        outcome = _run(
            lambda: engine.start(
                parsed(definition),
                data,
                operators=REGISTRY,
                helpers=ENGINE_HELPERS,
                context=context,
            )
        )
        append_event(
            case,
            kind="case_started",
            title=_("Case opened: %(title)s") % {"title": title},
            actor=actor,
            data_after=dict(data),
            comment=(
                _("Opened by case %(key)s: %(reason)s")
                % {"key": parent.business_key, "reason": data.get("open_reason", "")}
                if parent is not None
                else ""
            ),
            articles=", ".join(f"Art. {n}" for n in sorted(parsed(definition).articles)[:6]),
        )
        _apply(case, outcome, context)
    return case


def _run(call: Any) -> Outcome:
    """Run one engine call, turning the engine's refusals into a person's message."""
    try:
        outcome: Outcome = call()
    except InvalidTaskData as exc:
        raise FormInvalid(exc.errors) from None
    except OperatorRefused as exc:
        raise StepRefused(str(exc), article=articles_in(str(exc))) from None
    except ProcessError as exc:
        raise StepRefused(
            _("The process could not take this step: %(error)s") % {"error": exc}
        ) from None
    return outcome


def _apply(
    case: Case, outcome: Outcome, context: StepContext, done: HumanTask | None = None
) -> None:
    """Store the outcome: history lines, task projection, status, then the case row."""
    for record in outcome.ran:
        if record.kind in RECORDED_KINDS:
            append_event(
                case,
                kind="engine_step",
                title=record.name,
                bpmn_id=record.bpmn_id,
                articles=articles_in(record.documentation),
            )
    for effect in context.effects:
        append_event(
            case,
            kind=effect.kind,
            title=effect.title,
            actor=context.actor,
            articles=effect.articles,
            data_after=effect.data,
        )
    _sync_tasks(case, outcome, done)
    case.state = outcome.state
    case.data = outcome.data
    case.wake_at = outcome.wake_at
    if outcome.completed and case.status == "running":
        case.complete()
        case.finished_at = timezone.now()
        append_event(case, kind="case_completed", title=_("Case completed"), comment=case.outcome)
    _save_case(case)


def _save_case(case: Case) -> None:
    # The version check keeps a stale writer from overwriting a newer state even where
    # the database cannot lock rows (SQLite); PostgreSQL also holds the row lock.
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(
        version=F("version") + 1,
        state=case.state,
        data=case.data,
        wake_at=case.wake_at,
        status=case.status,
        outcome=case.outcome,
        finished_at=case.finished_at,
        event_count=case.event_count,
        head_hash=case.head_hash,
    )
    if updated != 1:
        raise TaskConflict(
            _("This case changed while you were working on it; reload and try again.")
        )
    case.version += 1


def _sync_tasks(case: Case, outcome: Outcome, done: HumanTask | None) -> None:
    active = {
        t.engine_task_id: t
        for t in case.tasks.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED])
    }
    if done is not None:
        active.pop(done.engine_task_id, None)
    ready = {t.id: t for t in outcome.human_tasks}
    for engine_id, task in active.items():
        if engine_id not in ready:
            task.withdraw()
            task.save()
            append_event(
                case, kind="task_withdrawn", title=task.name, task=task, bpmn_id=task.bpmn_id
            )
    now = timezone.now()
    for engine_id, spec in ready.items():
        if engine_id in active:
            continue
        created = HumanTask.objects.create(
            case=case,
            engine_task_id=engine_id,
            bpmn_id=spec.bpmn_id,
            name=spec.name,
            documentation=spec.documentation,
            form_name=spec.form_name,
            role=spec.lane,
            agency=case.agency,
            due_at=due_at(now, spec.due_in),
        )
        append_event(
            case,
            kind="task_created",
            title=spec.name,
            task=created,
            bpmn_id=spec.bpmn_id,
            articles=articles_in(spec.documentation),
        )
        _apply_delegation(case, created)


def _apply_delegation(case: Case, task: HumanTask) -> None:
    """A task arriving while its role-holder is away goes to the delegate (both named)."""
    from webapp.accounts.services import active_delegation

    delegation = active_delegation(task.agency_id, task.role, timezone.localdate())
    if delegation is None:
        return
    task.claim()
    task.assignee = delegation.delegate
    task.delegated_from = delegation.delegator
    task.claimed_at = timezone.now()
    task.save()
    append_event(
        case,
        kind="task_delegated",
        title=_("%(task)s: assigned to %(delegate)s on behalf of %(delegator)s")
        % {
            "task": task.name,
            "delegate": _name(delegation.delegate),
            "delegator": _name(delegation.delegator),
        },
        task=task,
        bpmn_id=task.bpmn_id,
    )


def _name(user: Any) -> str:
    return f"{user.last_name}{user.first_name}".strip() or str(user.get_username())


def due_at(now: datetime, due_in: str) -> datetime | None:
    """When a task falls due: an ISO duration, or working days ('5WD') counted on the
    holiday calendar, due at the end of that working day."""
    from webapp.workdays.services import CalendarNotLoaded, add_working_days, parse_working_days

    if not due_in:
        return None
    working_days = parse_working_days(due_in)
    if working_days is not None:
        start = timezone.localdate(now)
        try:
            day = add_working_days(start, working_days)
        except CalendarNotLoaded:
            # The year's schedule is not announced yet: count Monday to Friday rather than
            # leave the task without a deadline.
            day = _weekdays_after(start, working_days)
        end = datetime.combine(day, datetime.max.time().replace(microsecond=0))
        return timezone.make_aware(end)
    return now + iso_duration(due_in, start=now)


def _weekdays_after(start: date, n: int) -> date:
    day = start
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _locked(task_id: int) -> tuple[HumanTask, Case]:
    # of=self: lock only the case row, not the joined definition and agency rows, which
    # every other case of the agency needs too. Found through the task in the same query
    # (one round trip less per step).
    try:
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("definition", "agency")
            .get(tasks__pk=task_id)
        )
    except Case.DoesNotExist:
        raise NotPermitted(_("This task does not exist.")) from None
    task = HumanTask.objects.select_related("assignee", "completed_by").get(pk=task_id)
    return task, case


def _may_act(task: HumanTask, user: Any) -> None:
    if task.assignee_id == user.pk:
        return
    if not has_role(user, task.role, task.agency_id):
        raise NotPermitted(_("This task belongs to another role or agency."))


def _refuse_if_closed(task: HumanTask, user: Any) -> None:
    if task.state == TaskState.DONE:
        who = task.completed_by
        name = (f"{who.last_name}{who.first_name}" or who.username) if who else _("someone")
        raise TaskConflict(
            _("Already completed by %(name)s at %(time)s.")
            % {
                "name": name,
                "time": timezone.localtime(task.completed_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    if task.state == TaskState.CANCELLED:
        raise TaskConflict(_("This task was withdrawn; the case moved on without it."))
    if task.state == TaskState.CLAIMED and task.assignee_id != user.pk:
        assignee = task.assignee
        name = (
            (f"{assignee.last_name}{assignee.first_name}" or assignee.username) if assignee else ""
        )
        raise TaskConflict(_("%(name)s has claimed this task.") % {"name": name})


def task_claim(*, task_id: int, user: Any) -> HumanTask:
    with transaction.atomic():
        task, case = _locked(task_id)
        _may_act(task, user)
        _refuse_if_closed(task, user)
        if task.state == TaskState.CLAIMED:
            return task
        task.claim()
        task.assignee = user
        task.claimed_at = timezone.now()
        task.save()
        append_event(
            case,
            kind="task_claimed",
            title=task.name,
            actor=user,
            actor_role=task.role,
            task=task,
            bpmn_id=task.bpmn_id,
        )
        _save_case(case)
    return task


def task_release(*, task_id: int, user: Any) -> HumanTask:
    with transaction.atomic():
        task, case = _locked(task_id)
        _refuse_if_closed(task, user)
        if task.state != TaskState.CLAIMED or task.assignee_id != user.pk:
            raise NotPermitted(_("Only the person who claimed a task can release it."))
        task.release()
        task.assignee = None
        task.claimed_at = None
        task.save()
        append_event(
            case,
            kind="task_released",
            title=task.name,
            actor=user,
            actor_role=task.role,
            task=task,
            bpmn_id=task.bpmn_id,
        )
        _save_case(case)
    return task


def task_complete(*, task_id: int, user: Any, data: Mapping[str, Any], comment: str = "") -> Case:
    """Complete a human task with form data and a comment, and advance the case."""
    with transaction.atomic():
        task, case = _locked(task_id)
        _may_act(task, user)
        _refuse_if_closed(task, user)
        if task.role == Role.APPROVER and case.started_by_id == user.pk:
            raise NotPermitted(
                _(
                    "You opened this case, so its approval must be given by someone else "
                    "(four-eyes principle)."
                )
            )
        before = dict(case.data)
        context = StepContext(case=case, actor=user)
        outcome = _run(
            lambda: engine.complete_task(
                parsed(case.definition),
                case.state,
                task.engine_task_id,
                data,
                operators=REGISTRY,
                helpers=ENGINE_HELPERS,
                context=context,
            )
        )
        task.finish()
        task.assignee = user
        task.completed_by = user
        task.completed_at = timezone.now()
        task.save()
        append_event(
            case,
            kind="task_completed",
            title=task.name
            if task.delegated_from is None
            else _("%(task)s (on behalf of %(delegator)s)")
            % {"task": task.name, "delegator": _name(task.delegated_from)},
            actor=user,
            actor_role=task.role,
            task=task,
            bpmn_id=task.bpmn_id,
            data_before=before,
            data_after=outcome.data,
            comment=comment,
            articles=articles_in(task.documentation),
        )
        _apply(case, outcome, context, done=task)
    return case


def case_wake(*, case_id: int) -> Case:
    """Fire the case's due timers and run on (called by the scheduler)."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("definition")
            .get(pk=case_id)
        )
        if case.status != "running":
            return case
        context = StepContext(case=case, actor=None)
        outcome = _run(
            lambda: engine.advance(
                parsed(case.definition),
                case.state,
                operators=REGISTRY,
                helpers=ENGINE_HELPERS,
                context=context,
            )
        )
        _apply(case, outcome, context)
    return case
