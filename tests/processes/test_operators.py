"""Named operators: the only side effects a model can cause (docs/modelling.md §8)."""

from __future__ import annotations

import pytest

from processes import engine
from processes.errors import ScriptFailed, ScriptRefused, UnknownOperator
from processes.operators import OperatorCall, OperatorRegistry


def service_process(operator: str, parameters: str, result: str = "notify_result") -> str:
    return f"""
<bpmn:process id="notify" name="通知" isExecutable="true">
  <bpmn:startEvent id="start" name="开始">
    <bpmn:outgoing>flow_start_notify</bpmn:outgoing>
  </bpmn:startEvent>
  <bpmn:serviceTask id="send_notice" name="发送通知">
    <bpmn:documentation>依据《办法》第二十条（Art. 20）：通知辅助人员。</bpmn:documentation>
    <bpmn:extensionElements>
      <spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="{result}">
        <spiffworkflow:parameters>{parameters}</spiffworkflow:parameters>
      </spiffworkflow:serviceTaskOperator>
    </bpmn:extensionElements>
    <bpmn:incoming>flow_start_notify</bpmn:incoming>
    <bpmn:outgoing>flow_notify_after</bpmn:outgoing>
  </bpmn:serviceTask>
  <bpmn:scriptTask id="after_notice" name="通知之后">
    <bpmn:documentation>依据《办法》第二十条（Art. 20）：标记已通知。</bpmn:documentation>
    <bpmn:incoming>flow_notify_after</bpmn:incoming>
    <bpmn:outgoing>flow_after_end</bpmn:outgoing>
    <bpmn:script>notified = True</bpmn:script>
  </bpmn:scriptTask>
  <bpmn:endEvent id="end" name="结束"><bpmn:incoming>flow_after_end</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="flow_start_notify" sourceRef="start" targetRef="send_notice" />
  <bpmn:sequenceFlow id="flow_notify_after" sourceRef="send_notice" targetRef="after_notice" />
  <bpmn:sequenceFlow id="flow_after_end" sourceRef="after_notice" targetRef="end" />
</bpmn:process>
"""


PARAMS = """
  <spiffworkflow:parameter id="recipient" type="str" value="applicant_name + '（' + post + '）'" />
  <spiffworkflow:parameter id="days" type="int" value="len(items) * 2 + 1" />
  <spiffworkflow:parameter id="channel" type="str" value="'sms' if mobile else 'letter'" />
"""


def recording(calls: list[OperatorCall], result=None):
    def operator(call: OperatorCall):
        calls.append(call)
        return result

    return operator


# ------------------------------------------------------------------ registry


def test_it_refuses_to_register_an_operator_twice():
    registry = OperatorRegistry()
    first = []
    registry.register("staff_hire", recording(first, {"n": 1}))

    with pytest.raises(ValueError, match="staff_hire"):
        registry.register("staff_hire", recording([], {"n": 2}))
    with pytest.raises(ValueError, match="staff_hire"):
        registry.operator("staff_hire")(recording([], {"n": 3}))

    call = OperatorCall("staff_hire", {}, "hire", "", {}, None)
    assert registry.call(call) == {"n": 1}
    assert first == [call]


def test_it_registers_with_the_decorator_and_describes_operators():
    registry = OperatorRegistry()

    @registry.operator("staff_reject", description="辅助人员 applicant → rejected")
    def reject(call: OperatorCall):
        return {"reason": call.params["reason"]}

    registry.register("staff_hire", lambda call: None)

    assert registry.names() == {"staff_reject", "staff_hire"}
    assert registry.describe() == {
        "staff_reject": "辅助人员 applicant → rejected",
        "staff_hire": "",
    }
    call = OperatorCall("staff_reject", {"reason": "理由"}, "reject_x", "", {}, None)
    assert registry.call(call) == {"reason": "理由"}
    assert reject(call) == {"reason": "理由"}  # the decorator hands the function back


def test_it_names_the_task_and_operator_when_the_operator_is_unknown():
    registry = OperatorRegistry()
    registry.register("staff_hire", lambda call: {})

    with pytest.raises(UnknownOperator) as refused:
        registry.call(OperatorCall("staff_fire", {}, "dismiss_staff", "Art. 30", {}, None))

    assert "dismiss_staff" in str(refused.value)
    assert "'staff_fire'" in str(refused.value)


