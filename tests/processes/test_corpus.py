"""Every file of the shared corpus (real files from other tools, and hostile ones) gets a
plain answer from ``check_path``: ok, or one line per problem naming file, line and
element. Files the engine can run are also started and driven."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from processes import catalog, engine
from processes.errors import ModelError, ProcessError

# The repository is cloned with ``shared/`` beside it (here /work/main and /work/shared).
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
MODEL_SUFFIXES = (".bpmn", ".dmn", ".xml")
MARKER = Path("/tmp/fuzhi_code_exec_marker_script")

# What ``manage.py bpmn_check`` passes: webapp.accounts.roles.LANE_ROLES and the names in
# webapp.cases.operators.REGISTRY (spelled out here: these tests never import Django).
ROLES = {
    "hr_officer",
    "approver",
    "legal_reviewer",
    "trainer",
    "staffing_office",
    "hrss",
    "justice_bureau",
}
OPERATORS = {"staff_hire", "staff_reject"}

# Files the engine can run: check_path answers [] for them.
PASSES = {
    "miwg-tools__trisotech-12.6.3__A.1.0-export.bpmn",
    "spiff-tests__bpmn__data__collaboration.bpmn",
    "spiff-tests__bpmn__data__event-gateway.bpmn",
}

NOT_EXECUTABLE = ("no process is marked executable", "descriptive only")
NO_LANE = "user task is in no lane, so its tasks would wait in nobody's inbox"
# Rows 1-2 and a catch-all row 3 of a UNIQUE table: SpiffWorkflow would take the first.
OVERLAP = (
    "rules 1 and 3 of this UNIQUE table both match when question = 'X'",
    "rules 2 and 3 of this UNIQUE table both match when question = 'A'",
    "rule DecisionRule_1m4213a (row 3) of decision decision_1",
)
SERVICE_TASK = "service task must name a Fuzhi operator (spiffworkflow:serviceTaskOperator)"

# Files the engine cannot run, and words their answer must contain (all of them).
FAILS: dict[str, tuple[str, ...]] = {
    "bpmn-moddle-fixtures__error__not-bpmn.bpmn": (
        "not a BPMN 2.0 or DMN document",
        "http://not-bpmn",
    ),
    "bpmnjs-examples__starter_diagram.bpmn": NOT_EXECUTABLE,
    "bpmnjs-examples__theming_resources_kitchen-sink.bpmn": (
        "does not follow the BPMN 2.0 schema",
        "<bpmn:linkEventDefinition> is missing the required attribute 'name'",
        "IntermediateThrowEvent_0iysg53",
    ),
    "bpmnjs-examples__theming_resources_pizza-collaboration.bpmn": NOT_EXECUTABLE,
    "camunda-examples__clients_java_order-handling_order-handling.bpmn": (
        SERVICE_TASK,
        "Camunda external tasks / Java delegates are not supported",
        "Camunda external task (topic 'invoiceCreator')",
        "serviceTask Task_1yjkccw (Archive invoice)",
    ),
    "camunda-examples__spring-boot-starter_external-task-client_loan-granting-spring-boot"
    "-webapp_bpmn_loan-granting.bpmn": (
        SERVICE_TASK,
        "Camunda external task (topic 'creditScoreChecker')",
    ),
    "dmn-tck__TestCases__compliance-level-2__0004-simpletable-U__0004-simpletable-U.dmn": (
        "the <decisionTable> has no id attribute",
        "decision _3b2953a3-745f-4d2e-b55d-75c8c5ae653c (Approval Status)",
    ),
    "dmn-tck__TestCases__compliance-level-2__0108-first-hitpolicy__0108-first-hitpolicy.dmn": (
        "input cell 'true' uses the FEEL literal true",
        "FEEL is not supported",
    ),
    "hostile-synthetic__dangling_sequence_flow.bpmn": (
        "sequence flow 'f1' points to 'does_not_exist'",
        "not an element of the process 'P1'",
    ),
    "hostile-synthetic__script_code_exec_marker.bpmn": (
        "element scriptTask t",
        '"open" is not available in scripts',
    ),
    "miwg__A.1.0.bpmn": NOT_EXECUTABLE,
    "miwg__A.2.0.bpmn": NOT_EXECUTABLE,
    "miwg__A.3.0.bpmn": NOT_EXECUTABLE,
    "miwg__B.1.0.bpmn": NOT_EXECUTABLE,
    "miwg__C.1.0.bpmn": (
        SERVICE_TASK,
        "serviceTask archiveInvoice (Archive Invoice)",
        "Activiti delegate expression '#{archiveService}'",
    ),
    "miwg__C.2.0.bpmn": NOT_EXECUTABLE,
    "miwg__C.4.0.bpmn": (
        "data stores are not supported",
        "dataStore _d367181e-c25a-407e-a5fb-817a27698a30 (Employee Details)",
        SERVICE_TASK,
    ),
    "miwg__C.9.1.bpmn": (
        "Camunda external task (topic 'emailService')",
        "'R6/P1D' is ISO-8601 text, but timer expressions here are Python",
        "'P7D' is ISO-8601 text",
        "boundaryEvent BoundaryEvent_1 (daily)",
    ),
    "spiff-tests__bpmn__data__Invalid-Workflows__No-Start-Event.bpmn20.xml": (
        "the process has no start event",
        "process sid-669ddebf-4196-41ee-8b04-bcc90bc5f983 (No Start Event)",
    ),
    "spiff-tests__bpmn__data__boundary_timer_on_task.bpmn": (
        NO_LANE,
        "userTask user_task (Say Anything)",
        "the process has no lanes",
    ),
    "spiff-tests__spiff__data__business_rule_task.bpmn": OVERLAP,
    "spiff-tests__spiff__data__dmn__business_rules.dmn": OVERLAP,
    "spiff-tests__bpmn__data__call_activity_end_event.bpmn": (
        "callActivity Activity_Call_Activity (Get Data Call Activity)",
        "calls process 'Call_Activity_Get_Data', which is not in the bundle",
    ),
    "spiff-tests__bpmn__data__lanes.bpmn": (
        "condition reads 'NeedClarification' before any step supplies it",
        "sequenceFlow Flow_0okhwy0 (Yes)",
        "lane 'A' is not a known role",
        "lane 'B' is not a known role",
        "lane 'C' is not a known role",
        "Activity_A1 (Request Feature)",
    ),
}

# How far a file the engine can load gets when started with no data and its manual tasks
# are completed with none: 'completes', or 'waits' for a message (or a timer, see below).
# Two of them are refused by a deploy all the same (a task in no lane, overlapping rules).
RUNS = {
    "miwg-tools__trisotech-12.6.3__A.1.0-export.bpmn": "completes",
    "spiff-tests__bpmn__data__boundary_timer_on_task.bpmn": "completes",
    "spiff-tests__spiff__data__business_rule_task.bpmn": "completes",
    "spiff-tests__bpmn__data__collaboration.bpmn": "waits",
    "spiff-tests__bpmn__data__event-gateway.bpmn": "waits",
}

BARE_EXCEPTION = re.compile(r"\b\w*(Error|Exception|Interrupt)\(")
EXCEPTION_NAME = re.compile(r"\b(KeyError|TypeError|AttributeError|IndexError|ValueError)\b")


def corpus_files() -> list[str]:
    if not CORPUS.is_dir():
        return []
    return sorted(p.name for p in CORPUS.iterdir() if p.name.endswith(MODEL_SUFFIXES))


def corpus_path(name: str) -> Path:
    if not CORPUS.is_dir():
        pytest.fail(
            f"the shared corpus is missing: expected {CORPUS} (clone shared/ beside the "
            "repository, as in /work/shared next to /work/main)"
        )
    return CORPUS / name


def check(name: str) -> list[ModelError]:
    """``check_path`` as bpmn_check calls it, failing the test if it takes over 20 s."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["problems"] = catalog.check_path(
                corpus_path(name), roles=ROLES, operators=OPERATORS
            )
        except BaseException as exc:  # reported below: check_path must never raise
            box["raised"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), f"check_path({name}) hangs"
    assert "raised" not in box, f"check_path({name}) raised {box.get('raised')!r}"
    problems: list[ModelError] = box["problems"]
    return problems


