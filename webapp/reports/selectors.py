"""Figures the justice bureau assesses agencies by (Art. 6).

Every figure is one aggregate query grouped by agency (or by process / task), so the
cost grows with the number of groups, not with the number of staff or cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.expressions import CombinedExpression
from django.utils import timezone

from webapp.accounts.models import NON_EMPLOYING_KINDS, Agency
from webapp.accounts.roles import Role
from webapp.accounts.selectors import agency_subtree_ids, role_pairs, visible_agency_ids
from webapp.cases.models import Case, CaseStatus, HumanTask, TaskState
from webapp.records.models import (
    Assessment,
    CorrectionOrder,
    DisciplineRecord,
    FilingState,
    MeasuresFiling,
    OrderState,
    UsagePlan,
)
from webapp.staff.models import Certificate, CertificateState, Staff, StaffState
from webapp.staff.selectors import HEADCOUNT_STATES

# Art. 6: the justice bureau, the bodies that approve quotas and pay (staffing office,
# HR & social security), auditors, and an agency's own HR officers and approvers.
REPORT_ROLES = frozenset(
    {
        Role.JUSTICE_BUREAU,
        Role.AUDITOR,
        Role.STAFFING_OFFICE,
        Role.HRSS,
        Role.APPROVER,
        Role.HR_OFFICER,
    }
)
OPEN_TASK_STATES = (TaskState.OPEN, TaskState.CLAIMED)


@dataclass(frozen=True)
class Period:
    """A closed range of calendar days in the local time zone."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tzinfo=zone)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return first, after

    def holds(self, field: str) -> Q:
        first, after = self.bounds()
        return Q(**{f"{field}__gte": first, f"{field}__lt": after})


