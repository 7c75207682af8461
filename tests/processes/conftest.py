"""Shared helpers for the engine-seam tests (no Django).

Every BPMN test in this project serialises the workflow state to JSON text and back
between steps, because that is what the webapp does: it stores ``Outcome.state`` in a
JSON column and loads it again for the next step. ``drive`` and ``step`` below do that
for every step, so no test can pass on in-memory state the database would lose.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine

from processes import catalog, engine
from processes.definition import ProcessDefinition
from processes.operators import OperatorCall, OperatorRegistry
from processes.types import HumanTask, Outcome
from tests.examples import CLEAN_REVIEW

RECRUITMENT_DIR = Path(__file__).resolve().parents[2] / "bpmn" / "recruitment"

BPMN_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="definitions_test" targetNamespace="http://fuzhi.test/bpmn">
"""


# --------------------------------------------------------------------- state


def _roundtrip(state: dict[str, Any]) -> dict[str, Any]:
    """The state as the database gives it back: strict JSON text, parsed again."""
    return json.loads(json.dumps(state, allow_nan=False, ensure_ascii=False))


def _ready(definition: ProcessDefinition, state: dict[str, Any]) -> tuple[HumanTask, ...]:
    """The human tasks READY in a stored state (read from the state, not an Outcome)."""
    return engine.ready_human_tasks(definition, engine.load(definition, state))


def _ready_ids(definition: ProcessDefinition, state: dict[str, Any]) -> list[str]:
    return sorted(task.bpmn_id for task in _ready(definition, state))


def _task_in(definition: ProcessDefinition, state: dict[str, Any], bpmn_id: str) -> HumanTask:
    """The one READY human task ``bpmn_id`` of a stored state."""
    matches = [task for task in _ready(definition, state) if task.bpmn_id == bpmn_id]
    assert len(matches) == 1, (
        f"expected {bpmn_id} to be ready, ready: {_ready_ids(definition, state)}"
    )
    return matches[0]


# ----------------------------------------------------------------- operators


@dataclass
class Recorder:
    """A real ``OperatorRegistry`` whose operators only record their calls.

    These stand in for the webapp's Django operators (``staff_hire``, ``staff_reject``):
    they are the registered side effects the model may cause, nothing more.
    """

    registry: OperatorRegistry = field(default_factory=OperatorRegistry)
    calls: list[tuple[str, dict[str, Any], OperatorCall]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, name: str, result: dict[str, Any]) -> None:
        self.results[name] = result

        def operator(call: OperatorCall) -> dict[str, Any]:
            self.calls.append((call.name, dict(call.params), call))
            return dict(result)

        self.registry.register(name, operator, description=f"test stand-in for {name}")

    def names(self) -> list[str]:
        return [name for name, _, _ in self.calls]

    def only(self, name: str) -> dict[str, Any]:
        """Parameters of the single operator call made, which must be ``name``."""
        assert self.names() == [name], f"expected exactly one {name} call, got {self.names()}"
        return self.calls[0][1]


def _make_recorder() -> Recorder:
    recorder = Recorder()
    recorder.add("staff_hire", {"staff_state": "hired_pending_training", "staff_id": 4711})
    recorder.add("staff_reject", {"staff_state": "rejected", "staff_id": 4711})
    return recorder


# -------------------------------------------------------------------- driving


def _step(
    definition: ProcessDefinition,
    outcome: Outcome,
    bpmn_id: str,
    data: Mapping[str, Any],
    *,
    operators: OperatorRegistry | None = None,
) -> Outcome:
    """Complete the READY task ``bpmn_id`` of a stored (JSON round-tripped) state.

    If ``bpmn_id`` is not ready and the case waits on a timer, move the clock just past
    the timer's due time and ``engine.advance`` first, as the scheduler would.
    """
    state = _roundtrip(outcome.state)
    if bpmn_id not in _ready_ids(definition, state) and outcome.wake_at is not None:
        with time_machine.travel(outcome.wake_at + timedelta(seconds=1), tick=False):
            outcome = engine.advance(definition, state, operators=operators)
        state = _roundtrip(outcome.state)
    task = _task_in(definition, state, bpmn_id)
    return engine.complete_task(definition, state, task.id, data, operators=operators)


