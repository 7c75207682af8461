"""The restricted script environment: what BPMN/DMN code may and may not do."""

from __future__ import annotations

import copy
import json
import sys
import threading
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from processes.errors import ScriptFailed, ScriptRefused
from processes.sandbox.environment import HELPERS, RestrictedEnvironment, RestrictedScriptEngine
from processes.sandbox.policy import FORBIDDEN_NAMES, check_expression, check_script

# Small step budget: runaway code stops in a fraction of a second.
FAST = RestrictedEnvironment(max_steps=100_000)
ENV = RestrictedEnvironment()


def _data() -> dict[str, Any]:
    return {"x": {"k": 1, "name": "abc"}, "l": [1, 2], "n": 3, "s": "abc"}


# Every entry is refused by the compile-time policy (so also by check_script).
REFUSED_SCRIPTS = [
    "import os",
    "import os\nos.system('touch /tmp/fuzhi_probe')",
    "from os import system",
    "open('/etc/passwd')",
    "y = open('/etc/passwd').read()",
    "__import__('os')",
    "().__class__.__base__.__subclasses__()",
    "y = x.__class__",
    "y = getattr(x, '__class__')",
    "y = type(x)",
    "eval('1')",
    "exec('1')",
    "y = globals()",
    "y = vars()",
    "y = dir(x)",
    "y = today.__globals__['sys']",
    "y = today.__module__",
    "y = (lambda: 0).__code__",
    "y = compile('1', 'f', 'eval')",
    "class A:\n    pass",
    "with x:\n    pass",
    "try:\n    y = 1\nfinally:\n    y = 2",  # a finally block would run after the time limit
    "try:\n    y = 1\nexcept:\n    y = 2",  # a bare except could swallow the time limit
]

# The same as expressions (import statements cannot be expressions).
REFUSED_EXPRESSIONS = [
    "open('/etc/passwd')",
    "__import__('os')",
    "().__class__.__base__.__subclasses__()",
    "x.__class__",
    "getattr(x, '__class__')",
    "type(x)",
    "eval('1')",
    "exec('1')",
    "globals()",
    "today.__globals__",
    "today.__module__",
    "(lambda: 0).__code__",
    "f'{x.__class__}'",
]

# Compile fine, but are refused by a guard while running.
REFUSED_AT_RUN_TIME = [
    "f = open",  # a forbidden name used without calling it
    "g = getattr",
    "y = today.x",  # no attributes of functions
    "y = str.maketrans('a', 'b')",  # no attributes of classes
    "y = ValueError.mro()",  # ... which would lead to BaseException and object
    "y = 'abc'.format()",  # str.format reaches attributes through field names
    "y = '{0.__class__}'.format(x)",
    "s[0] = 'z'",  # only dicts and lists are writable
]


# ------------------------------------------------------------------- refusals


@pytest.mark.parametrize("source", REFUSED_SCRIPTS)
def test_it_refuses_forbidden_scripts_and_leaves_context_alone(source: str) -> None:
    context = _data()
    before = copy.deepcopy(context)

    with pytest.raises(ScriptRefused):
        ENV.execute(source, context)

    assert context == before


@pytest.mark.parametrize("source", REFUSED_EXPRESSIONS)
def test_it_refuses_forbidden_expressions_and_leaves_context_alone(source: str) -> None:
    context = _data()
    before = copy.deepcopy(context)

    with pytest.raises(ScriptRefused):
        ENV.evaluate(source, context)

    assert context == before


@pytest.mark.parametrize("source", REFUSED_SCRIPTS)
def test_it_refuses_forbidden_scripts_in_check_script(source: str) -> None:
    with pytest.raises(ScriptRefused):
        check_script(source, where="element Task_1")


@pytest.mark.parametrize("source", REFUSED_EXPRESSIONS)
def test_it_refuses_forbidden_expressions_in_check_expression(source: str) -> None:
    with pytest.raises(ScriptRefused):
        check_expression(source, where="element Flow_1")


@pytest.mark.parametrize("source", REFUSED_AT_RUN_TIME)
def test_it_refuses_at_run_time_what_only_shows_at_run_time(source: str) -> None:
    check_script(source)  # nothing wrong on paper
    context = _data()
    before = copy.deepcopy(context)

    with pytest.raises(ScriptRefused):
        ENV.execute(source, context)

    assert context == before


