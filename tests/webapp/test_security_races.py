"""More races on PostgreSQL: repeated rounds of many racers on one task, and many
issuers of certificates across agencies at once; afterwards check_integrity is clean.

Builds on test_concurrency.py (two and eight racers, claims, timers, parallel branches,
no blocking between cases) and test_certificate_concurrency.py (eight issuers, one agency).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from webapp.cases.services import task_complete
from webapp.security.integrity import check_all
from webapp.staff.models import Certificate

from .test_concurrency import (
    assert_history_intact,
    more_approvers,
    open_task,
    recruitment_at_approval,
    require_postgres,
    run_together,
    unexpected,
)
from .test_lifecycle_operators import call, case_about, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 6
RACERS = 12


def test_each_of_many_rounds_of_twelve_racers_has_exactly_one_winner(
    models_deployed: Any, agency: Any, hr: Any
) -> None:
    require_postgres()
    people = more_approvers(agency, RACERS)
    cases = [recruitment_at_approval(agency, hr, seq=n) for n in range(1, ROUNDS + 1)]
    for case in cases:
        task = open_task(case, "approve_hire")
        results = run_together(
            *[
                (
                    lambda p=p, task=task: task_complete(
                        task_id=task.pk, user=p, data={"decision": "approve", "reason": "同意"}
                    )
                )
                for p in people
            ]
        )
        assert unexpected(results) == []
        assert sum(r.ok for r in results) == 1
        assert case.tasks.filter(bpmn_id="sign_contract").count() == 1
        assert_history_intact(case)
    assert [str(f) for f in check_all()] == []


def test_sixteen_issuers_in_two_agencies_never_draw_the_same_number(
    agency: Any, other_agency: Any, hr: Any
) -> None:
    require_postgres()
    cases = [case_about(member(agency, seq), hr) for seq in range(1, 9)] + [
        case_about(member(other_agency, seq), hr) for seq in range(9, 17)
    ]

    def issue(case: Any) -> None:
        with transaction.atomic():
            call(case, "certificate_issue")

    results = run_together(*[(lambda c=c: issue(c)) for c in cases])
    assert [r.error for r in results if r.error] == []
    for where in (agency, other_agency):
        serials = sorted(Certificate.objects.filter(agency=where).values_list("serial", flat=True))
        assert serials == list(range(1, 9))
    assert Certificate.objects.values("number").distinct().count() == 16