def may_see_reports(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    return any(role in REPORT_ROLES for _agency, role in role_pairs(user))


def report_agencies(user: Any) -> QuerySet[Agency]:
    """The agencies a user's reports cover: their own agencies and the units below them,
    and every agency under a read grant (auditors, the justice bureau)."""
    if not may_see_reports(user):
        return Agency.objects.none()
    return Agency.objects.filter(pk__in=agency_subtree_ids(visible_agency_ids(user)))


def report_agency_ids(scope: QuerySet[Agency], chosen: Agency | None = None) -> set[int]:
    """The agencies one report covers: the user's scope, or the chosen agency and the units
    below it within that scope."""
    ids = set(scope.values_list("pk", flat=True))
    return ids if chosen is None else ids & agency_subtree_ids({chosen.pk})


def employing_agencies(ids: set[int]) -> list[Agency]:
    """The agencies among ``ids`` that may employ auxiliary staff (Art. 2, 3)."""
    agencies = Agency.objects.filter(pk__in=ids).exclude(kind__in=NON_EMPLOYING_KINDS)
    return list(agencies.order_by("code"))


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _between(end: str, start: str) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _keyed(rows: Any, key: str) -> dict[Any, dict[str, Any]]:
    """Rows of a values() query as plain dicts by one of their columns."""
    result: dict[Any, dict[str, Any]] = {}
    for row in rows:
        plain = dict(row)
        result[plain.pop(key)] = plain
    return result


def headcount_by_agency(ids: set[int]) -> dict[int, dict[str, int]]:
    """Art. 9, 19: staff counted against the quota, on duty, and holding a valid
    certificate; approved usage plans. Current figures, not limited to a period."""
    figures: dict[int, dict[str, int]] = {}
    staff = (
        Staff.objects.filter(agency_id__in=ids)
        .values("agency_id")
        .annotate(
            in_use=Count("id", filter=Q(state__in=HEADCOUNT_STATES)),
            on_duty=Count("id", filter=Q(state=StaffState.ON_DUTY)),
        )
    )
    for row in staff:
        figures.setdefault(row["agency_id"], {}).update(
            in_use=row["in_use"], on_duty=row["on_duty"]
        )
    # At most one certificate is in force per person (a constraint), so rows = people.
    certified = (
        Certificate.objects.filter(
            state=CertificateState.ISSUED,
            staff__agency_id__in=ids,
            staff__state__in=HEADCOUNT_STATES,
        )
        .values("staff__agency_id")
        .annotate(n=Count("id"))
    )
    for row in certified:
        figures.setdefault(row["staff__agency_id"], {})["certified"] = row["n"]
    plans = (
        UsagePlan.objects.filter(agency_id__in=ids, approved=True)
        .values("agency_id")
        .annotate(n=Sum("headcount"))
    )
    for row in plans:
        figures.setdefault(row["agency_id"], {})["planned"] = int(row["n"] or 0)
    return figures


def grades_by_agency(ids: set[int], period: Period) -> dict[tuple[int, str], int]:
    """Art. 20: assessment grades for the assessment years the period touches."""
    rows = (
        Assessment.objects.filter(
            staff__agency_id__in=ids, year__gte=period.start.year, year__lte=period.end.year
        )
        .values("staff__agency_id", "grade")
        .annotate(n=Count("id"))
    )
    return {(row["staff__agency_id"], row["grade"]): row["n"] for row in rows}


def training_by_agency(ids: set[int], period: Period) -> dict[int, dict[str, Any]]:
    """Art. 19: training cases opened in the period; a passed one ended by issuing a
    certificate (its outcome is the certificate number), a failed one ended without."""
    certified = Exists(Certificate.objects.filter(number=OuterRef("outcome")))
    rows = (
        Case.objects.filter(period.holds("started_at"))
        .filter(agency_id__in=ids, definition__process_id="training")
        .annotate(certified=certified)
        .values("agency_id")
        .annotate(
            opened=Count("id"),
            passed=Count("id", filter=Q(status=CaseStatus.COMPLETED, certified=True)),
            failed=Count("id", filter=Q(status=CaseStatus.COMPLETED, certified=False)),
            running=Count("id", filter=Q(status=CaseStatus.RUNNING)),
        )
    )
    return _keyed(rows, "agency_id")


def complaints_by_agency(ids: set[int], period: Period) -> dict[int, dict[str, Any]]:
    """Art. 18: complaints received in the period, replied to, substantiated, and the time
    from receipt to the recorded reply."""
    reply_time = _between("complaint__recorded_at", "started_at")
    rows = (
        Case.objects.filter(period.holds("started_at"))
        .filter(agency_id__in=ids, definition__process_id="complaint")
        .values("agency_id")
        .annotate(
            received=Count("id"),
            replied=Count("complaint"),
            substantiated=Count("id", filter=Q(complaint__substantiated=True)),
            open=Count("id", filter=Q(status=CaseStatus.RUNNING)),
            mean_reply=Avg(reply_time),
            max_reply=Max(reply_time),
        )
    )
    result = _keyed(rows, "agency_id")
    for row in result.values():
        row["mean_reply"] = _seconds(row["mean_reply"])
        row["max_reply"] = _seconds(row["max_reply"])
    return result


def complaint_reply_totals(ids: set[int], period: Period) -> dict[str, float | None]:
    """The mean and longest reply over all agencies (a mean of means would be wrong)."""
    reply_time = _between("complaint__recorded_at", "started_at")
    totals = (
        Case.objects.filter(period.holds("started_at"))
        .filter(agency_id__in=ids, definition__process_id="complaint")
        .aggregate(mean_reply=Avg(reply_time), max_reply=Max(reply_time))
    )
    return {key: _seconds(value) for key, value in totals.items()}


def discipline_by_agency(ids: set[int], period: Period) -> dict[tuple[int, str], int]:
    """Art. 15, 23: discipline decisions recorded in the period."""
    rows = (
        DisciplineRecord.objects.filter(period.holds("recorded_at"))
        .filter(staff__agency_id__in=ids)
        .values("staff__agency_id", "decision")
        .annotate(n=Count("id"))
    )
    return {(row["staff__agency_id"], row["decision"]): row["n"] for row in rows}


def supervision_by_agency(ids: set[int], period: Period) -> dict[int, dict[str, int]]:
    """Art. 22, 26: correction orders opened in the period (corrected, still open, deadline
    missed) and detailed measures submitted in the period (filed, with the departments,
    times returned). Two aggregate queries."""
    figures: dict[int, dict[str, int]] = {}
    orders = (
        CorrectionOrder.objects.filter(period.holds("opened_at"), agency_id__in=ids)
        .values("agency_id")
        .annotate(
            orders=Count("id"),
            corrected=Count("id", filter=Q(state=OrderState.CORRECTED)),
            orders_open=Count("id", filter=Q(state=OrderState.OPEN)),
            overdue=Count("id", filter=Q(overdue=True)),
        )
    )
    for agency_id, got in _keyed(orders, "agency_id").items():
        figures.setdefault(agency_id, {}).update(got)
    filings = (
        MeasuresFiling.objects.filter(period.holds("submitted_at"), agency_id__in=ids)
        .values("agency_id")
        .annotate(
            filings=Count("id"),
            filed=Count("id", filter=Q(state=FilingState.FILED)),
            pending=Count("id", filter=Q(state=FilingState.PENDING)),
            returned=Sum("returned"),
        )
    )
    for agency_id, got in _keyed(filings, "agency_id").items():
        figures.setdefault(agency_id, {}).update({**got, "returned": int(got["returned"] or 0)})
    return figures


def cycle_times(ids: set[int], period: Period) -> list[dict[str, Any]]:
    """Cases opened in the period per process: how many finished and how long they took
    (started_at to finished_at of the completed ones)."""
    cycle = _between("finished_at", "started_at")
    done = Q(status=CaseStatus.COMPLETED)
    rows = (
        Case.objects.filter(period.holds("started_at"))
        .filter(agency_id__in=ids)
        .values("definition__process_id")
        .annotate(
            started=Count("id"),
            completed=Count("id", filter=done),
            running=Count("id", filter=Q(status=CaseStatus.RUNNING)),
            cancelled=Count("id", filter=Q(status=CaseStatus.CANCELLED)),
            mean_cycle=Avg(cycle, filter=done),
            max_cycle=Max(cycle, filter=done),
        )
        .order_by("definition__process_id")
    )
    result = []
    for process_id, row in _keyed(rows, "definition__process_id").items():
        row.update(process_id=process_id)
        row.update(mean_cycle=_seconds(row["mean_cycle"]), max_cycle=_seconds(row["max_cycle"]))
        result.append(row)
    return result


def waiting_times(ids: set[int], period: Period, now: datetime) -> list[dict[str, Any]]:
    """Where cases wait: per task of each process, the wait from the task's creation to
    its completion (tasks created in the period) and the tasks open now, however old.
    Longest mean wait first."""
    wait = _between("completed_at", "created_at")
    in_period = period.holds("created_at")
    done = in_period & Q(state=TaskState.DONE)
    is_open = Q(state__in=OPEN_TASK_STATES)
    rows = (
        # The case's agency: a usage plan waiting at the staffing office waits for it.
        HumanTask.objects.filter(case__agency_id__in=ids)
        .filter(in_period | is_open)
        .values("case__definition__process_id", "bpmn_id")
        .annotate(
            name=Max("name"),
            role=Max("role"),
            completed=Count("id", filter=done),
            mean_wait=Avg(wait, filter=done),
            max_wait=Max(wait, filter=done),
            open=Count("id", filter=is_open),
            oldest_open=Min("created_at", filter=is_open),
        )
    )
    result: list[dict[str, Any]] = []
    for values in rows:
        row: dict[str, Any] = dict(values)
        oldest = row.pop("oldest_open")
        row["process_id"] = row.pop("case__definition__process_id")
        row.update(mean_wait=_seconds(row["mean_wait"]), max_wait=_seconds(row["max_wait"]))
        row["open_wait"] = (now - oldest).total_seconds() if oldest else None
        result.append(row)
    result.sort(key=_longest_wait, reverse=True)
    return result


def _longest_wait(row: dict[str, Any]) -> float:
    return max(float(row["mean_wait"] or 0), float(row["open_wait"] or 0))
