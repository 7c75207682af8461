"""The engine stops runaway models and knows every timer's due time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from processes import catalog, engine
from processes.errors import ScriptFailed

from .test_corpus import corpus_path


def test_it_stops_a_process_that_loops_without_waiting(inline_bpmn):
    definition = inline_bpmn(
        """
        <bpmn:process id="spin" isExecutable="true">
          <bpmn:startEvent id="start"/>
          <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="bump"/>
          <bpmn:scriptTask id="bump"><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>
          <bpmn:sequenceFlow id="f2" sourceRef="bump" targetRef="again"/>
          <bpmn:exclusiveGateway id="again" default="f4"/>
          <bpmn:sequenceFlow id="f3" sourceRef="again" targetRef="bump">
            <bpmn:conditionExpression>n &gt; 0</bpmn:conditionExpression>
          </bpmn:sequenceFlow>
          <bpmn:sequenceFlow id="f4" sourceRef="again" targetRef="end"/>
          <bpmn:endEvent id="end"/>
        </bpmn:process>
        """
    )
    with pytest.raises(ScriptFailed, match="endless loop"):
        engine.start(definition, {"n": 0})


def test_it_reports_the_due_time_of_an_event_gateway_timer():
    path = corpus_path("spiff-tests__bpmn__data__event-gateway.bpmn")
    definition = catalog.load_definition(catalog.bundle_for(path))
    before = datetime.now(UTC)
    outcome = engine.start(definition, {})
    assert outcome.wake_at is not None
    assert before < outcome.wake_at < before + timedelta(days=400)
