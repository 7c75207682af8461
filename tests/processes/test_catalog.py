"""Loading and checking definitions: what the model says, and every problem in one plain
line that names file, line and element."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from processes import catalog, spiff_errors
from processes.checks import structure
from processes.checks.dmn import cell_problem
from processes.definition import ProcessDefinition, content_hash
from processes.errors import ModelError

RECRUITMENT = Path(__file__).resolve().parents[2] / "bpmn" / "recruitment"
ROLES = {"hr_officer", "approver", "legal_reviewer", "trainer", "staffing_office", "hrss"}
OPERATORS = {"staff_hire", "staff_reject"}

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    id="defs" targetNamespace="http://fuzhi.test/bpmn">
"""
FORM = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "审批",
    "type": "object",
    "properties": {"decision": {"title": "结论", "type": "string", "enum": ["approve"]}},
    "required": ["decision"],
    "additionalProperties": False,
}


def model(*nodes: str, lane: str = "hr_officer", extra: str = "", process: str = "p") -> bytes:
    """A process start -> nodes... -> end, every node in ``lane``, one node per line."""
    ids = ["start", *(_id_of(node) for node in nodes), "end"]
    flows = [
        f'<bpmn:sequenceFlow id="flow_{a}_{b}" sourceRef="{a}" targetRef="{b}" />'
        for a, b in itertools.pairwise(ids)
    ]
    refs = "".join(f"<bpmn:flowNodeRef>{i}</bpmn:flowNodeRef>" for i in ids)
    body = "\n".join(
        [
            f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_1" name="{lane}">{refs}</bpmn:lane>'
            "</bpmn:laneSet>",
            '<bpmn:startEvent id="start" />',
            *nodes,
            '<bpmn:endEvent id="end" />',
            *flows,
            extra,
        ]
    )
    xml = f'{HEAD}<bpmn:process id="{process}" name="测试" isExecutable="true">\n{body}\n'
    return f"{xml}</bpmn:process>\n</bpmn:definitions>\n".encode()


def _id_of(node: str) -> str:
    return node.split('id="', 1)[1].split('"', 1)[0]


def user_task(ident: str = "approve", *, form: str = "", due: str = "") -> str:
    props = "".join(
        f'<spiffworkflow:property name="{name}" value="{value}" />'
        for name, value in (("formJsonSchemaFilename", form), ("dueIn", due))
        if value
    )
    ext = (
        f"<bpmn:extensionElements><spiffworkflow:properties>{props}"
        "</spiffworkflow:properties></bpmn:extensionElements>"
        if props
        else ""
    )
    return f'<bpmn:userTask id="{ident}" name="审批">{ext}</bpmn:userTask>'


def service_task(operator: str, ident: str = "hire") -> str:
    return (
        f'<bpmn:serviceTask id="{ident}" name="办理"><bpmn:extensionElements>'
        f'<spiffworkflow:serviceTaskOperator id="{operator}" resultVariable="r">'
        "<spiffworkflow:parameters /></spiffworkflow:serviceTaskOperator>"
        "</bpmn:extensionElements></bpmn:serviceTask>"
    )


def script_task(script: str, ident: str = "compute") -> str:
    return (
        f'<bpmn:scriptTask id="{ident}" name="计算"><bpmn:script>{script}</bpmn:script>'
        "</bpmn:scriptTask>"
    )


def problems_of(
    data: bytes,
    *,
    forms: dict[str, Any] | None = None,
    roles: Any = ROLES,
    operators: Any = OPERATORS,
) -> list[ModelError]:
    files = {"m.bpmn": data}
    for name, schema in (forms or {}).items():
        files[f"forms/{name}"] = json.dumps(schema).encode()
    return catalog.check_files(files, roles=roles, operators=operators)


def only(problems: list[ModelError]) -> ModelError:
    assert len(problems) == 1, [p.one_line() for p in problems]
    problem = problems[0]
    text = problem.one_line()
    assert "\n" not in text
    assert problem.line is not None, f"no line in: {text}"
    return problem


# ----------------------------------------------------------- the reference model


@pytest.fixture(scope="module")
def recruitment() -> ProcessDefinition:
    return catalog.load_directory(RECRUITMENT)


