"""What the scheduler runs: due timers, the yearly assessment, contract renewals, and
reminders and escalations of task deadlines. Each is safe to run twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.accounts.roles import Role
from webapp.accounts.services import notify_user, role_holders
from webapp.errors import articles_in
from webapp.records.models import Assessment
from webapp.staff.models import Staff

from .batches import Opening, cases_start_many
from .definitions import latest_deployed
from .history import append_event
from .models import Case, HumanTask, TaskState
from .services import case_start, case_wake
from .steps import save_case
from .subjects import PROCESS_SUBJECT_STATES, staff_case_data


def due_case_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Case.objects.filter(status="running", wake_at__lte=now).values_list("pk", flat=True)
    )


def wake_due_cases(now: datetime | None = None) -> int:
    """Wake every running case whose next timer is due; returns how many were woken."""
    due = due_case_ids(now)
    for case_id in due:
        case_wake(case_id=case_id)
    return len(due)


# Members opened per transaction: big enough that a batch's few statements cost little
# per case, small enough that an interruption loses little and the members' rows are
# not held locked for long.
ASSESSMENT_CHUNK = 250


def assessment_chunks(*, size: int | None = None) -> list[tuple[int, int]]:
    """The on-duty members split into runs of ``size``: (first id, last id) of each."""
    size = size or ASSESSMENT_CHUNK
    ids = list(Staff.objects.filter(state="on_duty").order_by("pk").values_list("pk", flat=True))
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def assessments_open_chunk(*, year: int, first: int, last: int) -> list[Case]:
    """Art. 20: open the year's assessment for the on-duty members with ids in
    [first, last] who have none yet, in one transaction (``batches``).

    The members' rows are locked first, so an opening of one of them elsewhere (a person
    opening an assessment by hand) waits or is seen; then those already assessed for
    ``year`` (running or finished) are skipped. Running it twice, or again after an
    interruption, opens nothing twice."""
    definition = latest_deployed("assessment")
    with transaction.atomic():
        members = list(
            Staff.objects.select_for_update(of=("self",))
            .filter(state="on_duty", pk__gte=first, pk__lte=last)
            .select_related("agency")
            .order_by("pk")
        )
        assessed = set(
            Case.objects.filter(
                definition__process_id="assessment",
                subject__in=[m.pk for m in members],
                data__assessment_year=year,
            ).values_list("subject_id", flat=True)
        )
        return cases_start_many(
            definition=definition,
            openings=[
                Opening(
                    agency=staff.agency,
                    title=f"{definition.name}：{staff.name}（{year}）",
                    data={**staff_case_data(staff), "assessment_year": year},
                    subject=staff,
                )
                for staff in members
                if staff.pk not in assessed
            ],
        )


def assessments_open_yearly(*, year: int) -> list[Case]:
    """Art. 20: open the year's assessment for every on-duty member who has none yet,
    chunk by chunk (the Celery job sends the chunks to the workers instead)."""
    opened: list[Case] = []
    for first, last in assessment_chunks():
        opened += assessments_open_chunk(year=year, first=first, last=last)
    return opened


REMIND_BEFORE = timedelta(hours=24)


def deadlines_sweep(now: datetime | None = None) -> dict[str, int]:
    """Remind assignees before a task falls due; escalate overdue tasks to the approvers.

    Each task is reminded and escalated at most once: the flag is set by a conditional
    update, so two sweeps running at once notify once.
    """
    now = now or timezone.now()
    active = HumanTask.objects.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED])
    reminded = escalated = 0
    for task in active.filter(
        reminded_at__isnull=True, due_at__gt=now, due_at__lte=now + REMIND_BEFORE
    ).select_related("case"):
        if HumanTask.objects.filter(pk=task.pk, reminded_at__isnull=True).update(reminded_at=now):
            people = [task.assignee] if task.assignee else role_holders(task.agency_id, task.role)
            for person in people:
                notify_user(
                    person,
                    title=_("Due soon: %(task)s") % {"task": task.name},
                    body=f"{task.case.business_key} {task.case.title}",
                    url=reverse("inbox:task", args=[task.pk]),
                )
            reminded += 1
    for task in active.filter(escalated_at__isnull=True, due_at__lte=now).select_related("case"):
        if HumanTask.objects.filter(pk=task.pk, escalated_at__isnull=True).update(escalated_at=now):
            _escalate(task)
            escalated += 1
    return {"reminded": reminded, "escalated": escalated}


def _escalate(task: HumanTask) -> None:
    # The approvers of the task's agency may hand it to a named colleague from the task
    # page; a body with no approvers (a staffing office) hears it itself.
    people = role_holders(task.agency_id, Role.APPROVER) or role_holders(task.agency_id, task.role)
    for person in people:
        notify_user(
            person,
            title=_("Overdue: %(task)s") % {"task": task.name},
            body=_("%(case)s. Open the task to complete it or assign it to a colleague.")
            % {"case": f"{task.case.business_key} {task.case.title}"},
            url=reverse("inbox:task", args=[task.pk]),
        )
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=task.case_id)
        append_event(
            case,
            kind="task_overdue",
            title=_("%(task)s is overdue; escalated to the approvers") % {"task": task.name},
            task=task,
            bpmn_id=task.bpmn_id,
            articles=articles_in(task.documentation),
        )
        save_case(case)


RENEWAL_NOTICE = timedelta(days=60)


def renewals_open(*, today: date | None = None) -> list[Case]:
    """Raise a renewal case for every contract ending within the notice window (Art. 20).

    Idempotent: a member already having a renewal case for the same contract end date is
    skipped.
    """
    today = today or timezone.localdate()
    definition = latest_deployed("renewal")
    opened: list[Case] = []
    ending = Staff.objects.filter(
        state__in=PROCESS_SUBJECT_STATES["renewal"],
        contract_end__isnull=False,
        contract_end__lte=today + RENEWAL_NOTICE,
    ).select_related("agency")
    for staff in ending.order_by("contract_end", "pk"):
        end = staff.contract_end.isoformat() if staff.contract_end else ""
        with transaction.atomic():
            Staff.objects.select_for_update().get(pk=staff.pk)
            if Case.objects.filter(
                definition__process_id="renewal", subject=staff, data__contract_end=end
            ).exists():
                continue
            last = Assessment.objects.filter(staff=staff).order_by("-year").first()
            opened.append(
                case_start(
                    definition=definition,
                    agency=staff.agency,
                    title=f"{definition.name}：{staff.name}（{end}）",
                    data={
                        **staff_case_data(staff),
                        "contract_end": end,
                        "last_grade": last.grade if last else "",
                        "last_grade_year": last.year if last else 0,
                    },
                    actor=None,
                    subject=staff,
                )
            )
    return opened
