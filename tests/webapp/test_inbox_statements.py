"""The inbox page's cost does not grow with the queue (issue 14, docs/performance.md):
the same statements for 3 tasks as for 60, the two counts in one of them, and every
row's addresses right without reversing them row by row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from webapp.cases.models import HumanTask
from webapp.cases.openings import case_open_for_staff
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


def approvals(agency, hr, approver, first: int, count: int) -> list[HumanTask]:
    tasks = []
    for seq in range(first, first + count):
        staff = member(agency, seq, state=StaffState.ON_DUTY)
        case = case_open_for_staff(process_id="commendation", staff=staff, actor=hr)
        drive(case, [("nominate", NOMINATION)], hr, approver)
        tasks.append(HumanTask.objects.get(case=case, bpmn_id="approve_commendation"))
    return tasks


def inbox_statements(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("inbox:index"))
    assert page.status_code == 200
    return len(queries.captured_queries), page.content.decode()


def test_the_inbox_costs_the_same_statements_for_3_tasks_as_for_60(
    client, models_deployed, agency, hr, approver
):
    few = approvals(agency, hr, approver, 1, 3)
    assert client.login(username=approver.username, password=PASSWORD)
    small, body = inbox_statements(client)
    assert 'data-testid="inbox-total">3<' in body
    approvals(agency, hr, approver, 4, 57)
    large, body = inbox_statements(client)
    assert large == small
    assert 'data-testid="inbox-total">60<' in body
    # The page shows 50 rows; each row's links point at its own task and case.
    task = few[0]
    assert f'href="{reverse("inbox:task", args=[task.pk])}"' in body
    assert f'href="{reverse("cases:detail", args=[task.case_id])}"' in body
    assert f'action="{reverse("inbox:claim", args=[task.pk])}"' in body
    assert body.count('class="inline"') >= 50


def test_the_total_and_the_overdue_count_are_one_query(
    client, models_deployed, agency, hr, approver
):
    from datetime import timedelta

    from django.utils import timezone

    tasks = approvals(agency, hr, approver, 1, 3)
    HumanTask.objects.filter(pk=tasks[0].pk).update(due_at=timezone.now() - timedelta(days=2))
    assert client.login(username=approver.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("inbox:index")).content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    task_counts = [sql for sql in counts if '"cases_humantask"' in sql and "GROUP BY" not in sql]
    assert len(task_counts) == 1, task_counts
    assert 'data-testid="inbox-total">3<' in body and "1 件已超期" in body


def test_the_users_roles_are_read_once_a_page(client, models_deployed, agency, hr, approver):
    approvals(agency, hr, approver, 1, 3)
    assert client.login(username=approver.username, password=PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("inbox:index")).content.decode()
    memberships = [q["sql"] for q in queries.captured_queries if "accounts_membership" in q["sql"]]
    # The menu, the queue, the filters and the saved filters all ask; one statement answers
    # (accounts.middleware.RequestMemoMiddleware), plus the oversight lookup of the menu.
    assert len([sql for sql in memberships if sql.startswith("SELECT")]) <= 2, memberships
    accounts = [q for q in queries.captured_queries if "staff_memberaccount" in q["sql"]]
    assert len(accounts) <= 1
    # Each row's forms carry the page's CSRF token and come back to this page.
    assert body.count('name="csrfmiddlewaretoken"') >= 3
    assert body.count('name="next" value="/inbox/"') == 3


def test_a_role_taken_away_is_seen_by_the_next_request(
    client, models_deployed, agency, hr, approver
):
    approvals(agency, hr, approver, 1, 2)
    assert client.login(username=approver.username, password=PASSWORD)
    assert 'data-testid="inbox-total">2<' in client.get(reverse("inbox:index")).content.decode()
    approver.memberships.all().delete()
    body = client.get(reverse("inbox:index")).content.decode()
    assert 'data-testid="inbox-total">2<' not in body