def test_it_refuses_a_forbidden_name_even_when_the_script_catches_exceptions() -> None:
    source = "try:\n    y = x.get\n    z = today.x\nexcept Exception:\n    z = 'caught'"
    context = _data()

    with pytest.raises(ScriptRefused):
        ENV.execute(source, context)

    assert "z" not in context


def test_it_undoes_earlier_changes_when_a_later_line_is_refused() -> None:
    context = _data()
    before = copy.deepcopy(context)

    with pytest.raises(ScriptRefused):
        ENV.execute("l.append(3)\nx['k'] = 2\nn = 4\nf = open", context)

    assert context == before


def test_it_names_the_element_and_the_problem_in_one_line() -> None:
    with pytest.raises(ScriptRefused) as refused:
        check_script("import os", where="element Task_7")

    message = str(refused.value)
    assert message.startswith("element Task_7: ")
    assert "import" in message
    assert "\n" not in message


def test_it_refuses_source_that_is_not_python() -> None:
    with pytest.raises(ScriptRefused, match="not valid Python"):
        check_expression("x +")
    with pytest.raises(ScriptRefused, match="not valid Python"):
        check_script("if x\n  y = 1")
    with pytest.raises(ScriptRefused, match="empty"):
        check_expression("   ")


def test_it_lets_data_named_like_a_forbidden_builtin_be_read() -> None:
    # A form field called "type" or "sum" is ordinary data, not the builtin.
    assert ENV.evaluate("type == 'fine'", {"type": "fine"}) is True
    assert ENV.evaluate("sum + 1", {"sum": 5}) == 6


def test_it_exposes_no_forbidden_name_and_no_module_as_a_helper() -> None:
    assert not FORBIDDEN_NAMES & HELPERS.keys()
    assert all(callable(h) and not isinstance(h, ModuleType) for h in HELPERS.values())


# ------------------------------------------------------------- failures


def test_it_leaves_context_unchanged_when_a_script_raises_and_names_the_line() -> None:
    context = _data()
    before = copy.deepcopy(context)

    with pytest.raises(ScriptFailed) as failed:
        ENV.execute("a = 1\nx['k'] = 99\nl.append(3)\nb = 1/0", context, where="element T")

    assert context == before
    message = str(failed.value)
    assert "line 4" in message
    assert "ZeroDivisionError" in message
    assert message.startswith("element T: ")


def test_it_reports_a_failing_expression_as_script_failed() -> None:
    with pytest.raises(ScriptFailed, match="KeyError"):
        ENV.evaluate("x['missing']", _data())
    with pytest.raises(ScriptFailed, match="NameError"):
        ENV.evaluate("undefined_name + 1", _data())


def test_it_stops_an_infinite_loop_within_a_few_seconds() -> None:
    context = _data()
    started = time.monotonic()

    with pytest.raises(ScriptFailed, match="time limit"):
        ENV.execute("y = 1\nwhile True:\n    pass", context)  # default limits

    assert time.monotonic() - started < 5
    assert "y" not in context


def test_it_stops_on_wall_time_as_well_as_on_steps() -> None:
    slow = RestrictedEnvironment(time_limit=0.2, max_steps=10**12)
    started = time.monotonic()

    with pytest.raises(ScriptFailed, match=r"time limit \(0\.2 s\)"):
        slow.execute("while True:\n    pass", {})

    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "source",
    [
        "while True:\n    try:\n        while True:\n            pass\n"
        "    except Exception:\n        pass",
        "def f():\n    try:\n        f()\n    except RuntimeError:\n        pass\n"
        "    while True:\n        pass\nf()",
        "def f(n):\n    return f(n + 1)\nf(0)",
        "y = [a for a in range(10**6) for b in range(10**6)]",
        "def g():\n    while True:\n        yield 1\ny = max(g())",
    ],
)
def test_it_stops_runaway_code_the_script_tries_to_protect(source: str) -> None:
    started = time.monotonic()

    with pytest.raises(ScriptFailed):
        FAST.execute(source, {})

    assert time.monotonic() - started < 5


def test_it_stops_a_runaway_expression() -> None:
    with pytest.raises(ScriptFailed, match="time limit"):
        FAST.evaluate("sum(1 for a in range(10**6) for b in range(10**6))", {})


