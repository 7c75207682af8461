"""Models SpiffWorkflow accepts but a live case would break on are refused, each naming
the element, the reason and the fix; and a check reports every problem of a file at once."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from processes import catalog, xmlsafe
from processes.checks import flows
from processes.checks.dmn_overlap import overlap_problems
from processes.errors import ModelError

from .test_catalog import (
    FORM,
    OPERATORS,
    RECRUITMENT,
    ROLES,
    model,
    problems_of,
    script_task,
    service_task,
    user_task,
)

BPMN = f"{{{xmlsafe.BPMN_NS}}}"
ALL_ROLES = {*ROLES, "justice_bureau"}


def codes(problems: list[ModelError]) -> list[str]:
    return [p.code for p in problems]


def with_code(problems: list[ModelError], code: str) -> list[ModelError]:
    found = [p for p in problems if p.code == code]
    assert found, [p.one_line() for p in problems]
    return found


# ------------------------------------------------------------------------ lanes


def test_a_user_task_outside_every_lane_is_refused_naming_it() -> None:
    data = model(user_task("approve")).replace(b"<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>", b"")
    [problem] = with_code(problems_of(data), "task_without_lane")
    assert problem.element == "userTask approve (审批)"
    assert problem.line is not None
    assert "nobody's inbox" in problem.detail
    assert "move it into the lane of the role that does this work" in problem.detail


def test_a_process_with_no_lanes_is_told_to_add_them() -> None:
    data = model(user_task("approve"))
    start, end = data.index(b"<bpmn:laneSet"), data.index(b"</bpmn:laneSet>") + 15
    [problem] = with_code(problems_of(data[:start] + data[end:]), "task_without_lane")
    assert "the process has no lanes: add a lane per role" in problem.detail


def test_a_task_inside_a_sub_process_in_a_lane_takes_its_lane() -> None:
    inner = (
        '<bpmn:subProcess id="sub" name="子流程"><bpmn:startEvent id="s2" />'
        '<bpmn:userTask id="inner" name="内部" /><bpmn:endEvent id="e2" />'
        '<bpmn:sequenceFlow id="i1" sourceRef="s2" targetRef="inner" />'
        '<bpmn:sequenceFlow id="i2" sourceRef="inner" targetRef="e2" /></bpmn:subProcess>'
    )
    assert "task_without_lane" not in codes(problems_of(model(inner)))


def test_lanes_are_not_asked_for_when_roles_are_not_checked() -> None:
    data = model(user_task("approve")).replace(b"<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>", b"")
    assert "task_without_lane" not in codes(problems_of(data, roles=None))


# ------------------------------------------------------------------ splits


def test_a_start_event_with_two_outgoing_flows_is_refused() -> None:
    extra = '<bpmn:sequenceFlow id="again" sourceRef="start" targetRef="approve" />'
    [problem] = with_code(problems_of(model(user_task("approve"), extra=extra)), "event_splits")
    assert problem.element == "startEvent start"
    assert "flow_start_approve, again" in problem.detail
    assert "Only gateways may split the flow" in problem.detail


# -------------------------------------------------------------------- timers


def timer(expression: str) -> str:
    return (
        '<bpmn:intermediateCatchEvent id="wait" name="等待"><bpmn:timerEventDefinition id="t">'
        f"<bpmn:timeDuration>{expression}</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )


def test_a_timer_in_working_days_is_refused_or_counted() -> None:
    problems = problems_of(model(timer("'15WD'")))
    if flows.TIMERS_COUNT_WORKING_DAYS:  # issue 18's durations: timers count working days
        assert "timer_working_days" not in codes(problems)
        return
    [problem] = with_code(problems, "timer_working_days")
    assert problem.element == "intermediateCatchEvent wait (等待)"
    assert "only a task's due date (dueIn) understands" in problem.detail
    assert "P21D" in problem.detail


def test_a_timer_variable_a_script_sets_to_working_days_is_refused_too() -> None:
    data = model(script_task("notice_period = '5WD'", "set_period"), timer("notice_period"))
    if flows.TIMERS_COUNT_WORKING_DAYS:
        assert "timer_working_days" not in codes(problems_of(data))
        return
    [problem] = with_code(problems_of(data), "timer_working_days")
    assert "'notice_period' holds '5WD'" in problem.detail


def test_a_calendar_timer_passes() -> None:
    assert problems_of(model(timer("'P7D'"))) == []


# ----------------------------------------------------------------- data flow


def delete_task(xml: bytes, task_id: str) -> bytes:
    """What a designer does in the editor: delete a task and join its flows."""
    tree = etree.fromstring(xml)
    incoming = [f for f in tree.iter(f"{BPMN}sequenceFlow") if f.get("targetRef") == task_id]
    outgoing = [f for f in tree.iter(f"{BPMN}sequenceFlow") if f.get("sourceRef") == task_id]
    (after,) = [f.get("targetRef") for f in outgoing]
    gone = {task_id, *(f.get("id") for f in outgoing)}
    for flow in incoming:
        flow.set("targetRef", after)
    for node in list(tree.iter()):
        refers = node.get("id") in gone or node.get("bpmnElement") in gone
        if refers or (node.text or "").strip() in gone:
            node.getparent().remove(node)
    return bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def recruitment_without(task_id: str) -> dict[str, bytes]:
    files = catalog.read_directory(RECRUITMENT)
    files["recruitment.bpmn"] = delete_task(files["recruitment.bpmn"], task_id)
    return files


def test_deleting_the_task_whose_form_supplied_a_variable_is_refused() -> None:
    problems = catalog.check_files(
        recruitment_without("approve_hire"), roles=ALL_ROLES, operators=OPERATORS
    )
    found = with_code(problems, "variable_not_supplied")
    by_name = {(p.params["name"], p.element) for p in found}
    assert ("decision", "sequenceFlow flow_gateway_approval_continue (同意)") in by_name
    assert any(name == "reason" and "reject_not_approved" in el for name, el in by_name)
    message = next(p for p in found if p.params["name"] == "decision").detail
    assert "condition reads 'decision' before any step supplies it" in message
    assert "NameError" in message
    assert "Ask for it in a form before this step" in message


def test_the_reference_model_supplies_everything_it_reads() -> None:
    files = catalog.read_directory(RECRUITMENT)
    assert catalog.check_files(files, roles=ALL_ROLES, operators=OPERATORS) == []


def test_a_variable_set_only_after_it_is_read_is_refused_as_late() -> None:
    data = model(script_task("total = score + 1", "a"), script_task("score = 3", "b"))
    [problem] = with_code(problems_of(data), "variable_not_supplied")
    assert problem.params == {"what": "script", "name": "score", "later": 1}
    assert "the step that supplies it comes later" in problem.detail


def test_an_optional_variable_read_under_except_name_error_is_not_required() -> None:
    script = "try:\n    period\nexcept NameError:\n    period = None\nx = period"
    assert problems_of(model(script_task(script))) == []


def test_a_form_field_supplies_what_a_later_condition_reads() -> None:
    gateway = (
        '<bpmn:exclusiveGateway id="gw" name="同意？" default="no" />'
        '<bpmn:endEvent id="rejected" />'
        '<bpmn:sequenceFlow id="no" sourceRef="gw" targetRef="rejected" />'
    )
    data = model(user_task("approve", form="approval.json"), gateway)
    data = data.replace(
        b'<bpmn:sequenceFlow id="flow_gw_end" sourceRef="gw" targetRef="end" />',
        b'<bpmn:sequenceFlow id="flow_gw_end" sourceRef="gw" targetRef="end">'
        b"<bpmn:conditionExpression>decision == 'approve'</bpmn:conditionExpression>"
        b"</bpmn:sequenceFlow>",
    ).replace(
        b"<bpmn:flowNodeRef>end</bpmn:flowNodeRef>",
        b"<bpmn:flowNodeRef>end</bpmn:flowNodeRef><bpmn:flowNodeRef>rejected</bpmn:flowNodeRef>",
    )
    assert problems_of(data, forms={"approval.json": FORM}) == []
    bare = problems_of(
        data.replace(b"approval.json", b"other.json"),
        forms={"other.json": {**FORM, "properties": {}, "required": []}},
    )
    assert [p.params["name"] for p in with_code(bare, "variable_not_supplied")] == ["decision"]


def test_start_data_is_declared_on_the_process() -> None:
    data = model(script_task("x = amount * 2")).replace(
        b'isExecutable="true">',
        b'isExecutable="true"><bpmn:extensionElements><spiffworkflow:properties>'
        b'<spiffworkflow:property name="startData" value="amount" />'
        b"</spiffworkflow:properties></bpmn:extensionElements>",
    )
    assert problems_of(data) == []
    assert codes(problems_of(model(script_task("x = amount * 2")))) == ["variable_not_supplied"]


# ------------------------------------------------------------------- DMN overlaps

TABLE = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="d" namespace="x">
  <decision id="grade" name="等级">
    <decisionTable id="t" hitPolicy="{policy}">
      <input id="i1" label="年龄">
        <inputExpression id="e1" typeRef="integer"><text>age</text></inputExpression></input>
      <input id="i2" label="国籍">
        <inputExpression id="e2" typeRef="boolean"><text>national</text></inputExpression></input>
      <output id="o1" name="ok" typeRef="boolean" />
      {rules}
    </decisionTable>
  </decision>
</definitions>
"""