def test_it_loads_the_recruitment_process(recruitment: ProcessDefinition) -> None:
    assert recruitment.process_id == "recruitment"
    assert recruitment.name == "招聘"
    assert set(recruitment.decisions) == {"eligibility", "disqualification"}
    assert "approval.json" in recruitment.forms
    assert recruitment.lanes == {"hr_officer", "approver"}


def test_it_reads_what_the_model_says_about_each_task(recruitment: ProcessDefinition) -> None:
    review = recruitment.tasks["review_application"]
    assert (review.kind, review.lane, review.form_name, review.due_in) == (
        "UserTask",
        "hr_officer",
        "application_review.json",
        "P3D",
    )
    assert review.manual and review.name == "报名资格审查"
    assert "Art. 10" in review.documentation
    approve = recruitment.tasks["approve_hire"]
    assert (approve.lane, approve.form_name, approve.manual) == ("approver", "approval.json", True)
    hire = recruitment.tasks["hire"]
    assert (hire.kind, hire.manual, hire.form_name) == ("ServiceTask", False, "")


def test_it_collects_the_cited_articles(recruitment: ProcessDefinition) -> None:
    assert {8, 9, 10, 11} <= recruitment.articles


def test_it_hashes_content_stably() -> None:
    files = catalog.read_directory(RECRUITMENT)
    digest = content_hash(files)
    assert content_hash(dict(reversed(list(files.items())))) == digest
    assert catalog.load_definition(files).content_hash == digest
    changed = dict(files)
    changed["recruitment.bpmn"] = files["recruitment.bpmn"].replace(b"P3D", b"P4D", 1)
    assert content_hash(changed) != digest
    renamed = {("x" + k if k.endswith(".dmn") else k): v for k, v in files.items()}
    assert content_hash(renamed) != digest


def test_it_accepts_the_recruitment_bundle() -> None:
    assert (
        catalog.check_files(catalog.read_directory(RECRUITMENT), roles=ROLES, operators=OPERATORS)
        == []
    )
    assert (
        catalog.check_path(RECRUITMENT / "recruitment.bpmn", roles=ROLES, operators=OPERATORS) == []
    )


def test_it_checks_directories_and_single_forms(tmp_path: Path) -> None:
    assert catalog.check_path(RECRUITMENT, roles=ROLES, operators=OPERATORS) == []
    assert catalog.check_path(RECRUITMENT / "forms") == []
    assert catalog.check_path(RECRUITMENT / "forms" / "approval.json") == []
    assert catalog.check_path(RECRUITMENT / "eligibility.dmn") == []
    [empty] = catalog.check_path(tmp_path)
    assert "no .bpmn, .dmn or .json file" in empty.detail


# ----------------------------------------------------------- deploy checks


def test_it_names_a_lane_that_is_not_a_role() -> None:
    assert problems_of(model(user_task())) == []
    problem = only(problems_of(model(user_task(), lane="clerk")))
    assert "lane 'clerk' is not a known role" in problem.detail
    assert "approve (审批)" in problem.detail
    assert problem.element == "lane lane_1 (clerk)"


def test_it_names_a_missing_form() -> None:
    problem = only(problems_of(model(user_task(form="review.json"))))
    assert problem.detail == "form 'review.json' is referenced but not in forms/"
    assert problem.element == "userTask approve (审批)"
    assert problems_of(model(user_task(form="review.json")), forms={"review.json": FORM}) == []


def test_it_names_an_unknown_operator() -> None:
    problem = only(problems_of(model(service_task("staff_fire"))))
    assert "unknown operator 'staff_fire'" in problem.detail
    assert problem.element == "serviceTask hire (办理)"


def test_it_names_a_due_date_that_is_not_a_duration() -> None:
    problem = only(problems_of(model(user_task(due="3 days"))))
    assert "'3 days' is neither an ISO-8601 duration" in problem.detail
    assert problem.element.startswith("userTask approve")


def test_it_accepts_a_due_date_in_working_days() -> None:
    assert problems_of(model(user_task(due="5WD"))) == []