def test_it_stops_an_infinite_loop_in_another_thread() -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            FAST.execute("while True:\n    pass", {})
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=10)

    assert not worker.is_alive()
    assert len(errors) == 1
    assert isinstance(errors[0], ScriptFailed)


@pytest.mark.parametrize(
    "source",
    [
        "y = 'a' * 10**10",
        "y = [0] * 10**9",
        "y = 10**10 * 'a'",
        "y = 2 ** 10**9",
        "y = 1 << 10**10",
        "y = pow(7, 10**9)",
        "y = 'a'.ljust(10**10)",
        "y = '7'.zfill(10**10)",
        "y = 'ab'\nwhile True:\n    y = y + y",
        "y = ['a']\nwhile True:\n    y += y",
        "y = [1]\nwhile True:\n    y.extend(y)",
        "y = [[0] * 1000 for i in range(10**6)]",
        "y = '%010000000d' % 1",
        "y = ('a' * 10**6).translate({97: 'b' * 10**6})",
        "y = (1).to_bytes(10**10, 'big')",
        "y = [['x' * 10**6] * 10**6]",  # small in memory, a terabyte as JSON
    ],
)
def test_it_stops_memory_bombs_cheaply(source: str) -> None:
    # What stops each bomb must be its size, long before memory runs out, on a loaded
    # machine too: a generous time limit keeps the clock out of it (with 2 s, the
    # list-of-lists bomb hit the time limit first at load 7 on 2 cores).
    context: dict[str, Any] = {}

    with pytest.raises(ScriptFailed, match=r"size limit|values and characters"):
        RestrictedEnvironment(time_limit=60).execute(source, context)

    assert context == {}


def test_it_refuses_huge_format_widths_in_f_strings() -> None:
    with pytest.raises(ScriptRefused, match="format width"):
        check_expression("f'{1:>1000000000}'")
    with pytest.raises(ScriptRefused, match="computed format"):
        check_expression("f'{1:>{n}}'")


# ------------------------------------------------------------ allowed code


def test_it_runs_ordinary_scripts_and_writes_changes_back() -> None:
    context = _data()
    script = "\n".join(
        [
            "total = n * 2 + 1 - 4 / 2",
            "x['k'] = x['k'] + 10",
            "x['added'] = [1, 2]",
            "l.append(3)",
            "squares = [i * i for i in range(4)]",
            "lookup = {k: v for k, v in x.items() if k != 'added'}",
            "upper = s.upper()",
            "got = x.get('k')",
            "missing = x.get('nope', 'default')",
            "first, second = l[0], l[1]",
            "pairs = [[a, b] for a, b in zip(['a', 'b'], [1, 2])]",
            "age = age_on('2000-02-29', '2018-02-28')",
            "label = f'{n:03d}-{s}'",
            "count = 0",
            "for item in l:",
            "    count += item",
            "try:",
            "    int('not a number')",
            "except ValueError as err:",
            "    problem = str(err)",
            "print('goes nowhere')",
        ]
    )

    assert ENV.execute(script, context) is True

    assert context["total"] == 5.0
    assert context["x"] == {"k": 11, "name": "abc", "added": [1, 2]}
    assert context["l"] == [1, 2, 3]
    assert context["squares"] == [0, 1, 4, 9]
    assert context["lookup"] == {"k": 11, "name": "abc"}
    assert context["upper"] == "ABC"
    assert context["got"] == 11
    assert context["missing"] == "default"
    assert (context["first"], context["second"]) == (1, 2)
    assert context["pairs"] == [["a", 1], ["b", 2]]
    assert context["age"] == 17
    assert context["label"] == "003-abc"
    assert context["count"] == 6
    assert "invalid literal" in context["problem"]
    assert "err" not in context  # Python unbinds it after the handler


def test_it_leaves_no_helpers_builtins_or_functions_in_the_context() -> None:
    context = _data()

    ENV.execute("def double(v):\n    return v * 2\ny = double(n)\nprint(y)", context)

    assert context["y"] == 6
    assert "double" not in context  # functions the script defines are dropped
    assert not [k for k in context if k.startswith("_")]
    assert set(context) == {"x", "l", "n", "s", "y"}
    json.dumps(context)


def test_it_applies_deletions() -> None:
    context = _data()

    ENV.execute("del l\nx.pop('name')", context)

    assert "l" not in context
    assert context["x"] == {"k": 1}