def test_it_gives_an_empty_result_for_an_operator_returning_none():
    registry = OperatorRegistry()
    registry.register("noop", lambda call: None)

    assert registry.call(OperatorCall("noop", {}, "t", "", {}, None)) == {}


# ------------------------------------------------------- through a service task


def test_it_passes_parameters_evaluated_over_the_task_data(inline_bpmn):
    definition = inline_bpmn(service_process("notify_staff", PARAMS))
    calls: list[OperatorCall] = []
    registry = OperatorRegistry()
    registry.register("notify_staff", recording(calls, {"message_id": "M-17", "sent": True}))
    start = {
        "applicant_name": "李娜",
        "post": "交通执法辅助岗",
        "items": [1, 2, 3],
        "mobile": False,
    }
    context = object()

    outcome = engine.start(definition, start, operators=registry, context=context)

    (call,) = calls
    assert call.name == "notify_staff"
    assert call.params == {"recipient": "李娜（交通执法辅助岗）", "days": 7, "channel": "letter"}
    assert call.task_bpmn_id == "send_notice"
    assert "Art. 20" in call.documentation
    assert call.context is context
    assert call.data["items"] == [1, 2, 3]
    assert outcome.completed
    assert outcome.data["notify_result"] == {"message_id": "M-17", "sent": True}
    assert outcome.data["notified"] is True
    assert [r.bpmn_id for r in outcome.ran] == ["start", "send_notice", "after_notice", "end"]


def test_it_stores_an_empty_result_when_the_operator_returns_nothing(inline_bpmn):
    definition = inline_bpmn(service_process("notify_staff", PARAMS, result="sent_result"))
    registry = OperatorRegistry()
    registry.register("notify_staff", lambda call: None)
    start = {"applicant_name": "李娜", "post": "岗", "items": [], "mobile": True}

    outcome = engine.start(definition, start, operators=registry)

    assert outcome.data["sent_result"] == {}
    assert outcome.completed


def test_it_refuses_an_operator_result_that_is_not_json(inline_bpmn):
    definition = inline_bpmn(service_process("notify_staff", PARAMS))
    registry = OperatorRegistry()
    registry.register("notify_staff", lambda call: {"when": object()})
    start = {"applicant_name": "李娜", "post": "岗", "items": [], "mobile": True}

    with pytest.raises(ScriptFailed, match="notify_staff"):
        engine.start(definition, start, operators=registry)


def test_it_runs_no_python_a_service_task_names(inline_bpmn, tmp_path):
    marker = tmp_path / "pwned"
    params = f'<spiffworkflow:parameter id="command" type="str" value="\'touch {marker}\'" />'
    definition = inline_bpmn(service_process("os.system", params))
    calls: list[OperatorCall] = []
    registry = OperatorRegistry()
    registry.register("system", recording(calls, {}))  # a decoy: names are not resolved loosely
    registry.register("os", recording(calls, {}))

    with pytest.raises(UnknownOperator, match=r"'os\.system'"):
        engine.start(definition, {}, operators=registry)

    assert calls == []
    assert not marker.exists()


def test_it_runs_parameter_expressions_in_the_sandbox(inline_bpmn, tmp_path):
    marker = tmp_path / "pwned"
    value = f"__import__('os').system('touch {marker}')"
    params = f'<spiffworkflow:parameter id="command" type="str" value="{value}" />'
    definition = inline_bpmn(service_process("notify_staff", params))
    calls: list[OperatorCall] = []
    registry = OperatorRegistry()
    registry.register("notify_staff", recording(calls, {}))

    with pytest.raises(ScriptRefused, match="send_notice"):
        engine.start(definition, {}, operators=registry)

    assert calls == []
    assert not marker.exists()


def test_it_does_nothing_without_operators(inline_bpmn):
    definition = inline_bpmn(service_process("notify_staff", PARAMS))
    start = {"applicant_name": "李娜", "post": "岗", "items": [], "mobile": True}

    with pytest.raises(UnknownOperator, match="send_notice"):
        engine.start(definition, start)
