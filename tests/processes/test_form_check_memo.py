"""A form's check asks a worker once for data that passed it: the page's check and the
engine's of one step, a bulk completion's hundred tasks of one decision."""

from __future__ import annotations

from datetime import date

import pytest

from processes import pool, pooled

SCHEMA = {
    "type": "object",
    "properties": {"decision": {"type": "string", "enum": ["approve", "reject"]}},
    "required": ["decision"],
    "additionalProperties": False,
}


@pytest.fixture
def asked(monkeypatch):
    requests = []
    real = pool.call

    def counted(request, *args, **kwargs):
        requests.append(request.get("data"))
        return real(request, *args, **kwargs)

    monkeypatch.setattr(pool, "call", counted)
    return requests


def test_data_that_passed_passes_again_without_a_worker(asked):
    schema = dict(SCHEMA)
    assert pooled.validate(schema, {"decision": "approve"}) == ({}, {}, {})
    assert pooled.validate(schema, {"decision": "approve"}) == ({}, {}, {})
    assert asked == [{"decision": "approve"}]


def test_a_refusal_is_asked_again_and_other_data_or_schemas_are_checked(asked):
    schema = dict(SCHEMA)
    for _ in range(2):
        errors, _codes, _limits = pooled.validate(schema, {"decision": "maybe"})
        assert "decision" in errors
    assert pooled.validate(schema, {"decision": "reject"}) == ({}, {}, {})
    stricter = {**SCHEMA, "properties": {"decision": {"type": "string", "enum": ["reject"]}}}
    assert "decision" in pooled.validate(stricter, {"decision": "approve"})[0]
    assert len(asked) == 4


def test_data_that_is_not_plain_json_is_always_checked(asked):
    schema = {"type": "object"}
    for _ in range(2):
        pooled.validate(schema, {"day": date(2026, 1, 1)})
    assert len(asked) == 2