def test_it_turns_tuples_into_lists() -> None:
    context: dict[str, Any] = {}

    ENV.execute("t = (1, (2, 3))\nq, r = divmod(7, 2)", context)

    assert context == {"t": [1, [2, 3]], "q": 3, "r": 1}


def test_it_evaluates_expressions_without_touching_the_context() -> None:
    context = _data()
    before = copy.deepcopy(context)

    assert ENV.evaluate("l.append(3) or len(l)", context) == 3
    assert ENV.evaluate("\n    x['k'] > 0 and s.upper() == 'ABC'\n", context) is True
    assert ENV.evaluate("[v for v in l if v > 1]", context) == [2]

    assert context == before


def test_it_reads_external_context_but_does_not_write_it_back() -> None:
    assert ENV.evaluate("dmninputexpr > 1", {}, {"dmninputexpr": 3}) is True
    assert ENV.evaluate("n", {"n": "task"}, {"n": "external"}) == "task"  # data wins

    context = {"a": 1}
    ENV.execute("b = a + obj['v']\nobj['v'] = 99", context, {"obj": {"v": 2}})

    assert context == {"a": 1, "b": 3}


def test_it_restores_the_previous_trace_function() -> None:
    before = sys.gettrace()

    ENV.execute("y = [i for i in range(10)]", {})
    with pytest.raises(ScriptFailed):
        FAST.execute("while True:\n    pass", {})

    assert sys.gettrace() is before


def test_it_runs_the_same_cached_script_against_different_data() -> None:
    first: dict[str, Any] = {"n": 1}
    second: dict[str, Any] = {"n": 41}

    ENV.execute("n = n + 1", first)
    ENV.execute("n = n + 1", second)

    assert (first, second) == ({"n": 2}, {"n": 42})


# ------------------------------------------------------------ non-JSON values


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("s = {1, 2}", "'s'"),
        ("f = lambda: 0", "'f'"),
        ("h = today", "'h'"),
        ("g = (i for i in range(3))", "'g'"),
        ("d = {1: 'a'}", "'d'"),
        ("x['k'] = {1}", "\"x['k']\""),
        ("z = float('inf')", "'z'"),
        ("c = [1]\nc.append(c)", "'c"),
    ],
)
def test_it_refuses_to_leave_non_json_values_and_names_them(source: str, name: str) -> None:
    context = _data()
    before = copy.deepcopy(context)

    with pytest.raises(ScriptFailed) as failed:
        ENV.execute(source, context)

    assert name in str(failed.value)
    assert context == before


# ------------------------------------------------------------------ helpers


def test_it_materialises_iterators_so_helpers_return_json_values() -> None:
    for name, args in [
        ("range", (3,)),
        ("zip", ([1], [2])),
        ("enumerate", (["a"],)),
        ("sorted", ([2, 1],)),
        ("reversed", ([1, 2],)),
        ("map", (abs, [-1])),
        ("filter", (None, [0, 1])),
    ]:
        json.dumps(HELPERS[name](*args))


def test_it_refuses_sum_of_lists() -> None:
    with pytest.raises(ScriptFailed, match="numbers only"):
        ENV.evaluate("sum([[1], [2]], [])", {})


# ------------------------------------------------------------------- engine


def _task(data: dict[str, Any] | None = None, bpmn_id: str = "Task_1") -> Any:
    return SimpleNamespace(task_spec=SimpleNamespace(bpmn_id=bpmn_id), data=data or {})


def test_it_validates_like_spiff_expects_for_dmn_cells() -> None:
    engine = RestrictedScriptEngine()

    engine.validate("amount > 5")
    with pytest.raises(SyntaxError):  # DMNEngine.needs_eq relies on SyntaxError here
        engine.validate("> 5")
    with pytest.raises(ScriptRefused):
        engine.validate("x.__class__")


def test_it_lets_refusals_and_failures_through_the_engine_unwrapped() -> None:
    engine = RestrictedScriptEngine()

    with pytest.raises(ScriptRefused, match=r"^element Gateway_1: "):
        engine.evaluate(_task({"x": 1}, "Gateway_1"), "x.__class__")
    with pytest.raises(ScriptFailed, match=r"^element Script_1: .*line 1"):
        engine.execute(_task({"x": 1}, "Script_1"), "y = x / 0")


