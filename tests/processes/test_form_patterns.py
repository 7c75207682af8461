"""Form schemas' regular expressions run on RE2 (linear time) or are refused at deploy;
``uniqueItems`` is bounded (processes/forms.py)."""

from __future__ import annotations

import json
import time

import pytest

from processes import catalog
from processes.engine import validate_form
from processes.errors import InvalidTaskData

from .test_catalog import model, user_task


def bundle(schema: dict) -> dict[str, bytes]:
    return {
        "m.bpmn": model(user_task(form="f.json")),
        "forms/f.json": json.dumps(schema).encode(),
    }


def form(**properties) -> dict:
    return {"type": "object", "properties": properties}


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)b", r"(?<!x)y", "(x{2000}){2000}"])
def test_a_pattern_re2_cannot_run_is_refused_at_deploy(pattern):
    problems = catalog.check_files(bundle(form(name={"type": "string", "pattern": pattern})))
    assert any("cannot be used" in p.detail and "RE2" in p.detail for p in problems), problems
    keyed = form(name={"type": "object", "patternProperties": {pattern: {"type": "string"}}})
    assert any("RE2" in p.detail for p in catalog.check_files(bundle(keyed)))


def test_the_exponential_pattern_of_the_issue_runs_in_linear_time():
    definition = catalog.load_definition(
        bundle(form(name={"type": "string", "pattern": "^(a+)+$"}))
    )
    began = time.monotonic()
    for length in (28, 40, 100_000):
        with pytest.raises(InvalidTaskData) as refused:
            validate_form(definition, "f.json", {"name": "a" * length + "!"})
        assert refused.value.codes == {"name": "pattern"}
    validate_form(definition, "f.json", {"name": "a" * 100_000})
    assert time.monotonic() - began < 5  # Python's re: 15 s at 28 characters, doubling


def test_typed_regexes_and_property_names_match_on_re2_too():
    schema = form(
        rule={"type": "string", "format": "regex"},
        tags={"type": "object", "patternProperties": {"^x-": {"type": "integer"}}},
    )
    definition = catalog.load_definition(bundle(schema))
    validate_form(definition, "f.json", {"rule": "^[0-9]+$", "tags": {"x-a": 1, "y": "s"}})
    with pytest.raises(InvalidTaskData):
        validate_form(definition, "f.json", {"rule": "(a)\\1"})
    with pytest.raises(InvalidTaskData):
        validate_form(definition, "f.json", {"tags": {"x-a": "not a number"}})


def test_unique_items_is_checked_on_a_bounded_number_of_items():
    schema = form(rows={"type": "array", "uniqueItems": True})
    definition = catalog.load_definition(bundle(schema))
    validate_form(definition, "f.json", {"rows": [{"n": i} for i in range(200)]})
    began = time.monotonic()
    with pytest.raises(InvalidTaskData, match="at most 200 items"):
        validate_form(definition, "f.json", {"rows": [{"n": i} for i in range(100_000)]})
    assert time.monotonic() - began < 5  # pairwise: 5e9 comparisons
    with pytest.raises(InvalidTaskData):
        validate_form(definition, "f.json", {"rows": [{"n": 1}, {"n": 1}]})
