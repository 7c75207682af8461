"""Case steps racing each other on PostgreSQL: real threads, real connections, real locks.

Every test here needs PostgreSQL (row locks); the SQLite run deselects them with
``-m "not postgres"``. Each thread opens its own connection and closes it at the end;
a barrier releases the racing calls together so they really overlap.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone

from processes import engine
from webapp.accounts.models import Agency, Membership
from webapp.accounts.roles import Role
from webapp.cases.definitions import definition_deploy
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent, Definition, HumanTask, TaskState
from webapp.cases.openings import recruitment_open
from webapp.cases.scheduling import wake_due_cases
from webapp.cases.services import case_start, case_wake, task_claim, task_complete
from webapp.demo.seed import BACKGROUND, CLEAN_REVIEW, HEALTH, SCORES
from webapp.errors import TaskConflict
from webapp.staff.models import StaffState

from .conftest import PASSWORD, make_id
from .parallel_bpmn import APPROVER_TASK, HR_TASK, PARALLEL_FILES

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

JOIN_TIMEOUT = 60.0


def require_postgres() -> None:
    assert connection.vendor == "postgresql", (
        "these tests need PostgreSQL row locks; run them with DATABASE_URL=postgres://…"
    )


# --- threads ---------------------------------------------------------------------------------


@dataclass
class Result:
    value: Any = None
    error: BaseException | None = None
    started: float = 0.0
    finished: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


def run_together(*calls: Callable[[], Any]) -> list[Result]:
    """Run each call in its own thread, all released at once by a barrier."""
    barrier = threading.Barrier(len(calls))
    results = [Result() for _ in calls]

    def worker(result: Result, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            result.started = time.monotonic()
            result.value = call()
        except BaseException as exc:
            result.error = exc
        finally:
            result.finished = time.monotonic()
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(result, call), name=f"racer-{i}")
        for i, (result, call) in enumerate(zip(results, calls, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a racing thread hung (deadlock?)"
    return results


def unexpected(results: list[Result]) -> list[BaseException]:
    return [
        r.error for r in results if r.error is not None and not isinstance(r.error, TaskConflict)
    ]


# --- cases -----------------------------------------------------------------------------------


def open_task(case: Case, bpmn_id: str) -> HumanTask:
    return HumanTask.objects.get(
        case=case, bpmn_id=bpmn_id, state__in=[TaskState.OPEN, TaskState.CLAIMED]
    )


def recruitment_at_approval(agency: Agency, hr: Any, seq: int = 1) -> Case:
    """A recruitment case driven through review, scores, checks and the public notice."""
    case = recruitment_open(
        user=hr,
        fields={
            "agency": agency,
            "name": f"王小{seq}",
            "id_number": make_id(date(1996, 4, seq), seq=seq),
            "education": "bachelor",
            "post": "城市管理执法辅助",
            "veteran": False,
            "bravery": False,
            "required_education": "college",
            "education_requirement_reason": "",
            "phone": f"1385640{seq:04d}",
            "address": "安徽省六安市金安区梅山南路 88 号",
            "notice_period": "PT0S",  # the public notice falls due at once
        },
    )
    for bpmn_id, data in [
        ("review_application", CLEAN_REVIEW),
        ("record_scores", SCORES),
        ("background_check", BACKGROUND),
        ("health_check", HEALTH),
    ]:
        task_complete(task_id=open_task(case, bpmn_id).pk, user=hr, data=data, comment="测试")
    wake_due_cases()  # a zero notice period may already have fired within the last step
    open_task(case, "approve_hire")
    return Case.objects.get(pk=case.pk)


def more_approvers(agency: Agency, count: int) -> list[Any]:
    users = []
    for i in range(count):
        user = get_user_model().objects.create_user(
            f"approver{i}", password=PASSWORD, last_name=f"审批{i}号", first_name="领导"
        )
        Membership.objects.create(user=user, agency=agency, role=Role.APPROVER)
        users.append(user)
    return users


def display_name(user: Any) -> str:
    return f"{user.last_name}{user.first_name}" or user.username


def says_completed_by(error: BaseException | None, winner: Any, task: HumanTask) -> bool:
    """The loser is told who completed the task and when (in whichever language is active)."""
    assert isinstance(error, TaskConflict), repr(error)
    assert task.completed_at is not None
    when = timezone.localtime(task.completed_at).strftime("%Y-%m-%d %H:%M")
    return display_name(winner) in error.message and when in error.message


def events_of(case: Case, kind: str, **filters: Any) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind, **filters).order_by("seq"))


def assert_history_intact(case: Case) -> None:
    case.refresh_from_db()
    seqs = list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert case.event_count == len(seqs)
    assert verify_case(case) == []


@pytest.fixture
def parallel_definition(db: Any, hr: Any) -> Definition:
    return definition_deploy(files=PARALLEL_FILES, user=hr)


def parallel_case(definition: Definition, agency: Agency, hr: Any, n: int = 1) -> Case:
    case = case_start(
        definition=definition, agency=agency, title=f"并行测试 {n}", data={}, actor=hr
    )
    assert {t.bpmn_id for t in case.tasks.filter(state=TaskState.OPEN)} == {HR_TASK, APPROVER_TASK}
    return case


# --- (a) two approvers, one approval task ----------------------------------------------------


def test_it_lets_exactly_one_of_two_approvers_complete_the_same_task(
    models_deployed: Any, agency: Agency, hr: Any, approver: Any, colleague: Any
) -> None:
    require_postgres()
    case = recruitment_at_approval(agency, hr)
    task = open_task(case, "approve_hire")
    people = [approver, colleague]
    reasons = {p.pk: f"{p.username} 认为不符合录用条件" for p in people}

    results = run_together(
        *[
            (
                lambda p=p: task_complete(
                    task_id=task.pk,
                    user=p,
                    comment=f"{p.username} 的意见",
                    data={"decision": "reject", "reason": reasons[p.pk]},
                )
            )
            for p in people
        ]
    )

    assert unexpected(results) == []
    winners = [p for p, r in zip(people, results, strict=True) if r.ok]
    losers = [(p, r) for p, r in zip(people, results, strict=True) if not r.ok]
    assert len(winners) == 1 and len(losers) == 1
    winner, (loser, lost) = winners[0], losers[0]
    assert isinstance(lost.error, TaskConflict)
    assert lost.error.status == 409

    task.refresh_from_db()
    assert task.state == TaskState.DONE
    assert task.completed_by_id == winner.pk
    assert says_completed_by(lost.error, winner, task), lost.error.message
    completed = events_of(case, "task_completed", task=task)
    assert len(completed) == 1
    assert completed[0].actor_id == winner.pk
    after = completed[0].data_after
    assert (after["decision"], after["reason"]) == ("reject", reasons[winner.pk])
    assert completed[0].comment == f"{winner.username} 的意见"

    # The staff member moved on once, with the winner's reason; the loser's left no trace.
    case.refresh_from_db()
    case.subject.refresh_from_db()
    assert case.subject.state == StaffState.REJECTED
    assert len(events_of(case, "staff_state")) == 1
    assert case.status == "completed"
    assert reasons[winner.pk] in case.outcome
    assert reasons[loser.pk] not in case.outcome
    assert case.data["reason"] == reasons[winner.pk]
    assert not CaseEvent.objects.filter(case=case, comment=f"{loser.username} 的意见").exists()
    assert_history_intact(case)


# --- (b) eight approvers, one approval task --------------------------------------------------


def test_it_lets_exactly_one_of_eight_racing_approvers_win(
    models_deployed: Any, agency: Agency, hr: Any
) -> None:
    require_postgres()
    case = recruitment_at_approval(agency, hr)
    task = open_task(case, "approve_hire")
    people = more_approvers(agency, 8)

    def decision_of(i: int) -> dict[str, str]:
        if i % 2 == 0:
            return {"decision": "approve", "reason": f"第{i}位同意"}
        return {"decision": "reject", "reason": f"第{i}位不同意"}

    results = run_together(
        *[
            (lambda i=i, p=p: task_complete(task_id=task.pk, user=p, data=decision_of(i)))
            for i, p in enumerate(people)
        ]
    )

    assert unexpected(results) == []
    won = [i for i, r in enumerate(results) if r.ok]
    assert len(won) == 1, f"{len(won)} winners"
    w = won[0]
    winner = people[w]
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.completed_by_id == winner.pk
    for i, result in enumerate(results):
        if i != w:
            assert says_completed_by(result.error, winner, task), result.error
    completed = events_of(case, "task_completed", task=task)
    assert [e.actor_id for e in completed] == [winner.pk]
    assert decision_of(w).items() <= completed[0].data_after.items()

    case.refresh_from_db()
    case.subject.refresh_from_db()
    assert case.data["decision"] == decision_of(w)["decision"]
    assert case.data["reason"] == decision_of(w)["reason"]
    if decision_of(w)["decision"] == "approve":
        assert case.status == "running"
        assert case.subject.state == StaffState.APPLICANT
        assert case.tasks.filter(bpmn_id="sign_contract").count() == 1
        assert events_of(case, "staff_state") == []
    else:
        assert case.status == "completed"
        assert case.subject.state == StaffState.REJECTED
        assert len(events_of(case, "staff_state")) == 1
    assert_history_intact(case)


# --- claims and timers race the same way -----------------------------------------------------


def test_it_gives_a_task_to_exactly_one_of_two_people_claiming_it_at_once(
    models_deployed: Any, agency: Agency, hr: Any, approver: Any, colleague: Any
) -> None:
    require_postgres()
    case = recruitment_at_approval(agency, hr)
    task = open_task(case, "approve_hire")
    people = [approver, colleague]

    results = run_together(*[(lambda p=p: task_claim(task_id=task.pk, user=p)) for p in people])

    assert unexpected(results) == []
    winners = [p for p, r in zip(people, results, strict=True) if r.ok]
    assert len(winners) == 1
    lost = next(r for r in results if not r.ok)
    assert display_name(winners[0]) in lost.error.message  # type: ignore[union-attr]
    task.refresh_from_db()
    assert task.state == TaskState.CLAIMED and task.assignee_id == winners[0].pk
    assert [e.actor_id for e in events_of(case, "task_claimed")] == [winners[0].pk]
    assert_history_intact(case)


def recruitment_waiting_for_notice(agency: Agency, hr: Any, seq: int) -> Case:
    """A recruitment case whose one-second public notice is running (not yet woken)."""
    case = recruitment_open(
        user=hr,
        fields={
            "agency": agency,
            "name": f"李小明{seq}",
            "id_number": make_id(date(1994, 8, 8), seq=seq),
            "education": "bachelor",
            "post": "城市管理执法辅助",
            "veteran": True,
            "bravery": False,
            "required_education": "college",
            "education_requirement_reason": "",
            "phone": f"1385640{seq:04d}",
            "address": "安徽省六安市裕安区",
            "notice_period": "PT1S",  # zero would fire within the step; one second is due soon
        },
    )
    for bpmn_id, data in [
        ("review_application", CLEAN_REVIEW),
        ("record_scores", SCORES),
        ("background_check", BACKGROUND),
        ("health_check", HEALTH),
    ]:
        task_complete(task_id=open_task(case, bpmn_id).pk, user=hr, data=data)
    case.refresh_from_db()
    assert case.wake_at is not None
    assert not case.tasks.filter(bpmn_id="approve_hire").exists()
    return case


def sleep_until_due(case: Case) -> None:
    assert case.wake_at is not None
    time.sleep(max(0.0, (case.wake_at - timezone.now()).total_seconds()) + 0.2)


def test_it_fires_a_due_timer_once_when_two_schedulers_wake_at_the_same_moment(
    models_deployed: Any, agency: Agency, hr: Any
) -> None:
    require_postgres()
    case = recruitment_waiting_for_notice(agency, hr, seq=7)
    sleep_until_due(case)

    results = run_together(wake_due_cases, wake_due_cases, wake_due_cases)

    assert [r.error for r in results if not r.ok] == []
    assert case.tasks.filter(bpmn_id="approve_hire").count() == 1
    assert len(events_of(case, "task_created", bpmn_id="approve_hire")) == 1
    assert len(events_of(case, "engine_step", bpmn_id="public_notice")) == 1
    assert_history_intact(case)


# --- (c) parallel branches of one case -------------------------------------------------------


def complete_both_branches_at_once(
    definition: Definition, agency: Agency, hr: Any, approver: Any, n: int = 1
) -> None:
    case = parallel_case(definition, agency, hr, n)
    hr_task = open_task(case, HR_TASK)
    approver_task = open_task(case, APPROVER_TASK)

    results = run_together(
        lambda: task_complete(task_id=hr_task.pk, user=hr, data={}, comment="人事已核对"),
        lambda: task_complete(
            task_id=approver_task.pk, user=approver, data={}, comment="领导已审核"
        ),
    )

    assert [r.error for r in results if not r.ok] == [], f"run {n}"
    hr_task.refresh_from_db()
    approver_task.refresh_from_db()
    assert (hr_task.state, hr_task.completed_by_id) == (TaskState.DONE, hr.pk)
    assert (approver_task.state, approver_task.completed_by_id) == (TaskState.DONE, approver.pk)
    case.refresh_from_db()
    assert case.status == "completed", f"run {n}: {case.status}"
    assert case.finished_at is not None
    assert not case.tasks.filter(state__in=[TaskState.OPEN, TaskState.CLAIMED]).exists()
    completed = events_of(case, "task_completed")
    assert sorted(e.bpmn_id for e in completed) == sorted([HR_TASK, APPROVER_TASK])
    assert {e.bpmn_id: e.actor_id for e in completed} == {
        HR_TASK: hr.pk,
        APPROVER_TASK: approver.pk,
    }
    assert all("Art. 5" in e.articles for e in completed)
    assert len(events_of(case, "case_completed")) == 1
    assert events_of(case, "task_withdrawn") == []
    assert_history_intact(case)


def test_it_lands_both_steps_when_two_parallel_branches_complete_at_once(
    parallel_definition: Definition, agency: Agency, hr: Any, approver: Any
) -> None:
    require_postgres()
    complete_both_branches_at_once(parallel_definition, agency, hr, approver)


def test_it_lands_both_parallel_steps_five_times_in_a_row(
    parallel_definition: Definition, agency: Agency, hr: Any, approver: Any
) -> None:
    require_postgres()
    for n in range(1, 6):
        complete_both_branches_at_once(parallel_definition, agency, hr, approver, n)


# --- (d) steps on different cases do not wait for each other ---------------------------------

HOLD = 3.0  # how long case A stays locked; a step that does not wait needs a small part of it
HOLDER = "racer-0"  # run_unsynchronised's name for the thread of its first call


def pause_inside(monkeypatch: pytest.MonkeyPatch, name: str, barrier: threading.Barrier) -> None:
    """Pause ``engine.<name>`` in the holder thread only: its step has locked case A by then."""
    original = getattr(engine, name)

    def paused(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == HOLDER:
            barrier.wait(timeout=JOIN_TIMEOUT)
            time.sleep(HOLD)
        return original(*args, **kwargs)

    monkeypatch.setattr(engine, name, paused)


def held(call: Callable[[], Any]) -> Callable[[], float]:
    def run() -> float:
        call()
        return time.monotonic()

    return run


def timed_after(barrier: threading.Barrier, call: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> tuple[float, float]:
        barrier.wait(timeout=JOIN_TIMEOUT)
        began = time.monotonic()
        call()
        return began, time.monotonic()

    return run


def assert_not_held_up(a: Result, b: Result, what: str) -> None:
    assert a.ok and b.ok, (a.error, b.error)
    took = b.value[1] - b.value[0]
    assert took < HOLD / 2, f"{what} took {took:.2f}s while case A was held for {HOLD}s"
    assert b.value[1] < a.value, f"{what} finished only after case A was released"


def application(agency: Agency, seq: int) -> dict[str, Any]:
    return {
        "agency": agency,
        "name": f"周小燕{seq}",
        "id_number": make_id(date(1999, 9, 9), seq=seq),
        "education": "college",
        "post": "城市管理执法辅助",
        "veteran": False,
        "bravery": False,
        "required_education": "college",
        "education_requirement_reason": "",
    }


def test_it_does_not_block_a_step_on_one_case_while_another_case_is_locked(
    parallel_definition: Definition, agency: Agency, hr: Any
) -> None:
    require_postgres()
    case_a = parallel_case(parallel_definition, agency, hr, 1)
    case_b = parallel_case(parallel_definition, agency, hr, 2)
    task_b = open_task(case_b, HR_TASK)
    barrier = threading.Barrier(2)

    def hold_case_a() -> float:
        with transaction.atomic():
            Case.objects.select_for_update().get(pk=case_a.pk)
            barrier.wait(timeout=JOIN_TIMEOUT)
            time.sleep(HOLD)
            return time.monotonic()

    a, b = run_unsynchronised(
        hold_case_a,
        timed_after(barrier, lambda: task_complete(task_id=task_b.pk, user=hr, data={})),
    )

    assert_not_held_up(a, b, "the step on case B")
    task_b.refresh_from_db()
    assert task_b.state == TaskState.DONE
    assert_history_intact(case_b)


def test_it_does_not_block_a_step_on_one_case_while_a_step_on_another_is_running(
    parallel_definition: Definition, agency: Agency, hr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As above, but case A is held by a real task_complete (paused inside its engine call),
    so A holds exactly the locks a step takes, not just its case row."""
    require_postgres()
    case_a = parallel_case(parallel_definition, agency, hr, 1)
    case_b = parallel_case(parallel_definition, agency, hr, 2)
    task_a = open_task(case_a, HR_TASK)
    task_b = open_task(case_b, HR_TASK)
    barrier = threading.Barrier(2)
    pause_inside(monkeypatch, "complete_task", barrier)

    a, b = run_unsynchronised(
        held(lambda: task_complete(task_id=task_a.pk, user=hr, data={})),
        timed_after(barrier, lambda: task_complete(task_id=task_b.pk, user=hr, data={})),
    )

    assert_not_held_up(a, b, "the step on case B")
    for case, task in ((case_a, task_a), (case_b, task_b)):
        task.refresh_from_db()
        assert task.state == TaskState.DONE
        assert_history_intact(case)


