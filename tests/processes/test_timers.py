"""Timers read by Fuzhi before SpiffWorkflow sees them (processes/timers.py): a constant
Fuzhi will not use is refused at deploy, a computed one stops its step at once naming the
element, and working days ('15WD') are a timer like any other."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from processes import catalog, engine
from processes.errors import ScriptFailed

TIMER = """
<bpmn:process id="wait" isExecutable="true">
  <bpmn:extensionElements><spiffworkflow:properties>
    <spiffworkflow:property name="startData" value="notice_period, wait_for"/>
  </spiffworkflow:properties></bpmn:extensionElements>
  <bpmn:startEvent id="start"/>
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="pause"/>
  <bpmn:intermediateCatchEvent id="pause" name="Pause">
    <bpmn:timerEventDefinition id="t"><bpmn:{kind}>{expression}</bpmn:{kind}>
    </bpmn:timerEventDefinition>
  </bpmn:intermediateCatchEvent>
  <bpmn:sequenceFlow id="f2" sourceRef="pause" targetRef="end"/>
  <bpmn:endEvent id="end"/>
</bpmn:process>
"""
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="d" targetNamespace="http://fuzhi.test/bpmn">"""


def files(expression: str, kind: str = "timeDuration") -> dict[str, bytes]:
    body = TIMER.format(kind=kind, expression=expression)
    return {"x.bpmn": f"{HEAD}{body}</bpmn:definitions>".encode()}


def problems(expression: str, kind: str = "timeDuration") -> list[str]:
    return [p.detail for p in catalog.check_files(files(expression, kind))]


@pytest.mark.parametrize(
    ("expression", "kind", "why"),
    [
        ("'P4000000Y'", "timeDuration", "longer than 10 years"),
        ("'P11Y'", "timeDuration", "longer than 10 years"),
        ("'9999WD'", "timeDuration", "working days"),
        ("'soon'", "timeDuration", "neither an ISO-8601 duration"),
        ("5", "timeDuration", "is not text"),
        ("'2099-01-01T00:00:00'", "timeDate", "more than 10 years away"),
        ("'R/PT1S'", "timeCycle", "more often than once a minute"),
    ],
)
def test_a_constant_timer_fuzhi_will_not_use_is_refused_at_deploy(expression, kind, why):
    found = problems(expression, kind)
    assert any(why in p and p.startswith("timer:") for p in found), found


def test_a_usable_constant_timer_deploys():
    for expression, kind in (
        ("'P3D'", "timeDuration"),
        ("'15WD'", "timeDuration"),
        ("'R3/PT1H'", "timeCycle"),
        ("notice_period", "timeDuration"),
    ):
        assert problems(expression, kind) == [], expression


def test_a_computed_timer_past_ten_years_stops_its_step_at_once_naming_the_element():
    definition = catalog.load_definition(files("wait_for"))
    began = time.monotonic()
    with pytest.raises(ScriptFailed, match=r"element pause: timer 'wait_for' gave 'P4000000Y'"):
        engine.start(definition, {"wait_for": "P4000000Y"})
    with pytest.raises(ScriptFailed, match="neither an ISO-8601 duration"):
        engine.start(definition, {"wait_for": "fifteen days"})
    assert time.monotonic() - began < 5  # SpiffWorkflow's own loop took 28 s


def test_working_days_are_a_timer_counted_by_the_helper_it_is_given():
    definition = catalog.load_definition(files("'15WD'"))
    asked: list[int] = []

    def working_days_duration(days: int) -> str:
        asked.append(days)
        return "PT86400S"

    before = datetime.now(UTC)
    outcome = engine.start(definition, {}, helpers={"working_days_duration": working_days_duration})
    assert asked == [15]
    assert outcome.wake_at is not None
    assert abs(outcome.wake_at - (before + timedelta(days=1))) < timedelta(seconds=5)