# ------------------------------------------------------------------ the table


def test_it_finds_the_shared_corpus() -> None:
    corpus_path("MANIFEST.csv")
    assert corpus_files(), f"no model files in {CORPUS}"


def test_it_classifies_every_corpus_file() -> None:
    files = set(corpus_files())
    assert PASSES.isdisjoint(FAILS)
    assert files == PASSES | set(FAILS), (
        f"unclassified: {sorted(files - PASSES - set(FAILS))}; "
        f"gone: {sorted((PASSES | set(FAILS)) - files)}"
    )
    assert {n for n in files if n.startswith("hostile-")} <= set(FAILS), "hostile files must fail"


@pytest.mark.parametrize("name", corpus_files() or ["<corpus missing>"])
def test_it_answers_every_file_in_plain_words(name: str) -> None:
    problems = check(name)
    for problem in problems:
        text = problem.one_line()
        assert isinstance(problem, ModelError)
        assert "\n" not in text and "\r" not in text, text
        assert "Traceback" not in text, text
        assert not BARE_EXCEPTION.search(text), f"bare exception repr in: {text}"
        for found in EXCEPTION_NAME.finditer(text):
            assert "(detail: " in text[: found.start()], f"exception name outside detail: {text}"
        bundle = catalog.bundle_for(corpus_path(name))
        assert text.startswith(tuple(f"{file}, line " for file in bundle)), (
            f"does not name file and line: {text}"
        )
        assert problem.element or problem.line == 1, f"names no element: {text}"


