"""Every problem the checks report carries a message code the webapp translates
(processes/messages.py): none of the corpus, the hostile suite or Fuzhi's own models is
left as English only."""

from __future__ import annotations

from pathlib import Path

import pytest

from processes import catalog
from processes.messages import UNKNOWN, explain, unknown_codes

from .test_corpus import OPERATORS, ROLES, corpus_files, corpus_path

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = sorted(p.name for p in (ROOT / "tests" / "hostile").iterdir() if p.is_dir())


def untranslatable(path: Path) -> list[str]:
    problems = catalog.check_path(path, roles=ROLES, operators=OPERATORS)
    return [text for p in problems for text in unknown_codes(explain(p.detail))]


@pytest.mark.parametrize("name", corpus_files())
def test_every_problem_of_a_corpus_file_has_a_code(name: str) -> None:
    assert untranslatable(corpus_path(name)) == []


@pytest.mark.parametrize("name", HOSTILE)
def test_every_problem_of_a_hostile_model_has_a_code(name: str) -> None:
    assert untranslatable(ROOT / "tests" / "hostile" / name) == []


def test_a_nested_sandbox_refusal_is_read_item_by_item() -> None:
    text = 'condition: expression refused: Line 1: "open" is not available in scripts; Line 2: import statements are not allowed'
    explained = explain(text)
    assert explained.code == "code_in" and explained.params["what"] == "condition"
    [refusal] = explained.nested["why"]
    assert refusal.code == "code_refused"
    assert [(i.code, i.line) for i in refusal.nested["items"]] == [
        ("name_unavailable", 1),
        ("no_import", 2),
    ]


def test_the_live_checks_have_codes() -> None:
    for text, code in (
        (
            "user task is in no lane, so its tasks would wait in nobody's inbox (a task goes to the role its lane names); move it into the lane of the role that does this work",
            "task_outside_lanes",
        ),
        (
            "2 sequence flows leave this event (a, b); the engine would follow all of them at once, so …",
            "event_splits",
        ),
        (
            "rules 1 and 2 of this UNIQUE table both match when age = 18; the engine would silently take row 1. Make …",
            "dmn_overlap",
        ),
    ):
        assert explain(text).code == code


def test_a_text_no_pattern_reads_is_unknown() -> None:
    assert explain("something new went wrong").code == UNKNOWN
