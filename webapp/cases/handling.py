"""What people do to a task or a case besides completing one task: assign a task to a
named colleague, urge it (催办), complete many tasks of one kind with one decision,
withdraw a case opened by mistake, terminate one that must stop.

Each write is one transaction on the locked case row, recorded in the hash-chained
history with the article behind it (Art. 4: who uses, manages and is responsible;
Art. 15(3): the record). Completing many is many ``task_complete`` calls, each its own
transaction, so every rule of a single completion (claim, four eyes, the models' own
refusals) still applies to each task.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.accounts.models import Membership
from webapp.accounts.names import display_name
from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role
from webapp.accounts.services import notify_user, role_holders
from webapp.errors import NotPermitted, StepRefused, TaskConflict
from webapp.staff.models import Staff, StaffState

from .history import append_event
from .models import Case, CaseEvent, CaseStatus, HumanTask, TaskState
from .selectors import may_urge, step_outcome

# These steps reuse the single-task step's lock and checks.
from .services import _locked, task_complete
from .steps import save_case

# Art. 4: the agency that uses the staff manages the case and answers for stopping it.
CONTROL_ARTICLE = "Art. 4"
# One urging per task an hour is enough for the people it reaches.
URGE_EVERY = timedelta(hours=1)


def task_assign(*, task_id: int, user: Any, assignee: Any) -> HumanTask:
    """Give an open task to a named colleague holding its role in its agency. A holder
    of the role, the current assignee or an approver of the agency may do it (an
    escalated task lands on the approvers, who hand it on)."""
    with transaction.atomic():
        task, case = _locked(task_id)
        if not task.is_active:
            raise TaskConflict(_("This task is closed; it can no longer be assigned."))
        if not _may_assign(task, user):
            raise NotPermitted(_("Only a holder of this task's role or an approver may assign it."))
        _refuse_assignee(task, case, assignee)
        if task.state == TaskState.OPEN:
            task.claim()
        task.assignee = assignee
        task.claimed_at = timezone.now()
        task.save()
        append_event(
            case,
            kind="task_assigned",
            title=_("%(task)s: assigned to %(name)s")
            % {"task": task.name, "name": display_name(assignee)},
            actor=user,
            task=task,
            bpmn_id=task.bpmn_id,
            articles=CONTROL_ARTICLE,
        )
        save_case(case)
    notify_user(
        assignee,
        title=_("Assigned to you: %(task)s") % {"task": task.name},
        body=f"{case.business_key} {case.title}",
        url=reverse("inbox:task", args=[task.pk]),
    )
    return task


def _may_assign(task: HumanTask, user: Any) -> bool:
    return (
        task.assignee_id == user.pk
        or has_role(user, task.role, task.agency_id)
        or has_role(user, Role.APPROVER, task.agency_id)
    )


def _refuse_assignee(task: HumanTask, case: Case, assignee: Any) -> None:
    holds = Membership.objects.filter(
        user_id=assignee.pk, agency_id=task.agency_id, role=task.role, user__is_active=True
    ).exists()
    if not holds:
        raise StepRefused(
            _("%(name)s does not hold this task's role in %(agency)s.")
            % {"name": display_name(assignee), "agency": task.agency.name}
        )
    if task.role == Role.APPROVER and case.started_by_id == assignee.pk:
        raise StepRefused(
            _(
                "%(name)s opened this case, so its approval must be given by someone else "
                "(four-eyes principle)."
            )
            % {"name": display_name(assignee)}
        )


def task_urge(*, task_id: int, user: Any, note: str = "") -> HumanTask:
    """催办: remind whoever holds an open task that someone waits for it; recorded in the
    history, at most once an hour per task."""
    with transaction.atomic():
        task, case = _locked(task_id)
        if not may_urge(task, user):
            raise NotPermitted(_("Only someone acting for the case's agency may urge its tasks."))
        if not task.is_active:
            raise TaskConflict(_("This task is closed; there is nothing to urge."))
        recent = CaseEvent.objects.filter(
            task=task, kind="task_urged", at__gte=timezone.now() - URGE_EVERY
        ).exists()
        if recent:
            raise StepRefused(_("This task was urged less than an hour ago."))
        append_event(
            case,
            kind="task_urged",
            title=_("Urged: %(task)s") % {"task": task.name},
            actor=user,
            task=task,
            bpmn_id=task.bpmn_id,
            comment=note[:500],
        )
        save_case(case)
    people = [task.assignee] if task.assignee else role_holders(task.agency_id, task.role)
    for person in people:
        notify_user(
            person,
            title=_("Urged by %(name)s: %(task)s")
            % {"name": display_name(user), "task": task.name},
            body=f"{case.business_key} {case.title}\n{note}".strip(),
            url=reverse("inbox:task", args=[task.pk]),
        )
    return task


@dataclass(frozen=True)
class BulkResult:
    """What happened to one task of a bulk completion."""

    task_id: int
    business_key: str
    title: str
    ok: bool
    message: str


def tasks_complete_bulk(
    *, tasks: Sequence[HumanTask], user: Any, data: Mapping[str, Any], comment: str
) -> list[BulkResult]:
    """Complete tasks of one kind with the same decision and comment: each task its own
    transaction and every rule applied to it; one refused leaves the others done."""
    kinds = {(t.case.definition.process_id, t.bpmn_id) for t in tasks}
    if len(kinds) > 1:
        raise StepRefused(_("Tasks completed together must all be the same step."))
    results = []
    for task in tasks:
        try:
            case = task_complete(task_id=task.pk, user=user, data=data, comment=comment)
        except StepRefused as exc:
            results.append(
                BulkResult(task.pk, task.case.business_key, task.case.title, False, exc.message)
            )
        else:
            # The step left its history lines on the case: the sentence needs no read.
            results.append(
                BulkResult(task.pk, case.business_key, case.title, True, step_outcome(case, task))
            )
    return results


def case_withdraw(*, case_id: int, user: Any, reason: str) -> Case:
    """The person who opened a case withdraws it, as long as nobody else has acted on it."""
    with transaction.atomic():
        case = _locked_case(case_id)
        if case.started_by_id != user.pk:
            raise NotPermitted(_("Only the person who opened a case may withdraw it."))
        others = CaseEvent.objects.filter(case=case, actor__isnull=False).exclude(actor=user)
        if others.exists():
            raise StepRefused(
                _("Someone else has already acted on this case; ask an approver to terminate it.")
            )
        _close(
            case, user, "case_withdrawn", _("Case withdrawn by the person who opened it"), reason
        )
    return case


def case_terminate(*, case_id: int, user: Any, reason: str) -> Case:
    """An approver of the case's agency stops a running case, giving the reason."""
    if not reason.strip():
        raise StepRefused(_("Give the reason for terminating the case."), field="reason")
    with transaction.atomic():
        case = _locked_case(case_id)
        if not has_role(user, Role.APPROVER, case.agency_id):
            raise NotPermitted(_("Only an approver of the case's agency may terminate it."))
        _close(case, user, "case_terminated", _("Case terminated by an approver"), reason)
    return case