@pytest.mark.parametrize("name", sorted(PASSES))
def test_it_passes_the_files_the_engine_can_run(name: str) -> None:
    assert [p.one_line() for p in check(name)] == []


@pytest.mark.parametrize("name", sorted(FAILS))
def test_it_says_why_a_file_cannot_run(name: str) -> None:
    problems = check(name)
    assert problems, f"{name} must not pass silently"
    text = "\n".join(p.one_line() for p in problems)
    for words in FAILS[name]:
        assert words in text, f"{words!r} not in:\n{text}"


def test_it_reports_one_line_per_unknown_lane() -> None:
    problems = check("spiff-tests__bpmn__data__lanes.bpmn")
    lanes = [p for p in problems if p.element.startswith("lane ")]
    assert len(lanes) == 3
    assert len(problems) == 4  # and the condition that reads what nothing supplies


def test_it_passes_unknown_lanes_when_roles_are_not_checked() -> None:
    path = corpus_path("spiff-tests__bpmn__data__lanes.bpmn")
    problems = catalog.check_path(path, roles=None, operators=OPERATORS)
    assert [p.code for p in problems] == ["variable_not_supplied"]


# --------------------------------------------------------------- running them


def roundtrip(state: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(state, allow_nan=False))


@pytest.mark.parametrize("name", sorted(RUNS))
def test_it_runs_the_files_it_passes(name: str) -> None:
    definition = catalog.load_definition(catalog.bundle_for(corpus_path(name)))
    outcome = engine.start(definition, {})
    ran = [r.bpmn_id for r in outcome.ran]
    for _ in range(20):  # a bound: these models have at most a few manual tasks
        if outcome.completed or not outcome.human_tasks:
            break
        task = outcome.human_tasks[0]
        outcome = engine.complete_task(definition, roundtrip(outcome.state), task.id, {})
        ran += [task.bpmn_id, *(r.bpmn_id for r in outcome.ran)]
    assert ran, "nothing ran"
    if RUNS[name] == "completes":
        assert outcome.completed, f"stopped after {ran}"
    else:
        assert not outcome.completed
        assert not outcome.human_tasks


def test_it_fires_the_timer_behind_the_event_based_gateway() -> None:
    name = "spiff-tests__bpmn__data__event-gateway.bpmn"
    definition = catalog.load_definition(catalog.bundle_for(corpus_path(name)))
    outcome = engine.start(definition, {})
    later = datetime.now(UTC) + timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        outcome = engine.advance(definition, roundtrip(outcome.state))
    assert outcome.completed
    assert "timer_event" in [r.bpmn_id for r in outcome.ran]


def test_it_never_runs_the_code_of_the_script_probe() -> None:
    assert not MARKER.exists(), f"{MARKER} exists before the test: the sandbox was broken"
    name = "hostile-synthetic__script_code_exec_marker.bpmn"
    assert check(name)
    definition = catalog.load_definition(catalog.bundle_for(corpus_path(name)))
    with pytest.raises(ProcessError, match="open"):
        engine.start(definition, {})
    assert not MARKER.exists()
