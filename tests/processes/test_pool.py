"""Designer-authored code runs in sandbox worker processes under limits the operating
system enforces (processes/pool.py, processes/worker.py): the engine's own process never
runs it; a runaway evaluation is killed and replaced, the step refused naming the element.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import time_machine

from processes import catalog, decisions, engine, pool
from processes.errors import InvalidTaskData, ScriptFailed, ScriptRefused
from processes.pool import Budget
from processes.pooled import PooledEnvironment
from processes.sandbox.environment import RestrictedEnvironment

from .test_form_patterns import bundle, form

# Two lists that each hold themselves twice, sixty levels deep, compared: one C call of
# 2**60 steps that no trace event interrupts and no guard sizes (nothing is built).
DAG = "a = [1]\nb = [1]\nfor i in range(60):\n    a = [a, a]\n    b = [b, b]\nsame = a == b"
DUTY_SCOPE = Path(__file__).resolve().parents[2] / "bpmn" / "decisions" / "duty_scope.dmn"


@pytest.fixture
def small_pool():
    """The pool with small limits for these tests; the default limits again afterwards."""
    before = pool.limits()
    pool.configure(memory_mb=90, time_limit=1.0, grace=0.5)
    yield pool.pool()
    pool.configure(memory_mb=before.memory_mb, time_limit=before.time_limit, grace=before.grace)


def worker_pids() -> set[int]:
    return {worker.process.pid for worker in pool.pool().idle}


def test_it_gives_the_same_answers_as_the_environment_it_runs_in_the_worker():
    here, there = RestrictedEnvironment(), PooledEnvironment()
    data = {"n": 7, "names": ["张三", "李四"], "row": {"a": [1, 2.5, None, True]}}
    for expression in (
        "n * 2 + 1",
        "f'{names[0]}：{n:>3}'",
        "(n, {n}, {(1, 2): 'x'}, [row])",
        "sorted(names, reverse=True)",
        "row['a'][1] > 2 and not row['a'][2]",
    ):
        assert there.evaluate(expression, dict(data)) == here.evaluate(expression, dict(data))
    local, remote = dict(data), dict(data)
    script = "total = n + len(names)\nnames.append('王五')\ndel row"
    here.execute(script, local)
    there.execute(script, remote)
    assert remote == local == {"n": 7, "names": ["张三", "李四", "王五"], "total": 9}


def test_refusals_and_failures_come_back_with_their_messages():
    env = PooledEnvironment()
    refused = r'element x: expression refused.*"open" is not available'
    with pytest.raises(ScriptRefused, match=refused):
        env.evaluate("open('/etc/passwd')", {}, where="element x")
    with pytest.raises(ScriptFailed, match=r"element x: script failed on line 2.*ZeroDivision"):
        env.execute("a = 1\nb = a / 0", {}, where="element x")
    with pytest.raises(ScriptFailed, match=r"gave a function \(len\), which cannot leave"):
        env.evaluate("len", {})


def test_the_engine_process_never_runs_designer_code(monkeypatch, inline_bpmn):
    """Scripts, conditions, DMN cells and form checks all reach a worker: the
    in-process environment is made to fail here, and every one still runs."""

    def forbidden(*args, **kwargs):
        raise AssertionError("designer code ran in the engine's process")

    monkeypatch.setattr(RestrictedEnvironment, "_run", forbidden)
    monkeypatch.setattr("processes.forms.form_errors", forbidden)
    definition = inline_bpmn(
        """
        <bpmn:process id="p" isExecutable="true">
          <bpmn:startEvent id="start"/>
          <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc"/>
          <bpmn:scriptTask id="calc"><bpmn:script>y = x * 2</bpmn:script></bpmn:scriptTask>
          <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="gate"/>
          <bpmn:exclusiveGateway id="gate" default="f4"/>
          <bpmn:sequenceFlow id="f3" sourceRef="gate" targetRef="big">
            <bpmn:conditionExpression>y &gt; 10</bpmn:conditionExpression>
          </bpmn:sequenceFlow>
          <bpmn:sequenceFlow id="f4" sourceRef="gate" targetRef="end"/>
          <bpmn:endEvent id="big"/>
          <bpmn:endEvent id="end"/>
        </bpmn:process>
        """
    )
    outcome = engine.start(definition, {"x": 6})
    assert outcome.completed and outcome.data["y"] == 12
    table = decisions.load_decision("duty_scope.dmn", DUTY_SCOPE.read_bytes(), "duty_scope")
    assert decisions.decide(table, {"duty": "patrol", "certified": True}) is not None
    checked = catalog.load_definition(bundle(form(n={"type": "integer", "maximum": 3})))
    with pytest.raises(InvalidTaskData):
        engine.validate_form(checked, "f.json", {"n": 4})


def test_a_runaway_c_level_operation_is_killed_at_its_deadline_and_the_worker_replaced(
    small_pool,
):
    env = PooledEnvironment()
    env.evaluate("1", {})
    before = worker_pids()
    began = time.monotonic()
    with pytest.raises(ScriptFailed) as stopped:
        env.execute(DAG, {}, where="element compare")
    took = time.monotonic() - began
    assert str(stopped.value) == (
        "element compare: script stopped: exceeded the time limit (1 s); its process was ended"
    )
    assert 1.0 <= took < 10
    assert env.evaluate("40 + 2", {}) == 42
    assert worker_pids().isdisjoint(before)


def test_a_worker_out_of_memory_is_refused_and_replaced(small_pool):
    env = PooledEnvironment()
    with pytest.raises(
        ScriptFailed, match="element grow: script stopped: it needed more than 90 MB"
    ):
        env.execute("rows = [[i] * 1000000 for i in range(9)]\nrows = 0", {}, where="element grow")
    assert env.evaluate("'still here'", {}) == "still here"


def test_a_worker_past_its_cpu_time_is_ended_by_the_operating_system(small_pool):
    request = {
        "op": "execute",
        "source": DAG,
        "context": {},
        "external": {},
        "where": "element spin",
        "helpers": [],
        "time_limit": 60,  # the settrace limit is far away, and so is the wall deadline:
        "max_steps": 10**9,
        "cpu_limit": 1,  # only RLIMIT_CPU can end it
    }
    with pytest.raises(ScriptFailed, match="its process used more processor time than it may"):
        pool.call(request, time.monotonic() + 60, {}, "element spin: script stopped", 60)


def test_the_operating_system_holds_each_worker_to_its_limits(small_pool):
    PooledEnvironment().evaluate("len('a')", {})  # a call: a worker's (not trivial.py's)
    [pid] = list(worker_pids())[:1]
    limits = Path(f"/proc/{pid}/limits").read_text()
    lines = {line[:26].strip(): line[26:].split() for line in limits.splitlines()[1:]}
    assert lines["Max address space"][:2] == [str(90 * 2**20)] * 2
    assert lines["Max file size"][:2] == ["0", "0"]
    assert lines["Max processes"][:2] == ["0", "0"]
    assert lines["Max cpu time"][1] == "3600"
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert not [v for v in environ if v.startswith((b"SECRET_KEY", b"DATABASE_URL"))]


def test_one_engine_call_may_evaluate_for_its_budget_in_all():
    env = PooledEnvironment(budget=Budget(0.5))
    spin = "n = 0\nwhile n >= 0:\n    n += 1"
    with pytest.raises(ScriptFailed, match="time limit"):
        env.execute(spin, {}, where="element a")
    with pytest.raises(ScriptFailed, match="element b: script not run: this step's scripts"):
        env.execute("x = 1", {}, where="element b")


def test_clock_helpers_run_in_the_engine_process_where_tests_travel_in_time():
    with time_machine.travel(date(2030, 5, 17), tick=False):
        assert PooledEnvironment().evaluate("today()", {}) == "2030-05-17"
    calls = []

    def working_days_duration(days):
        calls.append(days)
        return f"PT{days}S"

    env = PooledEnvironment(helpers={"working_days_duration": working_days_duration})
    assert env.evaluate("working_days_duration(3)", {}) == "PT3S"
    assert calls == [3]
    with pytest.raises(ScriptFailed, match="TypeError"):
        env.evaluate("working_days_duration()", {})


def test_threads_share_the_pool_without_mixing_their_answers():
    env = PooledEnvironment()
    results: dict[int, int] = {}

    def ask(n: int) -> None:
        for k in range(20):
            results[n * 100 + k] = env.evaluate("n * 100 + k", {"n": n, "k": k})

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == {key: key for key in results} and len(results) == 160
    assert pool.pool().started <= pool.limits().workers


def test_a_forked_child_starts_its_own_workers():
    PooledEnvironment().evaluate("1", {})
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports by its exit status
        try:
            ok = PooledEnvironment().evaluate("6 * 7", {}) == 42 and pool.pool().pid == os.getpid()
        finally:
            os._exit(0 if ok else 1)
    _pid, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert PooledEnvironment().evaluate("1 + 1", {}) == 2


CELL_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="t"
    namespace="http://fuzhi.test/pool"><decision id="t" name="t">
  <decisionTable id="table" hitPolicy="FIRST">
    <input id="i"><inputExpression id="ie" typeRef="number"><text>n</text></inputExpression></input>
    <output id="o" name="verdict" typeRef="string"/>
    <rule id="r0"><inputEntry id="e0"><text>&gt; 100</text></inputEntry>
      <outputEntry id="o0"><text>"big"</text></outputEntry></rule>
    <rule id="r1"><inputEntry id="e1"><text>{cell}</text></inputEntry>
      <outputEntry id="o1"><text>"odd"</text></outputEntry></rule>
  </decisionTable></decision></definitions>"""
