"""Supervision of agencies: correction orders (Art. 22) and the filing of detailed measures
with the three departments (Art. 26), both counted in the Art. 6 report.

Tasks of the oversight lanes (justice_bureau, staffing_office, hrss) go to those roles in
the case's agency until routing to the oversight bodies lands (issue 12), so the
reviewing users here hold their role in the supervised agency.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.fixtures import _user
from webapp.accounts.models import Grant, Membership, Notification
from webapp.accounts.roles import Role
from webapp.cases.models import Case
from webapp.cases.services import case_wake, task_complete
from webapp.cases.supervision import correction_order_open, measures_filing_open
from webapp.errors import NotPermitted, StepRefused
from webapp.records.models import CorrectionOrder, MeasuresFiling
from webapp.reports import tables
from webapp.reports.selectors import Period

from .conftest import PASSWORD
from .flows import open_task

pytestmark = pytest.mark.django_db

IN_TWO_MONTHS = timezone.localdate() + timedelta(days=60)
FINDINGS = "辅助人员独立开展执法调查取证，违反《办法》第十四条"


@pytest.fixture(autouse=True)
def _deployed(models_deployed: Any) -> Any:
    return models_deployed


@pytest.fixture
def justice(city: Any, agency: Any) -> Any:
    user = _user("justice", city, Role.JUSTICE_BUREAU)
    Grant.objects.create(user=user, agency=city)
    Membership.objects.create(user=user, agency=agency, role=Role.JUSTICE_BUREAU)  # routing
    return user


def _order(justice: Any, agency: Any, days: int = 30) -> Case:
    return correction_order_open(
        user=justice,
        agency=agency,
        findings=FINDINGS,
        deadline=timezone.localdate() + timedelta(days=days),
    )


def _report(case: Case, approver: Any, text: str = "已停止辅助人员独立调查") -> None:
    task_complete(
        task_id=open_task(case, "report_correction").pk,
        user=approver,
        data={"correction_measures": text, "correction_completed_on": "2026-06-01"},
    )


def _review(case: Case, justice: Any, accepted: bool) -> None:
    task_complete(
        task_id=open_task(case, "review_correction").pk,
        user=justice,
        data={"correction_accepted": accepted, "correction_review_opinion": "意见"},
    )


def test_the_justice_bureau_orders_a_correction_and_closes_it_after_a_return(
    justice, agency, approver
):
    case = _order(justice, agency)
    order = CorrectionOrder.objects.get(case=case)
    assert order.agency == agency and order.findings == FINDINGS and not order.overdue
    assert case.agency == agency and case.business_key.startswith("ZG-")
    report = open_task(case, "report_correction")
    assert report.role == Role.APPROVER and report.agency == agency
    _report(case, approver, "初步整改")
    _review(case, justice, accepted=False)
    _report(case, approver)
    _review(case, justice, accepted=True)
    order.refresh_from_db()
    assert order.state == "corrected" and order.rounds == 1 and order.closed_at
    assert Case.objects.get(pk=case.pk).status == "completed"


def test_a_missed_deadline_is_recorded_and_the_report_still_awaited(justice, agency, approver):
    case = _order(justice, agency, days=10)
    assert case.wake_at is not None
    assert case.wake_at.date() >= timezone.localdate() + timedelta(days=10)
    with time_machine.travel(timezone.now() + timedelta(days=12), tick=False):
        case_wake(case_id=case.pk)
    assert CorrectionOrder.objects.get(case=case).overdue
    assert open_task(case, "report_correction").is_active
    assert Notification.objects.filter(user=approver, title__contains="届满").exists()


def test_only_the_justice_bureau_or_a_superior_organ_orders_a_correction(
    agency, hr, stranger, city
):
    for outsider in (hr, stranger):
        with pytest.raises(NotPermitted) as refused:
            correction_order_open(
                user=outsider, agency=agency, findings=FINDINGS, deadline=IN_TWO_MONTHS
            )
        assert refused.value.article == "Art. 22"
    mayor = _user("mayor", city, Role.APPROVER)  # the superior organ's leadership
    case = correction_order_open(
        user=mayor, agency=agency, findings=FINDINGS, deadline=IN_TWO_MONTHS
    )
    assert case.data["ordered_by"] == city.name


def test_a_correction_order_needs_findings_and_a_deadline_after_today(justice, agency):
    with pytest.raises(StepRefused) as late:
        correction_order_open(
            user=justice, agency=agency, findings=FINDINGS, deadline=timezone.localdate()
        )
    assert late.value.field == "correction_deadline" and late.value.article == "Art. 22"
    with pytest.raises(StepRefused) as empty:
        correction_order_open(user=justice, agency=agency, findings=" ", deadline=IN_TWO_MONTHS)
    assert empty.value.field == "order_findings"
    assert not Case.objects.exists()


@pytest.fixture
def departments(agency: Any) -> dict[str, Any]:
    return {
        "staffing": _user("bb", agency, Role.STAFFING_OFFICE),
        "hrss": _user("rs", agency, Role.HRSS),
        "justice": _user("sf", agency, Role.JUSTICE_BUREAU),
    }


def _reviews(case: Case, departments: dict[str, Any], returned_by: str = "") -> None:
    for prefix in ("staffing", "hrss", "justice"):
        ok = prefix != returned_by
        data: dict[str, Any] = {f"{prefix}_acknowledged": ok}
        if not ok:
            data[f"{prefix}_opinion"] = "第三条与《办法》第十四条不一致"
        task_complete(
            task_id=open_task(case, f"review_{prefix}").pk, user=departments[prefix], data=data
        )


def test_detailed_measures_are_filed_once_the_three_departments_acknowledge(
    agency, hr, departments
):
    case = measures_filing_open(
        user=hr,
        agency=agency,
        title="城管局辅助人员管理实施细则",
        text="第一条 ……",
        adopted_on=date(2026, 3, 1),
    )
    filing = MeasuresFiling.objects.get(case=case)
    assert filing.state == "pending"
    _reviews(case, departments, returned_by="hrss")
    task_complete(
        task_id=open_task(case, "revise_measures").pk,
        user=hr,
        data={"measures_revision_summary": "已修改第三条"},
    )
    _reviews(case, departments)
    filing.refresh_from_db()
    assert filing.state == "filed" and filing.returned == 1 and filing.filed_at
    with pytest.raises(NotPermitted):
        measures_filing_open(
            user=departments["hrss"], agency=agency, title="x", text="y", adopted_on=date.today()
        )


def test_orders_and_filings_feed_the_art_6_report(justice, agency, approver, hr, departments):
    _order(justice, agency, days=5)
    done = _order(justice, agency)
    _report(done, approver)
    _review(done, justice, accepted=True)
    measures_filing_open(user=hr, agency=agency, title="细则", text="全文", adopted_on=date.today())
    period = Period.year(timezone.localdate().year)
    section = tables.supervision_section([agency], {agency.pk}, period)
    row = section.rows[0]
    assert (row["orders"], row["corrected"], row["orders_open"]) == (2, 1, 1)
    assert (row["filings"], row["pending"], row["filed"]) == (1, 1, 0)
    assert "supervision" in tables.SECTION_KEYS


def test_the_order_page_opens_an_order_and_marks_a_past_deadline(client, justice, agency):
    client.login(username="justice", password=PASSWORD)
    url = reverse("cases:correction_order_new")
    past = client.post(
        url, {"agency": agency.pk, "order_findings": FINDINGS, "correction_deadline": "2020-01-01"}
    )
    assert past.status_code == 400 and "correction_deadline" in past.context["form"].errors
    decades_ahead = client.post(
        url, {"agency": agency.pk, "order_findings": FINDINGS, "correction_deadline": "2099-01-01"}
    )
    assert decades_ahead.status_code == 400
    assert "最多" in str(decades_ahead.context["form"].errors["correction_deadline"])
    assert not Case.objects.filter(definition__process_id="correction_order").exists()
    opened = client.post(
        url,
        {
            "agency": agency.pk,
            "order_findings": FINDINGS,
            "correction_deadline": IN_TWO_MONTHS.isoformat(),
        },
    )
    case = Case.objects.get(definition__process_id="correction_order")
    assert opened["Location"] == reverse("cases:detail", args=[case.pk])