def _drive(
    definition: ProcessDefinition,
    start: Mapping[str, Any],
    steps: Iterable[tuple[str, Mapping[str, Any]]] = (),
    *,
    operators: OperatorRegistry | None = None,
) -> Outcome:
    """Start a case and complete ``(bpmn_id, data)`` steps, round-tripping the state."""
    outcome = engine.start(definition, start, operators=operators)
    for bpmn_id, data in steps:
        outcome = _step(definition, outcome, bpmn_id, data, operators=operators)
    return outcome


# -------------------------------------------------------------- sample data


class Sample:
    """Recruitment data that validates against the start-data table and every form."""

    @staticmethod
    def applicant(**overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "applicant_name": "王晓明",
            "id_number": "341502199003070012",
            "birth_date": "1990-03-07",
            "gender": "男",
            "education": "bachelor",
            "veteran": False,
            "bravery": False,
            "post": "城市管理执法辅助岗",
            "required_education": "",
            "education_requirement_reason": "",
            "age": 35,
        }
        data.update(overrides)
        return data

    @staticmethod
    def review(**overrides: Any) -> dict[str, Any]:
        return {**CLEAN_REVIEW, **overrides}

    @staticmethod
    def scores(exam: float = 78, interview: float = 84) -> dict[str, Any]:
        return {"exam_score": exam, "interview_score": interview}

    background_ok: dict[str, Any] = {"background_ok": True}
    health_ok: dict[str, Any] = {
        "health_ok": True,
        "health_hospital": "六安市人民医院",
        "health_exam_date": "2025-04-02",
    }
    approve: dict[str, Any] = {"decision": "approve"}
    contract_unit: dict[str, Any] = {
        "employment_mode": "unit",
        "contract_start": "2025-05-01",
        "contract_end": "2028-04-30",
    }

    @classmethod
    def to_scores(cls, **review: Any) -> list[tuple[str, dict[str, Any]]]:
        return [("review_application", cls.review(**review))]

    @classmethod
    def to_background(cls, exam: float = 78, interview: float = 84) -> list[tuple[str, Any]]:
        return [*cls.to_scores(), ("record_scores", cls.scores(exam, interview))]

    @classmethod
    def to_health(cls) -> list[tuple[str, Any]]:
        return [*cls.to_background(), ("background_check", cls.background_ok)]

    @classmethod
    def to_notice(cls) -> list[tuple[str, Any]]:
        return [*cls.to_health(), ("health_check", cls.health_ok)]


# ------------------------------------------------------------------ fixtures


@pytest.fixture(scope="session")
def recruitment() -> ProcessDefinition:
    """The recruitment definition, parsed (with XSD validation) once per session."""
    return catalog.load_directory(RECRUITMENT_DIR)


@pytest.fixture
def recorder() -> Recorder:
    return _make_recorder()


@pytest.fixture
def sample() -> type[Sample]:
    return Sample


@pytest.fixture
def inline_bpmn() -> Callable[[str], ProcessDefinition]:
    """Load a one-file definition from the body of a ``<bpmn:definitions>`` element."""

    def load(body: str) -> ProcessDefinition:
        xml = f"{BPMN_HEAD}{body}\n</bpmn:definitions>\n"
        return catalog.load_definition({"x.bpmn": xml.encode("utf-8")})

    return load


@pytest.fixture
def roundtrip() -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``json.loads(json.dumps(state))``, strict: what a JSON column gives back."""
    return _roundtrip


@pytest.fixture
def ready_ids() -> Callable[[ProcessDefinition, dict[str, Any]], list[str]]:
    """Sorted BPMN ids of the human tasks READY in a stored state."""
    return _ready_ids


@pytest.fixture
def task_in() -> Callable[[ProcessDefinition, dict[str, Any], str], HumanTask]:
    """The one READY human task with a given BPMN id in a stored state."""
    return _task_in


@pytest.fixture
def step() -> Callable[..., Outcome]:
    """``step(definition, outcome, bpmn_id, data, operators=...)``: one round-tripped step."""
    return _step


@pytest.fixture
def drive() -> Callable[..., Outcome]:
    """``drive(definition, start, [(bpmn_id, data), ...], operators=...)``."""
    return _drive