@pytest.mark.parametrize(
    "script",
    [
        "import os",
        "open('{marker}', 'w').write('ran')",
        "__import__('os').system('touch {marker}')",
        "x = ().__class__.__bases__[0].__subclasses__()",
        "x = getattr(1, '__class__')",
    ],
)
def test_it_refuses_escaping_scripts_without_running_them(script: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    problem = only(problems_of(model(script_task(script.format(marker=marker)))))
    assert problem.element == "scriptTask compute (计算)"
    assert problem.detail.startswith("script refused")
    assert not marker.exists()


def test_it_refuses_a_feel_style_condition() -> None:
    gateway = '<bpmn:exclusiveGateway id="gateway" default="flow_gateway_end" />'
    extra = (
        '<bpmn:sequenceFlow id="flow_gateway_check" sourceRef="gateway" targetRef="check">'
        "<bpmn:conditionExpression>${x &gt; 1}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:task id="check" /><bpmn:sequenceFlow id="flow_check_end" sourceRef="check"'
        ' targetRef="end" />'
    )
    data = model(gateway, extra=extra).replace(
        b"<bpmn:flowNodeRef>end", b"<bpmn:flowNodeRef>check</bpmn:flowNodeRef><bpmn:flowNodeRef>end"
    )
    problem = only(problems_of(data))
    assert problem.element == "sequenceFlow flow_gateway_check"
    assert "'${x > 1}' is not a Python expression" in problem.detail
    assert "expression language not supported" in problem.detail


def test_it_skips_roles_and_operators_when_not_given() -> None:
    data = model(service_task("staff_fire"), lane="clerk")
    assert len(problems_of(data)) == 2
    assert problems_of(data, roles=None, operators=None) == []


def test_it_names_a_dangling_sequence_flow() -> None:
    data = model(user_task()).replace(b'targetRef="end"', b'targetRef="nowhere"')
    problem = only(problems_of(data))
    assert problem.detail == (
        "sequence flow 'flow_approve_end' points to 'nowhere', which is not an element of "
        "the process 'p'"
    )
    assert problem.element == "sequenceFlow flow_approve_end"


def test_it_explains_a_service_task_written_for_camunda() -> None:
    task = '<bpmn:serviceTask id="mail" name="发信" camunda:class="org.example.Mail" />'
    problem = only(problems_of(model(task)))
    assert problem.detail.startswith(spiff_errors.SERVICE_TASK_MESSAGE)
    assert "Camunda Java delegate class 'org.example.Mail'" in problem.detail


def test_it_lists_what_another_engine_would_run_together_with_later_problems() -> None:
    send = (
        '<bpmn:sendTask id="notify" name="通知" camunda:type="external" camunda:topic="mail">'
        '<bpmn:extensionElements><camunda:executionListener event="start" '
        'class="org.example.Audit" /></bpmn:extensionElements></bpmn:sendTask>'
    )
    script = '<bpmn:scriptTask id="calc" scriptFormat="groovy"><bpmn:script>x = 1</bpmn:script>'
    problems = problems_of(model(send, script + "</bpmn:scriptTask>", lane="clerk"))
    text = "\n".join(p.one_line() for p in problems)
    assert "this sendTask is a Camunda external task (topic 'mail')" in text
    assert "camunda:executionListener is not run by this engine" in text
    assert "script language 'groovy' is not supported" in text
    assert "lane 'clerk' is not a known role" in text
    assert all(p.line is not None for p in problems)


def test_it_names_a_call_to_a_process_not_in_the_bundle() -> None:
    call = '<bpmn:callActivity id="call" name="调用" calledElement="elsewhere" />'
    problem = only(problems_of(model(call)))
    assert "calls process 'elsewhere', which is not in the bundle" in problem.detail
    assert problem.element == "callActivity call (调用)"


def test_it_refuses_a_process_that_calls_itself() -> None:
    problem = only(problems_of(model('<bpmn:callActivity id="again" calledElement="p" />')))
    assert "recursive calls never end" in problem.detail


def test_it_names_a_decision_not_in_the_bundle() -> None:
    task = (
        '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements><spiffworkflow:'
        "calledDecisionId>eligibility</spiffworkflow:calledDecisionId></bpmn:extensionElements>"
        "</bpmn:businessRuleTask>"
    )
    problem = only(problems_of(model(task)))
    assert "calls decision 'eligibility', which is not in the bundle" in problem.detail


def test_it_says_plainly_when_a_chain_is_too_long_for_the_parser() -> None:
    tasks = [f'<bpmn:task id="t{i}" />' for i in range(1200)]
    problem = only(problems_of(model(*tasks), roles=None))
    assert "split it into sub-processes" in problem.detail
    assert "(detail: RecursionError" in problem.detail


def test_it_names_the_line_of_a_bad_form() -> None:
    files = {"m.bpmn": model(user_task()), "forms/bad.json": b'{\n  "type": "object",\n  x\n}'}
    problem = only(catalog.check_files(files, roles=ROLES))
    assert problem.file == "forms/bad.json"
    assert problem.line == 3
    files["forms/bad.json"] = b'{"type": "array"}'
    assert "must be an object" in catalog.check_files(files)[0].detail


# ----------------------------------------------------------- never a crash


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({}, "the bundle has no BPMN file"),
        ({"m.bpmn": b"<bpmn:definitions"}, "not well-formed XML"),
        ({"m.bpmn": model(user_task()).replace(b'isExecutable="true"', b"")}, ""),
        ({"m.bpmn": model(user_task()).replace(b'"true"', b'"false"')}, "descriptive only"),
    ],
)
def test_it_loads_or_raises_a_model_error(files: dict[str, bytes], words: str) -> None:
    if not words:  # a process without isExecutable counts as executable, as in SpiffWorkflow
        assert catalog.load_definition(files).process_id == "p"
        return
    with pytest.raises(ModelError, match=words):
        catalog.load_definition(files)