def test_it_calls_the_attached_service_caller_and_returns_json() -> None:
    calls: list[tuple[Any, str, dict[str, Any]]] = []

    def caller(task: Any, name: str, params: dict[str, Any]) -> Any:
        calls.append((task, name, params))
        return {"ok": True, "echo": params["n"]["value"]}

    engine = RestrictedScriptEngine(service_caller=caller)
    task = _task()
    params = {"n": {"value": 3, "type": "int"}}

    result = engine.call_service(task, operation_name="lookup", operation_params=params)

    assert json.loads(result) == {"ok": True, "echo": 3}
    assert calls == [(task, "lookup", params)]


def test_it_refuses_a_service_call_without_an_operator_registry() -> None:
    engine = RestrictedScriptEngine()

    with pytest.raises(ScriptFailed, match="no operator registry attached"):
        engine.call_service(_task(), operation_name="lookup", operation_params={})


def test_it_refuses_a_service_result_that_is_not_json() -> None:
    engine = RestrictedScriptEngine(service_caller=lambda task, name, params: {1, 2})

    with pytest.raises(ScriptFailed, match="not JSON"):
        engine.call_service(_task(), operation_name="lookup", operation_params={})


# ---------------------------------------------------------------- end to end

BPMN_NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)


def _script_task(task_id: str, script: str, incoming: str, outgoing: str) -> str:
    return (
        f'<bpmn:scriptTask id="{task_id}" scriptFormat="python">'
        f"<bpmn:incoming>{incoming}</bpmn:incoming><bpmn:outgoing>{outgoing}</bpmn:outgoing>"
        f"<bpmn:script>{script}</bpmn:script></bpmn:scriptTask>"
    )


def _process(body: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<bpmn:definitions {BPMN_NS} id="Defs" targetNamespace="http://fuzhi.test">'
        f'<bpmn:process id="proc" isExecutable="true">{body}</bpmn:process>'
        f"</bpmn:definitions>"
    ).encode()


def _linear(*scripts: str) -> bytes:
    """start -> Script_1 -> ... -> end."""
    parts = ['<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>']
    for i, script in enumerate(scripts, start=1):
        parts.append(
            f'<bpmn:sequenceFlow id="f{i - 1}" sourceRef="{_node(i - 1)}" targetRef="Script_{i}"/>'
        )
        parts.append(_script_task(f"Script_{i}", script, f"f{i - 1}", f"f{i}"))
    last = len(scripts)
    parts.append(f'<bpmn:sequenceFlow id="f{last}" sourceRef="{_node(last)}" targetRef="end"/>')
    parts.append(f'<bpmn:endEvent id="end"><bpmn:incoming>f{last}</bpmn:incoming></bpmn:endEvent>')
    return _process("".join(parts))


def _node(i: int) -> str:
    return "start" if i == 0 else f"Script_{i}"


def _workflow(xml: bytes, engine: RestrictedScriptEngine | None = None, dmn: bytes = b"") -> Any:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml)
    if dmn:
        parser.add_dmn_str(dmn)
    return BpmnWorkflow(parser.get_spec("proc"), script_engine=engine or RestrictedScriptEngine())


def _data_at_end(workflow: Any) -> dict[str, Any]:
    data: dict[str, Any] = workflow.get_tasks(spec_name="end")[0].data
    return data


def test_it_refuses_an_uploaded_script_that_imports_os_end_to_end() -> None:
    probe = Path("/tmp/fuzhi_probe")
    probe.unlink(missing_ok=True)
    workflow = _workflow(_linear("import os\nos.system('touch /tmp/fuzhi_probe')"))

    # What reaches the caller is ScriptRefused itself, not a WorkflowTaskException.
    with pytest.raises(ScriptRefused, match="element Script_1"):
        workflow.do_engine_steps()

    assert not probe.exists()
    assert not workflow.is_completed()


