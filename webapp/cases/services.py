"""Every write to a case goes through here, one transaction per step.

A step locks the case row, runs the engine on the stored state, saves the new state
with a version check, syncs the HumanTask projection, applies the operators' staff
transitions and appends the history events (``steps``). Either all of it lands or none
of it. Cases are opened here too: ``case_start`` is the one way a case begins, whoever
asks for it (``openings`` for people, a step's ``case_open`` operator, ``scheduling``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from processes import engine
from processes.errors import OperatorRefused
from webapp.accounts.models import Agency, Membership
from webapp.accounts.names import display_name
from webapp.accounts.roles import Role
from webapp.errors import NotPermitted, StepRefused, TaskConflict, articles_in
from webapp.staff.models import Staff

from .definitions import parsed
from .four_eyes import four_eyes_refuse
from .history import stage_event
from .keys import business_key
from .models import Case, CaseEvent, CaseRecusal, Definition, HumanTask, TaskState
from .operators import REGISTRY, StepContext
from .steps import ENGINE_HELPERS, run_engine, save_case, store_outcome
from .subjects import (
    ONE_RUNNING,
    assert_not_duplicate,
    definition_about,
    process_start_data,
    running_case_about,
    staff_case_data,
)


def step_context(case: Case, actor: Any) -> StepContext:
    return StepContext(
        case=case,
        actor=actor,
        open_linked=case_open_linked,
        schemas=parsed(case.definition).field_schemas,
    )


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
        case = _case_create(definition, agency, title, actor, subject, parent)
        context = step_context(case, actor)
        outcome = run_engine(
            lambda: engine.start(
                parsed(definition),
                data,
                operators=REGISTRY,
                helpers=ENGINE_HELPERS,
                context=context,
            )
        )
        stage_opened(case, data, actor, parent)
        # A new case has no tasks yet: nothing to read back.
        store_outcome(case, outcome, context, open_tasks=[])
    return case


def _case_create(
    definition: Definition,
    agency: Agency,
    title: str,
    actor: Any,
    subject: Staff | None,
    parent: Case | None,
) -> Case:
    """The case row with its business key (which needs the row's number)."""
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
    case.business_key = business_key(case)
    Case.objects.filter(pk=case.pk).update(business_key=case.business_key)
    return case


def stage_opened(case: Case, data: Mapping[str, Any], actor: Any, parent: Case | None) -> None:
    """The opening line of a case's history, with the start data and the process's
    articles."""
    stage_event(
        case,
        kind="case_started",
        title=_("Case opened: %(title)s") % {"title": case.title},
        actor=actor,
        data_after=dict(data),
        comment=_opened_by(parent, data),
        articles=", ".join(f"Art. {n}" for n in sorted(parsed(case.definition).articles)[:6]),
    )


def _opened_by(parent: Case | None, data: Mapping[str, Any]) -> str:
    if parent is None:
        return ""
    return _("Opened by case %(key)s: %(reason)s") % {
        "key": parent.business_key,
        "reason": data.get("open_reason", ""),
    }


def case_start_about(
    *,
    process_id: str,
    staff: Staff,
    actor: Any,
    data: Mapping[str, Any],
    parent: Case | None = None,
) -> Case:
    """Open a case about a member on the newest version of ``process_id``, if the process
    may be opened about them (``subjects``)."""
    definition = definition_about(process_id, staff)
    start_data = {**staff_case_data(staff), **process_start_data(process_id), **dict(data)}
    with transaction.atomic():
        # The member's row lock: two openings at once cannot both find no running case.
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
        assert_not_duplicate(process_id, staff, start_data)
        return case_start(
            definition=definition,
            agency=staff.agency,
            title=f"{definition.name}：{staff.name}",
            data=start_data,
            actor=actor,
            subject=staff,
            parent=parent,
        )


def case_open_linked(parent: Case, process_id: str, reason: str, data: Mapping[str, Any]) -> Case:
    """A step of ``parent`` opens a case about the same member (inside the same transaction)."""
    if parent.subject_id is None:
        raise OperatorRefused(_("This case has no staff member to open a linked case about."))
    staff = Staff.objects.get(pk=parent.subject_id)
    running = running_case_about(process_id, staff) if process_id in ONE_RUNNING else None
    if running is not None:
        # The member's running case already decides it (a second separation would only
        # duplicate it); the step links to that one instead of failing.
        return running
    try:
        # Opened by the engine, not by a person: nobody is its initiator, so the four-eyes
        # rule does not bar whoever's step led here from handling it.
        return case_start_about(
            process_id=process_id,
            staff=staff,
            actor=None,
            data={**dict(data), "opened_by": parent.business_key, "open_reason": reason},
            parent=parent,
        )
    except StepRefused as exc:
        raise OperatorRefused(exc.message) from None


def _locked(task_id: int, user: Any = None) -> tuple[HumanTask, Case]:
    """The task and its case, both rows locked, with the case's definition and agency,
    and what the checks of ``user`` need: one statement. Case first, then task,
    the order every step takes them in; locking the task row too means a step that
    waited for another one reads the task as that one left it."""
    user_id = user.pk if user is not None and user.is_authenticated else None
    try:
        task = _lock_query(user_id).get(pk=task_id)
    except HumanTask.DoesNotExist:
        raise NotPermitted(_("This task does not exist.")) from None
    return task, task.case


@lru_cache(maxsize=512)
def _lock_query(user_id: int | None) -> QuerySet[HumanTask]:
    """``_locked``'s query for one user, built once per process and user: building its
    five subqueries cost 2 ms of CPU a step, as much as the engine's own work. Each use
    clones it (a query set is never changed by using it)."""
    # Only locked rows and rows that never change under a step (a deployed definition,
    # the agency) are joined: a row joined without a lock is read as it was before the
    # wait, so the assignee, who completed it and the member are read after it.
    tasks = HumanTask.objects.select_for_update(of=("case", "self")).select_related(
        "case__definition", "case__agency"
    )
    if user_id is not None:
        tasks = tasks.annotate(
            user_member=Exists(
                Membership.objects.filter(user_id=user_id, agency_id=OuterRef("agency_id"))
            ),
            user_holds_role=Exists(
                Membership.objects.filter(
                    user_id=user_id, agency_id=OuterRef("agency_id"), role=OuterRef("role")
                )
            ),
            # Whether the user completed a step of the case or opened it: if not, no
            # four-eyes rule can bar them and the history need not be read (four_eyes.py).
            user_acted=Exists(
                CaseEvent.objects.filter(
                    case_id=OuterRef("case_id"),
                    actor_id=user_id,
                    kind__in=("task_completed", "case_started"),
                )
            ),
            user_recusal=Subquery(
                CaseRecusal.objects.filter(case_id=OuterRef("case_id"), user_id=user_id).values(
                    "reason"
                )[:1]
            ),
        )
    return tasks.annotate(
        others_open=Exists(
            HumanTask.objects.filter(
                case_id=OuterRef("case_id"), state__in=[TaskState.OPEN, TaskState.CLAIMED]
            ).exclude(pk=OuterRef("pk"))
        )
    )


def _may_act(task: HumanTask, user: Any, *, completing: bool = False) -> None:
    """``task`` comes from ``_locked(task_id, user)``, which answered the questions."""
    # Art. 12: an appeal is reviewed by someone who took no part in the decision.
    recusal = getattr(task, "user_recusal", None)
    if recusal is not None:
        raise NotPermitted(
            _("You %(reason)s, so someone else must act on this case (Art. 12).")
            % {"reason": recusal},
            article="Art. 12",
        )
    # Claiming gave the assignee the task, not the role: completing checks the role again,
    # so someone who lost it after claiming cannot complete (issue 19).
    if task.assignee_id == user.pk and not completing:
        return
    if not getattr(task, "user_holds_role", False):
        raise NotPermitted(_("This task belongs to another role or agency."))


def _refuse_if_closed(task: HumanTask, user: Any) -> None:
    if task.state == TaskState.DONE:
        who = task.completed_by
        name = display_name(who) if who else _("someone")
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
        name = display_name(assignee) if assignee else ""
        raise TaskConflict(_("%(name)s has claimed this task.") % {"name": name})


def task_claim(*, task_id: int, user: Any) -> HumanTask:
    with transaction.atomic():
        task, case = _locked(task_id, user)
        _may_act(task, user)
        _refuse_if_closed(task, user)
        if task.state == TaskState.CLAIMED:
            return task
        task.claim()
        task.assignee = user
        task.claimed_at = timezone.now()
        task.save(update_fields=["state", "assignee", "claimed_at"])
        stage_event(
            case,
            kind="task_claimed",
            title=task.name,
            actor=user,
            actor_role=task.role,
            task=task,
            bpmn_id=task.bpmn_id,
            articles=articles_in(task.documentation),
        )
        save_case(case)
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
        task.save(update_fields=["state", "assignee", "claimed_at"])
        stage_event(
            case,
            kind="task_released",
            title=task.name,
            actor=user,
            actor_role=task.role,
            task=task,
            bpmn_id=task.bpmn_id,
            articles=articles_in(task.documentation),
        )
        save_case(case)
    return task


# Reads the person's input once the task is loaded (the page's form is the task's own).
TaskInput = Callable[[HumanTask], tuple[Mapping[str, Any], str]]


def task_complete(
    *,
    task_id: int,
    user: Any,
    data: Mapping[str, Any] | None = None,
    comment: str = "",
    read_input: TaskInput | None = None,
) -> Case:
    """Complete a human task with form data and a comment, and advance the case.

    ``read_input`` instead of ``data``: called with the locked task, it returns the data
    and comment (or raises), so a page completing a task loads it once, not twice."""
    with transaction.atomic():
        task, case = _locked(task_id, user)
        if read_input is not None:
            data, comment = read_input(task)
        _may_act(task, user, completing=True)
        _refuse_if_closed(task, user)
        _refuse_own_approval(task, case, user)
        four_eyes_refuse(task=task, case=case, user=user)
        before = dict(case.data)
        context = step_context(case, user)
        outcome = run_engine(
            lambda: engine.complete_task(
                parsed(case.definition),
                case.state,
                task.engine_task_id,
                data or {},
                operators=REGISTRY,
                helpers=ENGINE_HELPERS,
                context=context,
            )
        )
        _task_done(case, task, user, before, outcome.data, comment)
        # Read the case's other open tasks only if it has any (most cases wait on one).
        others: list[HumanTask] | None = None if getattr(task, "others_open", True) else []
        store_outcome(case, outcome, context, done=task, open_tasks=others)
    return case


def _refuse_own_approval(task: HumanTask, case: Case, user: Any) -> None:
    if task.role == Role.APPROVER and case.started_by_id == user.pk:
        raise NotPermitted(
            _(
                "You opened this case, so its approval must be given by someone else "
                "(four-eyes principle)."
            )
        )


def _task_done(
    case: Case,
    task: HumanTask,
    user: Any,
    before: dict[str, Any],
    after: dict[str, Any],
    comment: str,
) -> None:
    """Mark the task done by ``user`` and write the history line with the data it changed."""
    task.finish()
    task.assignee = user
    task.completed_by = user
    task.completed_at = timezone.now()
    task.save(update_fields=["state", "assignee", "completed_by", "completed_at"])
    stage_event(
        case,
        kind="task_completed",
        title=task.name
        if task.delegated_from is None
        else _("%(task)s (on behalf of %(delegator)s)")
        % {"task": task.name, "delegator": display_name(task.delegated_from)},
        actor=user,
        actor_role=task.role,
        task=task,
        bpmn_id=task.bpmn_id,
        data_before=before,
        data_after=after,
        comment=comment,
        articles=articles_in(task.documentation),
    )


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
        context = step_context(case, None)
        outcome = run_engine(
            lambda: engine.advance(
                parsed(case.definition),
                case.state,
                operators=REGISTRY,
                helpers=ENGINE_HELPERS,
                context=context,
            )
        )
        store_outcome(case, outcome, context)
    return case
