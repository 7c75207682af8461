"""Expressions evaluated without a worker: the same value as the restricted environment
gives, and everything else left to the worker."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processes import pool
from processes.errors import ScriptFailed
from processes.pooled import PooledEnvironment
from processes.sandbox import trivial
from processes.sandbox.environment import RestrictedEnvironment

REFERENCE = RestrictedEnvironment(max_steps=100_000)
DATA = {
    "decision": "approve",
    "commendation_level": "city",
    "commendation_deeds": "处置突发事件表现突出",
    "score": 3,
    "ratio": 0.5,
    "flag": False,
    "nothing": None,
    "names": ["a", "b"],
    "table": {"a": 1},
    "x__roles__": 1,
}

TRIVIAL = [
    "decision == 'approve'",
    "decision != 'approve'",
    "decision == 'approve' and score == 3",
    "flag or decision",
    "not flag",
    "nothing == None",
    "score == 3 == 3.0",
    "{'unit': '单位', 'city': '市级'}[commendation_level]",
    "{'citation': '嘉奖', 'merit': '记功'}['merit']",
    "'工作表现突出（Art. 17）：' + commendation_deeds",
    "{1: 'one', 3: 'three'}[score]",
    "ratio == 0.5",
]

WORKERS_OWN = [
    "names == ['a', 'b']",  # a list: compared in the worker
    "table == {'a': 1}",
    "missing == 1",  # not in the data: the worker's names and its error
    "{'unit': '单位'}[commendation_level]",  # no such key: the worker's error
    "score + 1",  # numbers: the worker's
    "'a' + score",
    "decision * 3",
    "len(decision)",
    "decision.upper()",
    "decision[0]",
    "[x for x in names]",
    "score < 4",
    "decision in ('approve', 'reject')",
    "_private == 1",
    "x__roles__ == 1",  # a name the worker's policy refuses: refused there, as before
    "(lambda: 1)()",
    "{'a': names}['a']",
    "1e400 == 1",
    "'" + "x" * 6_000 + "' + '" + "y" * 6_000 + "'",  # longer than MAX_TEXT
    " and ".join(["flag"] * 40),  # more than MAX_NODES
    "not a valid expression (",
]


@pytest.mark.parametrize("expression", TRIVIAL)
def test_it_gives_the_restricted_environments_value(expression):
    assert trivial.evaluate(expression, dict(DATA)) == REFERENCE.evaluate(expression, dict(DATA))
    assert type(trivial.evaluate(expression, dict(DATA))) is type(
        REFERENCE.evaluate(expression, dict(DATA))
    )


@pytest.mark.parametrize("expression", WORKERS_OWN)
def test_it_leaves_every_other_shape_to_the_worker(expression):
    with pytest.raises(trivial.NotTrivial):
        trivial.evaluate(expression, dict(DATA))


scalars = st.one_of(
    st.text(max_size=20),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
)


@given(left=scalars, right=scalars)
def test_comparisons_and_logic_agree_with_the_restricted_environment(left, right):
    context = {"x": left, "y": right}
    for expression in ("x == y", "x != y", "x and y", "x or y", "not x", "x == y or not y"):
        assert trivial.evaluate(expression, context) == REFERENCE.evaluate(expression, context)


def test_an_expression_refused_here_still_fails_as_the_worker_says(monkeypatch):
    calls = []
    real = pool.call

    def counted(request, *args, **kwargs):
        calls.append(request.get("source"))
        return real(request, *args, **kwargs)

    monkeypatch.setattr(pool, "call", counted)
    environment = PooledEnvironment()
    assert environment.evaluate("decision == 'approve'", dict(DATA)) is True
    assert calls == []
    with pytest.raises(ScriptFailed, match="KeyError"):
        environment.evaluate("{'unit': '单位'}[commendation_level]", dict(DATA))
    assert calls == ["{'unit': '单位'}[commendation_level]"]