C_LOOP_CELL = (
    "[a := [1], b := [1]] and [a := [a, a] for i in range(60)] "
    "and [b := [b, b] for i in range(60)] and a == b"
)


def test_a_decision_table_runs_whole_in_one_worker_request():
    table = decisions.load_decision("t.dmn", CELL_DMN.format(cell="&lt; 0").encode(), "t")
    requests_before = sum(worker.served for worker in pool.pool().idle)
    assert decisions.decide(table, {"n": 500}) == {"verdict": "big"}
    assert decisions.decide(table, {"n": 5}) == {}
    served = sum(worker.served for worker in pool.pool().idle) - requests_before
    assert served == 2  # one request per table, not one per cell


def test_a_decision_cell_running_on_in_c_is_ended_at_its_own_limit(small_pool):
    """Not at the end of the step's budget: the worker's alarm ends that one evaluation."""
    table = decisions.load_decision("t.dmn", CELL_DMN.format(cell=C_LOOP_CELL).encode(), "t")
    began = time.monotonic()
    with pytest.raises(ScriptFailed, match=r"exceeded the time limit \(1 s\); its process"):
        decisions.decide(table, {"n": 5})
    assert time.monotonic() - began < 5  # the budget is 10 s
    safe = decisions.load_decision("t.dmn", CELL_DMN.format(cell="&lt; 0").encode(), "t")
    assert decisions.decide(safe, {"n": 500}) == {"verdict": "big"}  # on a new worker