def _locked_case(case_id: int) -> Case:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("definition", "agency", "subject")
        .get(pk=case_id)
    )
    if case.status != CaseStatus.RUNNING:
        raise TaskConflict(_("This case is no longer running."))
    return case


def _close(case: Case, user: Any, kind: str, title: str, reason: str) -> None:
    """Withdraw the case's open tasks, leave an applicant not hired, stop the case."""
    for task in case.tasks.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED]):
        task.withdraw()
        task.save()
        append_event(case, kind="task_withdrawn", title=task.name, task=task, bpmn_id=task.bpmn_id)
    _release_applicant(case)
    case.cancel()
    case.outcome = f"{title}：{reason.strip()}"[:200] if reason.strip() else title
    case.finished_at = timezone.now()
    case.wake_at = None
    append_event(
        case, kind=kind, title=title, actor=user, comment=reason.strip(), articles=CONTROL_ARTICLE
    )
    save_case(case)


def _release_applicant(case: Case) -> None:
    """An applicant whose recruitment stops is recorded as not hired (Art. 10, 11)."""
    staff = case.subject
    if staff is None or staff.state != StaffState.APPLICANT:
        return
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    before = staff.get_state_display()
    staff.reject()
    staff.save()
    append_event(
        case,
        kind="staff_state",
        title=_("%(name)s: %(before)s → %(after)s")
        % {"name": staff.name, "before": before, "after": staff.get_state_display()},
        data_after={"staff": staff.pk, "state": staff.state},
        articles="Art. 10, Art. 11",
    )