def test_it_does_not_block_opening_a_case_while_a_step_on_another_case_is_running(
    models_deployed: Any,
    parallel_definition: Definition,
    agency: Agency,
    hr: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An HR officer registering an applicant must not wait for a colleague's step on
    another case of the same agency."""
    require_postgres()
    task_a = open_task(parallel_case(parallel_definition, agency, hr, 1), HR_TASK)
    barrier = threading.Barrier(2)
    pause_inside(monkeypatch, "complete_task", barrier)

    a, b = run_unsynchronised(
        held(lambda: task_complete(task_id=task_a.pk, user=hr, data={})),
        timed_after(barrier, lambda: recruitment_open(user=hr, fields=application(agency, 12))),
    )

    assert_not_held_up(a, b, "opening a case")


def test_it_does_not_block_a_step_while_the_scheduler_wakes_another_case(
    models_deployed: Any, agency: Agency, hr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler firing case A's timer (paused inside the engine) must not hold up a
    person completing a task on case B of the same process and agency."""
    require_postgres()
    case_a = recruitment_waiting_for_notice(agency, hr, seq=8)
    case_b = recruitment_open(user=hr, fields=application(agency, 9))
    task_b = open_task(case_b, "review_application")
    sleep_until_due(case_a)
    barrier = threading.Barrier(2)
    pause_inside(monkeypatch, "advance", barrier)

    a, b = run_unsynchronised(
        held(lambda: case_wake(case_id=case_a.pk)),
        timed_after(barrier, lambda: task_complete(task_id=task_b.pk, user=hr, data=CLEAN_REVIEW)),
    )

    assert_not_held_up(a, b, "the step on case B")
    assert case_a.tasks.filter(bpmn_id="approve_hire").count() == 1
    assert_history_intact(case_a)
    assert_history_intact(case_b)


def test_it_does_not_block_opening_a_case_while_the_scheduler_wakes_another_case(
    models_deployed: Any, agency: Agency, hr: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_postgres()
    case_a = recruitment_waiting_for_notice(agency, hr, seq=10)
    sleep_until_due(case_a)
    barrier = threading.Barrier(2)
    pause_inside(monkeypatch, "advance", barrier)

    a, b = run_unsynchronised(
        held(lambda: case_wake(case_id=case_a.pk)),
        timed_after(barrier, lambda: recruitment_open(user=hr, fields=application(agency, 11))),
    )

    assert_not_held_up(a, b, "opening a case")
    assert case_a.tasks.filter(bpmn_id="approve_hire").count() == 1


def run_unsynchronised(*calls: Callable[[], Any]) -> list[Result]:
    """Like run_together, but the calls synchronise themselves (they hold the barrier)."""
    results = [Result() for _ in calls]

    def worker(result: Result, call: Callable[[], Any]) -> None:
        try:
            result.started = time.monotonic()
            result.value = call()
        except BaseException as exc:
            result.error = exc
        finally:
            result.finished = time.monotonic()
            connections.close_all()

    threads = [
        threading.Thread(target=worker, args=(result, call), name=f"racer-{i}")
        for i, (result, call) in enumerate(zip(results, calls, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results
