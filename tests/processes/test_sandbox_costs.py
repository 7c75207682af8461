"""The cost of integer arithmetic, of sets and dicts, and of text and collection growth is
bounded before it runs; the deadline is checked again after a long C-level operation
(issue 18). Each payload used to run for seconds to hours, or to gigabytes, in one C call
that no trace event could interrupt."""

from __future__ import annotations

import time

import pytest

from processes.errors import ScriptFailed
from processes.sandbox.environment import RestrictedEnvironment

# A generous time limit: these tests are about the guards that act before the time limit
# (on a loaded machine the time limit could otherwise stop a payload first).
ENV = RestrictedEnvironment(time_limit=30)
COLLIDING = "range(0, 10**6 * (2**61 - 1), 2**61 - 1)"  # a million ints with one hash


def stopped(source: str, *, script: bool = False, env: RestrictedEnvironment = ENV) -> str:
    began = time.monotonic()
    with pytest.raises(ScriptFailed) as caught:
        if script:
            env.execute(source, {})
        else:
            env.evaluate(source, {})
    assert time.monotonic() - began < 25, f"took {time.monotonic() - began:.1f} s: {source}"
    return str(caught.value)


@pytest.mark.parametrize(
    "expression",
    [
        f"len({{*{COLLIDING}}})",
        f"len({{}}.fromkeys({COLLIDING}))",
        f"len(dict(zip({COLLIDING}, {COLLIDING})))",
        f"len({{1: 1}}.keys() & {COLLIDING})",
        f"len({{1: 1}}.keys() | {COLLIDING})",
        f"len({{1: 1}}.items() ^ [(k, 1) for k in {COLLIDING}])",
    ],
)
def test_a_set_or_dict_of_colliding_hashes_is_refused_before_it_is_built(expression):
    assert "hash alike" in stopped(expression)


def test_many_equal_values_are_not_a_collision():
    assert ENV.evaluate("len({*([7] * 100000)})", {}) == 1
    assert ENV.evaluate("len(dict.fromkeys(range(100000)))", {"dict": {}}) == 100000


@pytest.mark.parametrize(
    ("expression", "why"),
    [
        ("pow(3, int('f' * 999999, 16), int('f' * 999999, 16))", "integer of more than"),
        ("int('f' * 999999, 16) // int('f' * 499999, 16)", "integer of more than"),
        ("int('1' * 20000, 2)", "integer of more than"),
        ("pow(3, 2**9999 - 1, 2**9999 - 1)", "pow with a 9,999-bit exponent"),
        ("divmod(n, 7)", "20,000"),
        ("n % 7", "20,000"),
        ("round(1, -10**7)", "round() to more than"),
    ],
)
def test_integer_arithmetic_too_costly_to_run_is_refused(expression, why):
    began = time.monotonic()
    with pytest.raises(ScriptFailed, match=why.replace("(", r"\(").replace(")", r"\)")):
        ENV.evaluate(expression, {"n": 2**30000 if "n" in expression else 0})
    assert time.monotonic() - began < 10


def test_integers_cannot_grow_past_the_limit_by_addition():
    message = stopped("x = 2**9999\nfor i in range(10):\n    x = x + x - 1", script=True)
    assert "integer of more than 10000 bits" in message


@pytest.mark.parametrize(
    "script",
    [
        "s = 'x'\nfor i in range(40):\n    s = f'{s}{s}'",
        "s = 'x'\nfor i in range(40):\n    s = '%s%s' % (s, s)",
        "a = [0]\nfor i in range(40):\n    a = [*a, *a]",
        "a = [0]\nfor i in range(40):\n    a = (*a, *a)",
        "a = [1]\nfor i in range(40):\n    a = [a, a]\nb = str(a)",
        "a = [1]\nfor i in range(40):\n    a = [a, a]\nb = f'{a}'",
        "a = [1]\nfor i in range(40):\n    a = [a, a]\nb = '%s' % (a,)",
    ],
)
def test_text_and_collections_cannot_double_their_way_to_gigabytes(script):
    assert "size limit" in stopped(script, script=True)


def test_the_deadline_is_checked_after_a_long_operation_returns():
    slow = RestrictedEnvironment(time_limit=0.05, max_steps=10**9)
    message = stopped("sum(range(900000)) + sum(range(900000)) + sum(range(900000))", env=slow)
    assert "time limit (0.05 s)" in message


def test_ordinary_scripts_still_use_the_bounded_builtins_as_before():
    data = {"n": 7, "items": [3, 1, 2]}
    assert ENV.evaluate("isinstance(n, int) and not isinstance(n, (str, dict))", data) is True
    assert ENV.evaluate("str(n) + f'{items}' + '%d' % n", data) == "7[3, 1, 2]7"
    assert ENV.evaluate("int('42') + int('ff', 16) + round(2.567, 2)", {}) == 42 + 255 + 2.57
    assert ENV.evaluate("dict(a=1, **{'b': 2}) | dict([('c', 3)])", {}) == {"a": 1, "b": 2, "c": 3}
    assert ENV.evaluate("sorted({*items, 4})", data) == [1, 2, 3, 4]
    assert ENV.evaluate("pow(3, 5, 7) + divmod(17, 5)[0] + 17 // 5 - 1", {}) == 5 + 3 + 3 - 1
    assert ENV.evaluate("[*items, *range(2)]", data) == [3, 1, 2, 0, 1]
    context = {"x": 1}
    ENV.execute("a, *b = [1, 2, 3]\ny = f'{a:>5}|{b!r}'", context)
    assert context["y"] == "    1|[2, 3]"


def test_a_script_cannot_leave_text_the_history_cannot_store():
    with pytest.raises(ScriptFailed, match="lone surrogate"):
        ENV.execute("bad = chr(0xD800)", {})
    with pytest.raises(ScriptFailed, match="NUL"):
        ENV.execute("bad = {'k': 'a' + chr(0)}", {})
