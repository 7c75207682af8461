"""How many SQL statements a task completion costs (issue 14, docs/performance.md).

A step loads and locks its task, case, definition and member and asks every question of
its checks (role, recusal, four eyes, visibility, the case's other open tasks) in one
statement, writes its history lines in one, and updates the task and the case. Counted
with Django's CaptureQueriesContext; the time each takes is bench/'s business.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from processes import pool, pooled
from webapp.accounts.models import Delegation
from webapp.accounts.roles import Role
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState
from webapp.cases.openings import case_open_for_staff
from webapp.cases.services import task_complete
from webapp.records.models import Commendation
from webapp.staff.models import StaffState

from .conftest import PASSWORD
from .flows import drive
from .test_lifecycle_operators import member

pytestmark = pytest.mark.django_db

NOMINATION = {
    "commendation_title": "merit",
    "commendation_level": "unit",
    "commendation_deeds": "连续三年考核优秀",
}


@pytest.fixture
def approval(models_deployed, agency, hr, approver) -> HumanTask:
    """A commendation waiting for the approver's decision (the step bench/ measures)."""
    staff = member(agency, 1, state=StaffState.ON_DUTY)
    case = case_open_for_staff(process_id="commendation", staff=staff, actor=hr)
    drive(case, [("nominate", NOMINATION)], hr, approver)
    return HumanTask.objects.get(case=case, bpmn_id="approve_commendation")


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The statements sent, without transaction control (BEGIN, SAVEPOINT, COMMIT...)."""
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(control)]


def test_a_completion_over_http_is_six_statements_and_the_operators_own(client, approval, approver):
    assert client.login(username=approver.username, password=PASSWORD)
    url = reverse("inbox:task", args=[approval.pk])
    with CaptureQueriesContext(connection) as queries:
        page = client.post(url, {"decision": "approve", "reason": "同意"})
    assert page.status_code == 302
    sent = statements(queries)
    # Session and user (every signed-in request); one lock-and-load; the model's own
    # operator reads the member and writes the commendation (Art. 17); the task; one
    # batch of history lines; the case.
    assert [s.split()[0] for s in sent] == [
        "SELECT",
        "SELECT",
        "SELECT",
        "SELECT",
        "INSERT",
        "UPDATE",
        "INSERT",
        "UPDATE",
    ], sent
    assert "FOR UPDATE" in sent[2] or connection.vendor == "sqlite"
    assert '"staff_staff"' in sent[3] and '"records_commendation"' in sent[4]
    assert '"cases_humantask"' in sent[5] and '"cases_caseevent"' in sent[6]
    assert '"cases_case"' in sent[7]
    step = [s for n, s in enumerate(sent) if n not in (3, 4)]
    assert len(step) == 6
    case = Case.objects.get(pk=approval.case_id)
    assert case.status == "completed" and verify_case(case) == []
    assert Commendation.objects.filter(case=case).count() == 1
    # The page still says what the step did (from the step's own history lines).
    follow = client.get(page.url)
    assert "表彰审批" in follow.content.decode()


def test_the_history_lines_of_a_step_are_one_insert_and_chain_as_before(approval, approver):
    before = CaseEvent.objects.filter(case_id=approval.case_id).count()
    with CaptureQueriesContext(connection) as queries:
        case = task_complete(task_id=approval.pk, user=approver, data={"decision": "approve"})
    inserts = [s for s in statements(queries) if s.startswith('INSERT INTO "cases_caseevent"')]
    written = CaseEvent.objects.filter(case=case).count() - before
    assert len(inserts) == 1 and written >= 4
    assert case.event_count == before + written and verify_case(case) == []
    assert HumanTask.objects.get(pk=approval.pk).state == TaskState.DONE


def test_a_step_that_opens_the_next_task_reads_no_task_back(models_deployed, agency, hr):
    staff = member(agency, 2, state=StaffState.ON_DUTY)
    case = case_open_for_staff(process_id="commendation", staff=staff, actor=hr)
    nominate = HumanTask.objects.get(case=case, bpmn_id="nominate")
    with CaptureQueriesContext(connection) as queries:
        task_complete(task_id=nominate.pk, user=hr, data=NOMINATION)
    sent = statements(queries)
    # The lock-and-load knew the case had no other open task: nothing reads them back.
    assert not [s for s in sent[1:] if s.startswith('SELECT "cases_humantask"')], sent
    assert len([s for s in sent if s.startswith('INSERT INTO "cases_caseevent"')]) == 1
    assert HumanTask.objects.get(case=case, bpmn_id="approve_commendation").state == "open"
    # The routing rule and the delegation at the case's agency are read in one statement:
    # lock-and-load, task UPDATE, routing, task INSERT, history, case UPDATE.
    assert len([s for s in sent if "accounts_routingrule" in s]) == 1
    assert not [s for s in sent if s.startswith('SELECT "accounts_delegation"')], sent
    assert len(sent) <= 6, sent


def test_a_delegation_found_with_the_routing_rule_still_reaches_the_delegate(
    models_deployed, agency, hr, approver, colleague
):
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=approver,
        delegate=colleague,
        agency=agency,
        role=Role.APPROVER,
        starts_on=today,
        ends_on=today,
    )
    staff = member(agency, 3, state=StaffState.ON_DUTY)
    case = case_open_for_staff(process_id="commendation", staff=staff, actor=hr)
    nominate = HumanTask.objects.get(case=case, bpmn_id="nominate")
    task_complete(task_id=nominate.pk, user=hr, data=NOMINATION)
    approval = HumanTask.objects.get(case=case, bpmn_id="approve_commendation")
    assert (approval.state, approval.assignee, approval.delegated_from) == (
        "claimed",
        colleague,
        approver,
    )
    assert case.events.filter(kind="task_delegated", task=approval).count() == 1


def test_the_approval_asks_the_sandbox_only_to_check_the_form(approval, approver, monkeypatch):
    asked = []
    real = pool.call

    def counted(request, *args, **kwargs):
        asked.append(request.get("op"))
        return real(request, *args, **kwargs)

    monkeypatch.setattr(pool, "call", counted)
    monkeypatch.setattr(pooled, "_PASSED", {})  # no earlier test's pass of this form
    task_complete(task_id=approval.pk, user=approver, data={"decision": "approve"})
    # The gateway's condition and the three parameters of the commendation record are a
    # comparison and look-ups in literal tables: evaluated here (processes/sandbox/trivial.py).
    assert asked == ["validate"]
    assert Commendation.objects.filter(staff=approval.case.subject).count() == 1


def test_a_page_completion_checks_its_form_in_a_worker_once(
    client, approval, approver, monkeypatch
):
    asked = []
    real = pool.call

    def counted(request, *args, **kwargs):
        asked.append(request.get("op"))
        return real(request, *args, **kwargs)

    monkeypatch.setattr(pool, "call", counted)
    monkeypatch.setattr(pooled, "_PASSED", {})
    assert client.login(username=approver.username, password=PASSWORD)
    url = reverse("inbox:task", args=[approval.pk])
    response = client.post(url, {"decision": "approve", "reason": "同意", "_comment": ""})
    assert response.status_code == 302
    # The page's check and the engine's are the same check of the same data.
    assert asked == ["validate"]
    assert HumanTask.objects.get(pk=approval.pk).state == TaskState.DONE
