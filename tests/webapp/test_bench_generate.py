"""The benchmark generator builds a consistent database: every copied case is a real one.

At a tiny scale: the counts are exact, every history chain verifies, every open task is
a READY task of its case's stored state (and can be completed through the service), and
the same seed gives the same data.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from bench import generate
from processes import engine
from webapp.cases.definitions import parsed
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState
from webapp.cases.services import task_complete
from webapp.staff.models import Staff

SCALE = 0.0002  # 2 agencies... floors at 2; 40 staff, 200 cases, 20 open tasks


def generated(result: dict[str, Any]) -> tuple[Any, Any, Any]:
    bench = Case.objects.filter(agency__code__startswith="BENCH-")
    tasks = HumanTask.objects.filter(case__in=bench)
    events = CaseEvent.objects.filter(case__in=bench)
    return bench, tasks, events


@pytest.fixture
def result(transactional_db: None) -> dict[str, Any]:
    return generate.generate(SCALE, seed=7, log=lambda line: None)


def test_it_generates_consistent_data(result):
    """Counts, history chains, open tasks and the seed (one generation: it takes a while)."""
    check_counts(result)
    check_chains(result)
    check_open_tasks(result)
    check_seed(result)


def check_counts(result):
    sizes = result["sizes"]
    bench, tasks, _ = generated(result)
    assert sizes == {"agencies": 2, "staff": 40, "cases": 200, "open_tasks": 20}
    assert Staff.objects.filter(agency__code__startswith="BENCH-").count() == 40
    assert bench.count() == 200
    assert tasks.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED]).count() == 20
    assert bench.filter(status="running").count() == 20
    assert get_user_model().objects.filter(username="b00000_approver").exists()


def check_chains(result):
    bench, _, events = generated(result)
    assert events.count() > bench.count()
    assert all(verify_case(case) == [] for case in bench)


def check_open_tasks(result):
    _, tasks, _ = generated(result)
    for task in tasks.filter(state=TaskState.OPEN).select_related("case__definition"):
        definition = parsed(task.case.definition)
        workflow = engine.load(definition, task.case.state)
        ready = {t.id for t in engine.ready_human_tasks(definition, workflow)}
        assert ready == {task.engine_task_id}
        if task.case.subject_id:  # a usage plan or a complaint is about no one
            assert task.case.subject.agency_id == task.agency_id


# Valid form data for some of the tasks the templates wait on.
STEP_DATA = {
    "nominate": {
        "commendation_title": "merit",
        "commendation_level": "unit",
        "commendation_deeds": "连续三年考核优秀",
    },
    "confirm_grade": {"decision": "approve"},
    "draft_plan": {
        "post": "城市管理执法辅助岗",
        "headcount": 1,
        "employment_mode": "unit",
        "education_requirement": "college",
        "duties_summary": "协助市容巡查",
    },
}


def test_it_copies_cases_that_move_on_through_the_service(result):
    task = HumanTask.objects.filter(
        case__agency__code__startswith="BENCH-", state=TaskState.OPEN, bpmn_id__in=STEP_DATA
    ).first()
    assert task is not None
    user = get_user_model().objects.get(
        memberships__agency=task.agency_id, memberships__role=task.role
    )
    before = task.case.event_count
    case = task_complete(task_id=task.pk, user=user, data=STEP_DATA[task.bpmn_id], comment="")
    assert verify_case(case) == []
    assert case.event_count > before


def check_seed(result):
    found = generate.templates()
    now = datetime(2026, 11, 27, tzinfo=UTC)

    def planned(seed: int) -> list[tuple[int, int, timedelta]]:
        sizes = generate.counts(SCALE)
        steps = generate.plan(random.Random(seed), sizes, found, now)
        return [(t.case["id"], agency, shift) for t, agency, shift in steps]

    assert planned(7) == planned(7) != planned(8)
    bench, _, _ = generated(result)
    prefixes = {key.split("-")[0] for key in bench.values_list("business_key", flat=True)}
    assert len(prefixes) >= 5  # several processes, not one
    assert bench.values("head_hash").distinct().count() == 200