def rule(ident: str, age: str, national: str) -> str:
    return (
        f'<rule id="{ident}"><inputEntry id="{ident}a"><text>{age}</text></inputEntry>'
        f'<inputEntry id="{ident}b"><text>{national}</text></inputEntry>'
        f'<outputEntry id="{ident}o"><text>True</text></outputEntry></rule>'
    )


def overlaps(*rules: str, policy: str = "UNIQUE") -> list[ModelError]:
    xml = TABLE.format(policy=policy, rules="".join(rules)).encode()
    return overlap_problems("t.dmn", xmlsafe.parse_model_xml(xml, "t.dmn"))


def test_overlapping_rules_of_a_unique_table_are_shown_by_the_values_both_match() -> None:
    [problem] = overlaps(rule("r1", "&lt;= 18", "True"), rule("r2", "&gt;= 18", "-"))
    assert problem.element == "rule r2 (row 2) of decision grade (等级)"
    assert "rules 1 and 2 of this UNIQUE table both match when 年龄 = 18, 国籍 = True" in (
        problem.detail
    )
    assert "set the hit policy to FIRST" in problem.detail


def test_exclusive_rules_and_first_tables_pass() -> None:
    assert (
        overlaps(
            rule("r1", "&lt; 18", "-"),
            rule("r2", "&gt;= 18", "True"),
            rule("r3", "&gt;= 18", "False"),
        )
        == []
    )
    assert overlaps(rule("r1", "-", "-"), rule("r2", "-", "-"), policy="FIRST") == []
    assert overlaps(rule("r1", "18 &lt;= ? &lt;= 35", "-"), rule("r2", "? &gt; 35", "-")) == []


