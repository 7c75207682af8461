"""What the designer saves is what the engine reads: every model of bpmn/ (BPMN and DMN)
read and written by the modelers' moddle (with Fuzhi's spiffworkflow descriptor) still
passes the deploy checks and gives the engine the same lanes, forms, deadlines,
documentation, decisions, operator calls and decision-table cells."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from processes import catalog
from processes.definition import ProcessDefinition
from tests.conftest import BPMN_DIR, ROOT
from webapp.cases.definitions import check_bundle

SCRIPT = ROOT / "frontend" / "src" / "_designer" / "roundtrip-cli.mjs"
# The deploy checks read the routing rules (the lanes they route) from the database.
pytestmark = pytest.mark.django_db

PROCESSES = sorted(p for p in BPMN_DIR.iterdir() if any(p.glob("*.bpmn")))


def through_the_modeler(paths: list[Path]) -> dict[str, dict[str, object]]:
    node = shutil.which("node")
    assert node, "node is needed (make frontend installs the front-end packages with it)"
    assert (ROOT / "frontend" / "node_modules" / "bpmn-moddle").is_dir(), "run make frontend"
    result = subprocess.run(
        [node, str(SCRIPT), *map(str, paths)],
        cwd=ROOT / "frontend",
        capture_output=True,
        check=True,
        timeout=120,
    )
    written: dict[str, dict[str, object]] = json.loads(result.stdout)
    return written


def engine_view(definition: ProcessDefinition) -> dict[str, object]:
    view: dict[str, object] = {bpmn_id: info for bpmn_id, info in definition.tasks.items()}
    for name, tree in definition.trees.items():
        for node in tree.iter("{*}serviceTaskOperator", "{*}parameter", "{*}calledDecisionId"):
            key = f"{name}:{node.getparent().getparent().get('id')}:{node.tag}:{node.get('id')}"
            view[key] = (dict(node.attrib), (node.text or "").strip())
    return view


@pytest.mark.parametrize("process", PROCESSES, ids=lambda p: p.name)
def test_it_saves_what_the_engine_reads(process: Path) -> None:
    files = catalog.read_directory(process)
    models = sorted([*process.glob("*.bpmn"), *process.glob("*.dmn")])
    written = through_the_modeler(models)
    saved = dict(files)
    for path in models:
        answer = written[str(path)]
        assert answer["warnings"] == [], answer["warnings"]
        saved[path.name] = str(answer["xml"]).encode("utf-8")
    assert [p.one_line() for p in check_bundle(saved)] == []
    before = catalog.load_definition(files)
    after = catalog.load_definition(saved)
    assert engine_view(after) == engine_view(before)
    assert decision_tables(after) == decision_tables(before)


def decision_tables(definition: ProcessDefinition) -> dict[str, object]:
    """Each decision table's hit policy, inputs, outputs and rule cells, as the engine reads."""
    tables: dict[str, object] = {}
    for name, tree in definition.trees.items():
        if not name.endswith(".dmn"):
            continue
        for table in tree.iter("{*}decisionTable"):
            cells = [
                (node.tag.split("}")[-1], (node.text or "").strip())
                for node in table.iter("{*}text", "{*}inputExpression", "{*}output")
            ]
            # SpiffWorkflow reads a missing hitPolicy as UNIQUE, which moddle leaves out.
            policy = table.get("hitPolicy", "UNIQUE").upper()
            tables[f"{name}:{table.get('id')}"] = (policy, cells)
    return tables