def test_it_refuses_a_gateway_condition_end_to_end() -> None:
    body = (
        '<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="Script_1"/>'
        + _script_task("Script_1", "x = 1", "f0", "f1")
        + '<bpmn:sequenceFlow id="f1" sourceRef="Script_1" targetRef="Gateway_1"/>'
        '<bpmn:exclusiveGateway id="Gateway_1" default="f_default">'
        "<bpmn:incoming>f1</bpmn:incoming>"
        "<bpmn:outgoing>f_bad</bpmn:outgoing><bpmn:outgoing>f_default</bpmn:outgoing>"
        "</bpmn:exclusiveGateway>"
        '<bpmn:sequenceFlow id="f_bad" sourceRef="Gateway_1" targetRef="end">'
        "<bpmn:conditionExpression>x.__class__</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f_default" sourceRef="Gateway_1" targetRef="end"/>'
        '<bpmn:endEvent id="end"><bpmn:incoming>f_bad</bpmn:incoming>'
        "<bpmn:incoming>f_default</bpmn:incoming></bpmn:endEvent>"
    )
    workflow = _workflow(_process(body))

    with pytest.raises(ScriptRefused, match="element Gateway_1"):
        workflow.do_engine_steps()

    assert not workflow.is_completed()


def test_it_runs_an_allowed_script_end_to_end() -> None:
    workflow = _workflow(_linear("x = 1", "y = x + 1"))

    workflow.do_engine_steps()

    assert workflow.is_completed()
    data = _data_at_end(workflow)
    assert data["y"] == 2
    assert not [k for k in data if k.startswith("_")]


def test_it_calls_a_service_task_through_the_caller_end_to_end() -> None:
    body = (
        '<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="Script_1"/>'
        + _script_task("Script_1", "x = 20", "f0", "f1")
        + '<bpmn:sequenceFlow id="f1" sourceRef="Script_1" targetRef="Service_1"/>'
        '<bpmn:serviceTask id="Service_1"><bpmn:extensionElements>'
        '<spiffworkflow:serviceTaskOperator id="lookup" resultVariable="found">'
        "<spiffworkflow:parameters>"
        '<spiffworkflow:parameter id="n" type="int" value="x + 1"/>'
        "</spiffworkflow:parameters>"
        "</spiffworkflow:serviceTaskOperator></bpmn:extensionElements>"
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
        "</bpmn:serviceTask>"
        '<bpmn:sequenceFlow id="f2" sourceRef="Service_1" targetRef="end"/>'
        '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
    )
    seen: list[tuple[str, dict[str, Any]]] = []

    def caller(task: Any, name: str, params: dict[str, Any]) -> Any:
        seen.append((name, params))
        return {"answer": params["n"]["value"] * 2}

    workflow = _workflow(_process(body), RestrictedScriptEngine(service_caller=caller))
    workflow.do_engine_steps()

    assert seen == [("lookup", {"n": {"value": 21, "type": "int"}})]
    assert _data_at_end(workflow)["found"] == {"answer": 42}


DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn_defs"
             name="Fees" namespace="http://fuzhi.test">
  <decision id="fee_table" name="Fee">
    <decisionTable id="table_1" hitPolicy="UNIQUE">
      <input id="input_1" label="Amount">
        <inputExpression id="expr_1" typeRef="integer"><text>amount</text></inputExpression>
      </input>
      <output id="output_1" label="Fee" name="fee" typeRef="integer"/>
      <rule id="rule_1">
        <inputEntry id="in_1"><text>&gt; 100</text></inputEntry>
        <outputEntry id="out_1"><text>10</text></outputEntry>
      </rule>
      <rule id="rule_2">
        <inputEntry id="in_2"><text>&lt;= 100</text></inputEntry>
        <outputEntry id="out_2"><text>amount // 10</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.mark.parametrize(("amount", "fee"), [(500, 10), (50, 5)])
def test_it_evaluates_dmn_cells_end_to_end(amount: int, fee: int) -> None:
    body = (
        '<bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>'
        '<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="Script_1"/>'
        + _script_task("Script_1", f"amount = {amount}", "f0", "f1")
        + '<bpmn:sequenceFlow id="f1" sourceRef="Script_1" targetRef="Rules_1"/>'
        '<bpmn:businessRuleTask id="Rules_1"><bpmn:extensionElements>'
        "<spiffworkflow:calledDecisionId>fee_table</spiffworkflow:calledDecisionId>"
        "</bpmn:extensionElements>"
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
        "</bpmn:businessRuleTask>"
        '<bpmn:sequenceFlow id="f2" sourceRef="Rules_1" targetRef="end"/>'
        '<bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
    )
    workflow = _workflow(_process(body), dmn=DMN)

    workflow.do_engine_steps()

    assert _data_at_end(workflow)["fee"] == fee