def test_cells_that_name_other_variables_are_not_guessed() -> None:
    assert overlaps(rule("r1", "&gt;= pass_line", "-"), rule("r2", "-", "-")) == []


def test_fuzhis_own_decision_tables_have_no_overlap() -> None:
    root = Path(__file__).resolve().parents[2] / "bpmn"
    for path in sorted(root.rglob("*.dmn")):
        assert catalog.check_path(path) == [], path


# ------------------------------------------------------------- all in one pass


def test_a_model_with_several_mistakes_reports_them_all_in_one_pass() -> None:
    gateway = (
        '<bpmn:exclusiveGateway id="gw" name="分支" />'
        '<bpmn:endEvent id="other" />'
        '<bpmn:sequenceFlow id="bare" sourceRef="gw" targetRef="other" />'
    )
    data = model(
        service_task("no_such_operator"),
        script_task("x = (", "broken"),
        user_task("approve"),
        gateway,
    ).replace(b"<bpmn:flowNodeRef>approve</bpmn:flowNodeRef>", b"")
    problems = problems_of(data)
    elements = {p.element for p in problems}
    # SpiffWorkflow stops at the gateway's flows; the rest is Fuzhi's, every one of them.
    assert "userTask approve (审批)" in elements
    assert "scriptTask broken (计算)" in elements
    assert "serviceTask hire (办理)" in elements
    assert any("gw" in e or "bare" in e or "flow_gw_end" in e for e in elements), elements
    assert len(problems) >= 4


def test_a_deploy_refuses_what_the_check_refuses() -> None:
    files = recruitment_without("approve_hire")
    definition = catalog.load_definition(files)
    problems = catalog.iter_problems(definition, roles=ALL_ROLES, operators=OPERATORS)
    assert "variable_not_supplied" in codes(problems)
