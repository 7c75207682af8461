"""Eight approvers complete one task through the API at the same moment, over HTTP to the
live server on PostgreSQL: exactly one wins, every other gets 409 naming the winner, and
the history records one completion with its chain intact."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from webapp.accounts.models import Membership
from webapp.accounts.roles import Role
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState

from .flows import APPROVE, case_at_approval, open_task
from .test_concurrency import require_postgres, run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RACERS = 8


def _complete(url: str, key: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"data": APPROVE}).encode(),
        headers={
            "Authorization": f"Token {key}",
            "Content-Type": "application/json",
            "Accept-Language": "en",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_it_lets_exactly_one_of_many_parallel_api_completions_win(
    live_server, models_deployed, hr, approver, agency
):
    require_postgres()
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    keys = {}
    for n in range(RACERS):
        user = get_user_model().objects.create_user(f"racer{n}", last_name=f"racer{n}")
        Membership.objects.create(user=user, agency=agency, role=Role.APPROVER)
        keys[user.username] = Token.objects.create(user=user).key
    url = f"{live_server.url}/api/tasks/{task.pk}/complete/"

    results = run_together(*(lambda key=key: _complete(url, key) for key in keys.values()))

    assert all(r.ok for r in results), [r.error for r in results]
    answers = [r.value for r in results]
    wins = [body for status, body in answers if status == 200]
    losses = [body for status, body in answers if status == 409]
    assert len(wins) == 1 and len(losses) == RACERS - 1, [s for s, _ in answers]
    winner = HumanTask.objects.get(pk=task.pk).completed_by
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.DONE
    for body in losses:
        assert body["error"] == "conflict"
        assert f"Already completed by {winner.last_name}" in body["message"]
    assert CaseEvent.objects.filter(task=task, kind="task_completed").count() == 1
    assert verify_case(Case.objects.get(pk=case.pk)) == []