def test_it_wraps_an_unexpected_exception(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(self: Any, *args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(SpiffBpmnParser, "add_bpmn_xml", broken)
    path = tmp_path / "m.bpmn"
    path.write_bytes(model(user_task()))
    problem = only_no_line(catalog.check_path(path))
    assert problem.one_line() == (
        "m.bpmn: the engine cannot read this model (detail: ZeroDivisionError: boom)"
    )
    with pytest.raises(ModelError, match="cannot read this model"):
        catalog.load_definition({"m.bpmn": path.read_bytes()})


def test_it_never_raises_from_check_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise TypeError("unexpected")

    monkeypatch.setattr(structure, "bpmn_tree_problems", broken)
    path = tmp_path / "m.bpmn"
    path.write_bytes(model(user_task()))
    problem = only_no_line(catalog.check_path(path))
    assert "the engine cannot read this model" in problem.detail
    [missing] = catalog.check_path(tmp_path / "absent.bpmn")
    assert "not a regular file" in missing.detail


def only_no_line(problems: list[ModelError]) -> ModelError:
    assert len(problems) == 1, [p.one_line() for p in problems]
    return problems[0]


# ----------------------------------------------------------------- decisions

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{ns}" id="defs" name="d" namespace="http://fuzhi.test/dmn">
  <decision id="adult" name="成年">
    <decisionTable id="table">
      <input id="in_age" label="年龄"><inputExpression id="ie" typeRef="integer">
        <text>age</text></inputExpression></input>
      <output id="out" name="adult" typeRef="boolean" />
      <rule id="rule_adult"><inputEntry id="e1"><text>{cell}</text></inputEntry>
        <outputEntry id="o1"><text>{out}</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""
DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMN15 = "https://www.omg.org/spec/DMN/20230324/MODEL/"


@pytest.mark.parametrize("namespace", [DMN13, DMN15])
def test_it_accepts_python_cells_in_any_dmn_version(namespace: str) -> None:
    data = DMN.format(ns=namespace, cell="&gt;= 18", out="True").encode()
    assert catalog.check_decision_file("adult.dmn", data) == []


@pytest.mark.parametrize(
    ("cell", "out", "words", "line"),
    [
        ("[18..150]", "True", "is not a Python test", 8),
        ("&gt;= 18", "true", "FEEL literal true", 9),
        ('"a", "b"', "True", "FEEL list of alternatives", 8),
        ("__import__('os')", "True", "refused", 8),
    ],
)
def test_it_names_the_dmn_cell_it_cannot_run(cell: str, out: str, words: str, line: int) -> None:
    data = DMN.format(ns=DMN15, cell=cell, out=out).encode()
    problem = only(catalog.check_decision_file("adult.dmn", data))
    assert words in problem.detail
    assert problem.element == "rule rule_adult (row 1) of decision adult (成年)"
    assert problem.line == line


def test_it_refuses_a_dmn_cell_starting_with_a_word_operator():
    assert "?" in cell_problem('not in ("a", "b")')
    assert "word operator" in cell_problem('in ("a", "b")')
    assert cell_problem('? not in ("a", "b")') == ""
    assert cell_problem(">= 18") == ""
