"""A small inline process for the concurrency tests: two parallel user tasks in two lanes.

start → parallel split → (hr_officer: 人事核对) ∥ (approver: 领导审核) → parallel join → end.
Neither task has a form, so any (empty) data completes it.
"""

from __future__ import annotations

PROCESS_ID = "parallel_test"
HR_TASK = "check_by_hr"
APPROVER_TASK = "check_by_approver"

PARALLEL_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="definitions_parallel_test" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="collaboration_parallel_test">
    <bpmn:participant id="participant_parallel_test" name="并行测试" processRef="parallel_test" />
  </bpmn:collaboration>
  <bpmn:process id="parallel_test" name="并行测试流程" isExecutable="true">
    <bpmn:documentation>测试用：两个角色并行办理（Art. 5）。</bpmn:documentation>
    <bpmn:laneSet id="laneset_parallel_test">
      <bpmn:lane id="lane_approver" name="approver">
        <bpmn:documentation>审批领导</bpmn:documentation>
        <bpmn:flowNodeRef>check_by_approver</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="lane_hr_officer" name="hr_officer">
        <bpmn:documentation>人事专员</bpmn:documentation>
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gateway_split</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>check_by_hr</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>gateway_join</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>done_end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="开始">
      <bpmn:documentation>测试开始（Art. 5）。</bpmn:documentation>
      <bpmn:outgoing>flow_start_gateway_split</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:parallelGateway id="gateway_split" name="并行办理">
      <bpmn:documentation>依据《办法》第五条（Art. 5）：两个角色同时办理。</bpmn:documentation>
      <bpmn:incoming>flow_start_gateway_split</bpmn:incoming>
      <bpmn:outgoing>flow_gateway_split_check_by_hr</bpmn:outgoing>
      <bpmn:outgoing>flow_gateway_split_check_by_approver</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:userTask id="check_by_hr" name="人事核对">
      <bpmn:documentation>依据《办法》第五条（Art. 5）：人事专员核对。</bpmn:documentation>
      <bpmn:incoming>flow_gateway_split_check_by_hr</bpmn:incoming>
      <bpmn:outgoing>flow_check_by_hr_gateway_join</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:userTask id="check_by_approver" name="领导审核">
      <bpmn:documentation>依据《办法》第五条（Art. 5）：审批领导审核。</bpmn:documentation>
      <bpmn:incoming>flow_gateway_split_check_by_approver</bpmn:incoming>
      <bpmn:outgoing>flow_check_by_approver_gateway_join</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:parallelGateway id="gateway_join" name="汇合">
      <bpmn:documentation>依据《办法》第五条（Art. 5）：两项都办完后继续。</bpmn:documentation>
      <bpmn:incoming>flow_check_by_hr_gateway_join</bpmn:incoming>
      <bpmn:incoming>flow_check_by_approver_gateway_join</bpmn:incoming>
      <bpmn:outgoing>flow_gateway_join_done_end</bpmn:outgoing>
    </bpmn:parallelGateway>
    <bpmn:endEvent id="done_end" name="办结">
      <bpmn:documentation>两项都已办理（Art. 5）。</bpmn:documentation>
      <bpmn:incoming>flow_gateway_join_done_end</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="flow_start_gateway_split" sourceRef="start" targetRef="gateway_split" />
    <bpmn:sequenceFlow id="flow_gateway_split_check_by_hr" sourceRef="gateway_split"
        targetRef="check_by_hr" />
    <bpmn:sequenceFlow id="flow_gateway_split_check_by_approver" sourceRef="gateway_split"
        targetRef="check_by_approver" />
    <bpmn:sequenceFlow id="flow_check_by_hr_gateway_join" sourceRef="check_by_hr"
        targetRef="gateway_join" />
    <bpmn:sequenceFlow id="flow_check_by_approver_gateway_join" sourceRef="check_by_approver"
        targetRef="gateway_join" />
    <bpmn:sequenceFlow id="flow_gateway_join_done_end" sourceRef="gateway_join"
        targetRef="done_end" />
  </bpmn:process>
</bpmn:definitions>
"""

PARALLEL_FILES: dict[str, bytes] = {"parallel_test.bpmn": PARALLEL_BPMN.encode()}
