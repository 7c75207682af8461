"""Reports (Art. 6): figures computed on constructed data and on cases run by the engine."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from webapp.cases.models import Case, HumanTask
from webapp.cases.openings import case_open_for_staff, complaint_open
from webapp.records.models import Assessment, DisciplineRecord
from webapp.reports import selectors, tables
from webapp.reports.selectors import Period
from webapp.staff.models import Certificate, StaffState

from .conftest import PASSWORD
from .flows import drive, open_task
from .test_lifecycle_operators import member

pytestmark = pytest.mark.django_db

YEAR_2026 = Period.year(2026)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def certify(staff, serial):
    Certificate.objects.create(
        staff=staff,
        agency=staff.agency,
        number=f"{staff.agency.code}-2026-{serial:04d}",
        year=2026,
        serial=serial,
        issued_at=T0,
    )


@pytest.fixture
def staffed(agency, other_agency):
    """城管局 (quota 5, plans 5): 3 on duty (2 certified), 1 hired, 1 suspended, 1
    separated, 1 applicant. 金安区 (quota 5, no plan): 2 on duty, both certified."""
    people = {}
    for seq, state in enumerate(
        [StaffState.ON_DUTY] * 3
        + [StaffState.HIRED, StaffState.SUSPENDED, StaffState.SEPARATED, StaffState.APPLICANT],
        start=1,
    ):
        people[seq] = member(agency, seq, state=state)
    certify(people[1], 1)
    certify(people[2], 2)
    for seq in (21, 22):
        people[seq] = member(other_agency, seq, state=StaffState.ON_DUTY)
        certify(people[seq], seq)
    return people


def rows_by_agency(section):
    return {row["agency"]: row for row in section.rows}


def sections(agencies, period=YEAR_2026):
    ids = {a.pk for a in agencies}
    return {s.key: s for s in tables.build(list(agencies), ids, period, T0)}


def test_it_counts_headcount_against_quota_and_the_certified_share(agency, other_agency, staffed):
    built = sections([agency, other_agency])
    headcount = rows_by_agency(built["headcount"])
    own = headcount["六安市城市管理局"]
    assert (own["quota"], own["planned"], own["in_use"], own["on_duty"]) == (5, 5, 5, 3)
    assert (own["vacancy"], own["usage"]) == (0, 100.0)
    other = headcount["金安区城市管理局"]
    assert (other["planned"], other["in_use"], other["vacancy"], other["usage"]) == (0, 2, 3, 40.0)
    total = built["headcount"].total
    assert (total["quota"], total["in_use"], total["vacancy"], total["usage"]) == (10, 7, 3, 70.0)

    certified = rows_by_agency(built["certified"])
    assert (certified["六安市城市管理局"]["certified"], certified["六安市城市管理局"]["share"]) == (
        2,
        40.0,
    )
    assert certified["金安区城市管理局"]["share"] == 100.0
    assert built["certified"].total["share"] == round(100 * 4 / 7, 1)


def test_it_leaves_out_a_recovered_certificate_and_a_separated_member(agency, staffed):
    Certificate.objects.filter(staff=staffed[2]).update(state="recovered")
    certify(staffed[6], 6)  # separated: not in the headcount, so not in the share
    row = rows_by_agency(sections([agency])["certified"])["六安市城市管理局"]
    assert (row["in_use"], row["certified"], row["share"]) == (5, 1, 20.0)


@pytest.fixture
def a_case(models_deployed, agency, hr):
    """Archive rows point at the case that decided them; any real case will do here."""
    return complaint_open(
        agency=agency, actor=hr, complainant_name="王", complainant_contact="1", complaint_text="x"
    )


def test_it_counts_assessment_grades_for_the_years_in_the_period(agency, staffed, a_case):
    grades = {1: "excellent", 2: "competent", 3: "competent", 4: "incompetent"}
    for seq, grade in grades.items():
        Assessment.objects.create(staff=staffed[seq], year=2026, grade=grade, case=a_case)
    Assessment.objects.create(staff=staffed[1], year=2025, grade="incompetent", case=a_case)
    row = rows_by_agency(sections([agency])["grades"])["六安市城市管理局"]
    assert (row["excellent"], row["competent"], row["incompetent"]) == (1, 2, 1)
    assert (row["assessed"], row["failed_share"]) == (4, 25.0)
    both_years = Period(date(2025, 1, 1), date(2026, 12, 31))
    assert (
        rows_by_agency(sections([agency], both_years)["grades"])["六安市城市管理局"]["incompetent"]
        == 2
    )


def test_it_counts_discipline_decisions_recorded_in_the_period(agency, staffed, a_case):
    with time_machine.travel(T0, tick=False):
        for seq, decision in [(1, "criticism"), (2, "criticism"), (3, "termination")]:
            DisciplineRecord.objects.create(staff=staffed[seq], decision=decision, case=a_case)
    with time_machine.travel(datetime(2025, 12, 31, 15, tzinfo=UTC), tick=False):
        # 23:00 in Beijing on 31 December: the 2025 report's, not 2026's
        DisciplineRecord.objects.create(staff=staffed[4], decision="judicial", case=a_case)
    row = rows_by_agency(sections([agency])["discipline"])["六安市城市管理局"]
    assert (row["criticism"], row["termination"], row["judicial"], row["total"]) == (2, 1, 0, 3)


def complaint_replied_after(agency, hr, approver, received, reply_days, substantiated):
    """A complaint through the engine: received, triaged an hour later, investigated on
    day 1, replied on ``reply_days``."""
    with time_machine.travel(received, tick=False):
        case = complaint_open(
            agency=agency,
            actor=hr,
            complainant_name="王先生",
            complainant_contact="13800000000",
            complaint_text="协管员态度粗暴",
        )
    steps = [
        (timedelta(hours=1), "triage", {"triage_decision": "accept", "triage_reason": "属实受理"}),
        (
            timedelta(days=1),
            "investigate_complaint",
            {"complaint_findings": "已调查", "substantiated": substantiated},
        ),
        (timedelta(days=reply_days), "reply_complainant", {"complaint_reply": "已处理"}),
    ]
    for after, bpmn_id, data in steps:
        with time_machine.travel(received + after, tick=False):
            drive(case, [(bpmn_id, data)], hr, approver)
    return case


@pytest.fixture
def complaints(models_deployed, agency, other_agency, hr, approver, stranger):
    """城管局: replied after 2 and 4 days, one still waiting for triage; 金安区: one
    replied after 6 days."""
    complaint_replied_after(agency, hr, approver, T0, 2, substantiated=True)
    complaint_replied_after(agency, hr, approver, T0 + timedelta(days=30), 4, substantiated=False)
    with time_machine.travel(T0 + timedelta(days=60), tick=False):
        complaint_open(
            agency=agency,
            actor=hr,
            complainant_name="李",
            complainant_contact="1",
            complaint_text="y",
        )
    complaint_replied_after(other_agency, stranger, stranger, T0, 6, substantiated=False)


def test_it_measures_complaint_reply_times_from_receipt_to_reply(agency, other_agency, complaints):
    section = sections([agency, other_agency])["complaints"]
    own = rows_by_agency(section)["六安市城市管理局"]
    assert (own["received"], own["replied"], own["substantiated"], own["open"]) == (3, 2, 1, 1)
    assert (own["mean_reply"], own["max_reply"]) == (3.0, 4.0)
    assert rows_by_agency(section)["金安区城市管理局"]["mean_reply"] == 6.0
    # the city figure is the mean over all replies, not the mean of agency means
    assert (section.total["received"], section.total["mean_reply"]) == (4, 4.0)
    assert section.total["max_reply"] == 6.0


def test_it_measures_cycle_time_of_each_process(agency, other_agency, complaints):
    cycle = {row["process_id"]: row for row in sections([agency, other_agency])["cycle"].rows}
    complaint = cycle["complaint"]
    assert (complaint["started"], complaint["completed"], complaint["running"]) == (4, 3, 1)
    assert (complaint["mean_cycle"], complaint["max_cycle"]) == (4.0, 6.0)
    assert complaint["process"] == "投诉举报"


def test_it_shows_where_cases_wait_longest(agency, complaints):
    now = T0 + timedelta(days=61)
    waiting = tables.waiting_section({agency.pk}, YEAR_2026, now).rows
    by_task = {row["task"]: row for row in waiting}
    reply = by_task["答复投诉人"]
    # created on day 1 of each complaint, done 1 and 3 days later
    assert (reply["completed"], reply["mean_wait"], reply["max_wait"]) == (2, 2.0, 3.0)
    triage = by_task["受理审查"]
    assert (triage["completed"], triage["open"], triage["open_wait"]) == (2, 1, 1.0)
    assert triage["mean_wait"] == 0.04  # an hour, in days to two places
    raw = {row["bpmn_id"]: row for row in selectors.waiting_times({agency.pk}, YEAR_2026, now)}
    assert raw["triage"]["mean_wait"] == 3600.0
    assert waiting[0]["task"] == "答复投诉人"  # longest first
    assert HumanTask.objects.filter(case__agency=agency, state="open").count() == 1


def test_it_reports_training_passed_through_the_engine(
    agency, hr, approver, trainer, models_deployed
):
    passing, pending = member(agency, 1), member(agency, 2)
    with time_machine.travel(T0, tick=False):
        case = case_open_for_staff(process_id="training", staff=passing, actor=hr)
        case_open_for_staff(process_id="training", staff=pending, actor=hr)
        course = {
            "course_name": "岗前培训",
            "course_start": "2026-03-02",
            "course_end": "2026-03-09",
        }
        drive(
            case,
            [
                ("enrol", course),
                ("record_training", {"training_hours": 40, "training_completed": True}),
                ("record_exam", {"exam_score": 86}),
            ],
            hr,
            approver,
            other=trainer,
        )
    assert open_task(Case.objects.get(subject=pending), "enrol")
    row = rows_by_agency(sections([agency])["training"])["六安市城市管理局"]
    assert (row["opened"], row["passed"], row["failed"], row["running"]) == (2, 1, 0, 1)
    assert row["pass_rate"] == 100.0


# The pages: who sees what, the filter, the Excel export.


def signed_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_it_shows_the_figures_in_the_page_and_the_chart_payload(client, auditor, staffed):
    response = signed_in(client, auditor).get("/reports/", {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-charts"' in html and "dist/reports.js" in html
    headcount = response.context["sections"][0]
    assert [row["agency"] for row in headcount.rows] == ["金安区城市管理局", "六安市城市管理局"]
    assert 'data-chart="headcount"' in html and '<th scope="row">六安市城市管理局</th>' in html
    assert response.context["charts"]["headcount"]["series"][1]["data"] == [2, 5]


def test_an_agency_officer_sees_only_their_agency(client, stranger, agency, other_agency, staffed):
    response = signed_in(client, stranger).get("/reports/")
    html = response.content.decode()
    assert "金安区城市管理局" in html and "六安市城市管理局" not in html
    totals = response.context["sections"][0].total
    assert totals["in_use"] == 2  # none of the other agency's five
    # asking for the other agency is refused, not answered
    refused = client.get("/reports/", {"agency": agency.pk})
    assert refused.context["sections"] is None
    assert "agency" in refused.context["form"].errors
    export = client.get("/reports/export.xlsx", {"agency": agency.pk})
    assert export.status_code == 400


def test_an_agency_officer_sees_the_units_below_their_agency(client, city, hr, agency, staffed):
    from webapp.accounts.models import Agency, AgencyKind

    unit = Agency.objects.create(
        code="LA-CG-1", name="城管局直属大队", kind=AgencyKind.CONSOLIDATED, parent=agency, quota=2
    )
    member(unit, 40, state=StaffState.ON_DUTY)
    response = signed_in(client, hr).get("/reports/")
    rows = rows_by_agency(response.context["sections"][0])
    assert rows["城管局直属大队"]["in_use"] == 1 and rows["六安市城市管理局"]["in_use"] == 5


def test_a_report_covers_the_chosen_agency_and_its_units_within_the_scope_only(
    auditor, stranger, city, agency, other_agency
):
    scope = selectors.report_agencies(auditor)
    assert selectors.report_agency_ids(scope) == {city.pk, agency.pk, other_agency.pk}
    assert selectors.report_agency_ids(scope, agency) == {agency.pk}
    own = selectors.report_agencies(stranger)
    assert selectors.report_agency_ids(own, city) == {other_agency.pk}
    assert [a.pk for a in selectors.employing_agencies({city.pk, agency.pk})] == [agency.pk]


def test_a_trainer_may_not_see_reports(client, trainer):
    assert signed_in(client, trainer).get("/reports/").status_code == 403
    assert client.get("/reports/export.xlsx").status_code == 403


def test_it_refuses_a_range_that_ends_before_it_starts(client, auditor):
    response = signed_in(client, auditor).get(
        "/reports/", {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert response.context["sections"] is None
    assert "开始日期晚于结束日期" in response.content.decode()
    assert 'value="2026-05-01"' in response.content.decode()  # the input is kept


def test_the_excel_export_reads_back(client, auditor, agency, other_agency, staffed):
    response = signed_in(client, auditor).get(
        "/reports/export.xlsx", {"date_from": "2026-01-01", "date_to": "2026-06-30"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-2026-01-01-2026-06-30.xlsx"')
    book = load_workbook(BytesIO(response.content))
    assert len(book.sheetnames) == len(tables.SECTION_KEYS)
    sheet = book[book.sheetnames[0]]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:2] == ["期间", "2026-01-01 – 2026-06-30"]
    assert values[3][:4] == ["执法机关", "核定编额", "批准的使用计划", "在编人数"]
    assert values[5][:4] == ["六安市城市管理局", 5, 5, 5]
    assert values[6][3] == 7  # every agency shown


def test_one_report_exports_alone(client, auditor, staffed):
    response = signed_in(client, auditor).get("/reports/export.xlsx", {"section": "certified"})
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["持证上岗比例（Art. 19）"]
    unknown = client.get("/reports/export.xlsx", {"section": "salaries"})
    assert unknown.status_code == 400


def test_the_number_of_queries_does_not_grow_with_staff_or_cases(
    agency, other_agency, hr, approver, complaints
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            sections([agency, other_agency])
        return len(captured)

    before = queries()
    for seq in range(100, 160):
        member(agency if seq % 2 else other_agency, seq, state=StaffState.ON_DUTY)
    complaint_replied_after(agency, hr, approver, T0, 1, substantiated=True)
    assert queries() == before


def test_it_flags_an_agency_over_its_quota_or_beyond_its_plans(agency, other_agency, staffed):
    from webapp.accounts.models import Agency

    Agency.objects.filter(pk=agency.pk).update(quota=4)
    agency.refresh_from_db()
    other_agency.refresh_from_db()
    rows = rows_by_agency(sections([agency, other_agency])["headcount"])
    assert rows["六安市城市管理局"]["check"] == "超出核定编额"
    assert rows["六安市城市管理局"]["vacancy"] == -1
    # 金安区 has two on duty and no approved usage plan (Art. 8, 9)
    assert rows["金安区城市管理局"]["check"] == "超出批准的使用计划"


def test_it_speaks_english_with_the_agencies_english_names(client, auditor, agency, staffed):
    from webapp.accounts.models import Agency

    Agency.objects.filter(pk=agency.pk).update(name_en="Lu'an Urban Management Bureau")
    signed_in(client, auditor)
    html = client.get("/reports/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Headcount against quota (Art. 9)" in html
    assert '<th scope="row">Lu&#x27;an Urban Management Bureau</th>' in html
    sheet = load_workbook(
        BytesIO(client.get("/reports/export.xlsx", HTTP_ACCEPT_LANGUAGE="en").content)
    ).worksheets[0]
    assert sheet["A1"].value == "Headcount against quota (Art. 9)"


def test_the_header_links_reports_only_for_those_who_may_see_them(client, auditor, trainer):
    assert 'data-testid="nav-reports"' in signed_in(client, auditor).get("/inbox/").content.decode()
    client.logout()
    assert (
        'data-testid="nav-reports"'
        not in signed_in(client, trainer).get("/inbox/").content.decode()
    )
