"""What running designer code in sandbox worker processes costs (processes/pool.py).

The same work through the in-process environment (what the engine did before: the code
ran in the web or Celery process) and through the pool of worker processes (what it does
now), in interleaved rounds so the machine's load falls on both alike:

- one condition (``amount > 1000 and approved``) over a small case's data;
- one five-line script over a case's data of 40 fields;
- one engine call that runs a script, a gateway of three conditions and a decision table
  of 12 rules by 3 inputs (about 40 evaluations), as a step of a real model does.

    python -m bench.sandbox            # 9 rounds
    python -m bench.sandbox --rounds 3

No database is needed. ``bench.run`` includes these rows in its table.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

from processes import catalog, engine, pool
from processes.pooled import PooledEnvironment
from processes.sandbox.environment import RestrictedEnvironment

from .common import Row

CONDITION = "amount > 1000 and approved"
SCRIPT = """total = sum(scores) / len(scores)
grade = 'A' if total >= 90 else 'B' if total >= 75 else 'C'
names = [f'{n}（{agency}）' for n in people]
flags = {k: v for k, v in checks.items() if v}
summary = f'{len(names)} people, grade {grade}'
"""
DATA: dict[str, Any] = {
    "amount": 1500,
    "approved": True,
    "scores": [88, 92, 79, 95],
    "people": ["张三", "李四", "王五"],
    "agency": "六安市城市管理局",
    "checks": {f"c{i}": i % 2 == 0 for i in range(10)},
    **{f"field_{i}": f"值{i}" * 5 for i in range(34)},
}

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="d" targetNamespace="http://fuzhi.bench">
  <bpmn:process id="bench" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="score"/>
    <bpmn:scriptTask id="score"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="score" targetRef="gate"/>
    <bpmn:exclusiveGateway id="gate" default="f5"/>
    <bpmn:sequenceFlow id="f3" sourceRef="gate" targetRef="high">
      <bpmn:conditionExpression>total &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gate" targetRef="high">
      <bpmn:conditionExpression>grade == 'Z'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="gate" targetRef="rule"/>
    <bpmn:endEvent id="high"/>
    <bpmn:businessRuleTask id="rule"><bpmn:extensionElements>
      <spiffworkflow:calledDecisionId>level</spiffworkflow:calledDecisionId>
    </bpmn:extensionElements></bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f6" sourceRef="rule" targetRef="review"/>
    <bpmn:userTask id="review"/>
    <bpmn:sequenceFlow id="f7" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
DMN_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn" name="Level"
    namespace="http://fuzhi.bench">
  <decision id="level" name="Level"><decisionTable id="t" hitPolicy="FIRST">
    <input id="i1"><inputExpression id="e1"><text>amount</text></inputExpression></input>
    <input id="i2"><inputExpression id="e2"><text>grade</text></inputExpression></input>
    <input id="i3"><inputExpression id="e3"><text>approved</text></inputExpression></input>
    <output id="o1" name="level" typeRef="string"/>
"""
RULE = """<rule id="r{n}"><inputEntry id="a{n}"><text>&gt; {limit}</text></inputEntry>
  <inputEntry id="b{n}"><text>'{grade}'</text></inputEntry>
  <inputEntry id="c{n}"><text>True</text></inputEntry>
  <outputEntry id="out{n}"><text>'L{n}'</text></outputEntry></rule>"""


def _definition() -> Any:
    rules = "".join(
        RULE.format(n=n, limit=100_000 - n * 1000, grade="ABCD"[n % 4]) for n in range(12)
    )
    dmn = DMN_HEAD + rules + "</decisionTable></decision></definitions>"
    files = {
        "bench.bpmn": BPMN.replace("{script}", SCRIPT.replace("&", "&amp;")).encode(),
        "level.dmn": dmn.encode(),
    }
    return catalog.load_definition(files)


def _engine_step(definition: Any, in_process: bool) -> Callable[[], None]:
    original = engine.PooledEnvironment

    def step() -> None:
        if in_process:  # the engine as it was: evaluations in this process
            engine.PooledEnvironment = lambda **kw: RestrictedEnvironment(  # type: ignore[misc]
                helpers=kw.get("helpers")
            )
        try:
            outcome = engine.start(definition, DATA)
            assert outcome.human_tasks, "the bench model must stop at its user task"
        finally:
            engine.PooledEnvironment = original  # type: ignore[misc]

    return step


def _per_call_ms(work: Callable[[], None], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        work()
    return (time.perf_counter() - started) / calls * 1000


def run(rounds: int = 9) -> list[Row]:
    """Median per-call times of each path over ``rounds`` interleaved rounds."""
    here, there = RestrictedEnvironment(), PooledEnvironment()
    definition = _definition()
    cases: dict[str, tuple[Callable[[], None], Callable[[], None], int]] = {
        "condition": (
            lambda: here.evaluate(CONDITION, dict(DATA)),
            lambda: there.evaluate(CONDITION, dict(DATA)),
            400,
        ),
        "script": (
            lambda: here.execute(SCRIPT, dict(DATA)),
            lambda: there.execute(SCRIPT, dict(DATA)),
            200,
        ),
        "engine call (script, 3 conditions, 12x3 decision table)": (
            _engine_step(definition, in_process=True),
            _engine_step(definition, in_process=False),
            20,
        ),
    }
    pool.warm()
    for local, pooled, _calls in cases.values():  # warm caches and compiled code
        local()
        pooled()
    samples: dict[str, dict[str, list[float]]] = {k: {"in": [], "pool": []} for k in cases}
    for number in range(rounds):
        for name, (local, pooled, calls) in cases.items():
            order = [("in", local), ("pool", pooled)]
            for label, work in order if number % 2 else reversed(order):
                samples[name][label].append(_per_call_ms(work, calls))
    rows = []
    for name, timing in samples.items():
        pooled_ms = statistics.median(timing["pool"])
        local_ms = statistics.median(timing["in"])
        rows.append(
            Row(f"sandbox: {name}, in worker processes", pooled_ms, "ms", local_ms, "in-process")
        )
        rows.append(Row(f"sandbox: {name}, added per call", pooled_ms - local_ms, "ms"))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    for row in run(args.rounds):
        ratio = f"  ratio {row.ratio:.2f}" if row.ratio is not None else ""
        baseline = f"  (in-process {row.baseline:.3f} ms)" if row.baseline is not None else ""
        print(f"{row.figure:<78} {row.value:8.3f} ms{baseline}{ratio}")


if __name__ == "__main__":
    main()
