# ruff: noqa: E501 - the XML templates are kept one element per line, as written
"""Writes the hostile corpus into this folder (run once; the files are committed).

Each case is a folder with the files of one model bundle (``*.bpmn``, ``*.dmn``,
``forms/*.json``) and MANIFEST.json says, per case, what it attacks and where it must be
stopped: ``deploy`` (refused before any version is stored) or ``run`` (it deploys,
because the code is not evidently hostile until it runs, and the step is stopped).
The oversized file is not committed: test_hostile.py pads the base model past the cap.

    python tests/hostile/make_corpus.py
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
SENTINEL = "/tmp/fuzhi-hostile-sentinel"
TOUCH = f"touch {SENTINEL}"

NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)


def process(pid: str, middle: str, flows: str, prolog: str = "", extra_ns: str = "") -> str:
    """start -f1-> <middle ...> -f2-> review (user task, HR) -f3-> end, all in one lane."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{prolog}<bpmn:definitions {NS} {extra_ns} id="defs_{pid}" targetNamespace="http://fuzhi.test/hostile">
  <bpmn:process id="hostile_{pid}" name="Hostile {pid}" isExecutable="true">
    <bpmn:laneSet id="laneset"><bpmn:lane id="lane_hr" name="hr_officer">
      <bpmn:flowNodeRef>start</bpmn:flowNodeRef><bpmn:flowNodeRef>hostile</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>review</bpmn:flowNodeRef><bpmn:flowNodeRef>end</bpmn:flowNodeRef>
    </bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="hostile"/>
    {middle}
    {flows}
    <bpmn:userTask id="review" name="Review"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="review" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


PLAIN_FLOW = '<bpmn:sequenceFlow id="f2" sourceRef="hostile" targetRef="review"/>'


def script_model(pid: str, script: str) -> str:
    middle = (
        '<bpmn:scriptTask id="hostile" name="Hostile script" scriptFormat="python">'
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
        f"<bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>"
    )
    return process(pid, middle, PLAIN_FLOW)


def condition_model(pid: str, condition: str) -> str:
    middle = (
        '<bpmn:exclusiveGateway id="hostile" name="Hostile condition" default="f2">'
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f_bad</bpmn:outgoing>"
        "<bpmn:outgoing>f2</bpmn:outgoing></bpmn:exclusiveGateway>"
    )
    flows = (
        '<bpmn:sequenceFlow id="f_bad" sourceRef="hostile" targetRef="review">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
        f"{escape(condition)}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f2" sourceRef="hostile" targetRef="review"/>'
    )
    model = process(pid, middle, flows)
    return model.replace(
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3",
        "<bpmn:incoming>f2</bpmn:incoming><bpmn:incoming>f_bad</bpmn:incoming><bpmn:outgoing>f3",
    )


def timer_model(pid: str, duration: str) -> str:
    middle = (
        '<bpmn:intermediateCatchEvent id="hostile" name="Hostile timer">'
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
        '<bpmn:timerEventDefinition id="timer"><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'
        f"{escape(duration)}</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )
    return process(pid, middle, PLAIN_FLOW)


def rule_model(pid: str) -> str:
    middle = (
        '<bpmn:businessRuleTask id="hostile" name="Hostile decision">'
        "<bpmn:extensionElements><spiffworkflow:calledDecisionId>hostile_decision"
        "</spiffworkflow:calledDecisionId></bpmn:extensionElements>"
        "<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
        "</bpmn:businessRuleTask>"
    )
    return process(pid, middle, PLAIN_FLOW)


def dmn(input_expression: str, input_entry: str, output_entry: str, prolog: str = "") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{prolog}<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dmn_hostile" name="Hostile" namespace="http://fuzhi.test/hostile">
  <decision id="hostile_decision" name="Hostile decision">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in1" label="amount"><inputExpression id="ie1" typeRef="number"><text>{escape(input_expression)}</text></inputExpression></input>
      <output id="out1" name="result" typeRef="string"/>
      <rule id="r1"><inputEntry id="e1"><text>{escape(input_entry)}</text></inputEntry><outputEntry id="o1"><text>{escape(output_entry)}</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


BASE = script_model("base", "checked = True")
LAUGHS = (
    '<!DOCTYPE bpmn:definitions [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
)
CASES: dict[str, dict] = {}


def add(name: str, kind: str, stage: str, why: str, files: dict[str, str]) -> None:
    CASES[name] = {"attacks": kind, "stopped_at": stage, "why": why, "files": files}


# ------------------------------------------------------------------ XML level
add(
    "xml_billion_laughs",
    "xml",
    "deploy",
    "nested entities (billion laughs)",
    {
        "model.bpmn": BASE.replace("<bpmn:definitions", LAUGHS + "<bpmn:definitions", 1).replace(
            "checked = True", "checked = '&lol9;'"
        )
    },
)
add(
    "xml_external_entity",
    "xml",
    "deploy",
    "external entity reading /etc/passwd",
    {
        "model.bpmn": BASE.replace(
            "<bpmn:definitions",
            '<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions',
            1,
        ).replace("checked = True", "checked = '&xxe;'")
    },
)
add(
    "xml_external_dtd",
    "xml",
    "deploy",
    "external DTD and parameter entity",
    {
        "model.bpmn": BASE.replace(
            "<bpmn:definitions",
            '<!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd" [<!ENTITY % p SYSTEM '
            '"file:///etc/passwd"> %p;]>\n<bpmn:definitions',
            1,
        )
    },
)
add(
    "xml_undeclared_entity",
    "xml",
    "deploy",
    "entity reference without declaration",
    {"model.bpmn": BASE.replace("checked = True", "checked = '&ent;'")},
)
add(
    "xml_xinclude",
    "xml",
    "deploy",
    "XInclude of a local file",
    {
        "model.bpmn": BASE.replace('name="Hostile script"', 'name="Hostile script"', 1).replace(
            "<bpmn:script>",
            '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" '
            'parse="text"/><bpmn:script>',
            1,
        )
    },
)
add(
    "xml_import_location",
    "xml",
    "deploy",
    "bpmn:import of a local file",
    {
        "model.bpmn": BASE.replace(
            "<bpmn:process",
            '<bpmn:import importType="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'location="file:///etc/passwd" namespace="http://evil"/>\n  <bpmn:process',
            1,
        )
    },
)
add(
    "xml_deep_nesting",
    "xml",
    "deploy",
    "10,000 nested elements",
    {
        "model.bpmn": BASE.replace(
            "<bpmn:script>",
            "<bpmn:extensionElements>"
            + "<x>" * 10000
            + "</x>" * 10000
            + "</bpmn:extensionElements><bpmn:script>",
            1,
        )
    },
)
add(
    "xml_processing_instruction_stylesheet",
    "xml",
    "deploy",
    "xml-stylesheet to a local file",
    {
        "model.bpmn": BASE.replace(
            "<bpmn:definitions",
            '<?xml-stylesheet type="text/xsl" href="file:///etc/passwd"?>\n'
            '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/shadow">]>\n<bpmn:definitions',
            1,
        )
    },
)
add(
    "xml_not_xml",
    "xml",
    "deploy",
    "binary junk named .bpmn",
    {"model.bpmn": "\x00\x01PK\x03\x04 not xml at all <<<>>>"},
)
add(
    "dmn_billion_laughs",
    "xml",
    "deploy",
    "billion laughs inside the DMN file",
    {
        "model.bpmn": rule_model("dmn_laughs"),
        "decision.dmn": dmn(
            "amount", "&lol9;", '"x"', prolog=LAUGHS.replace("bpmn:definitions", "definitions")
        ),
    },
)
add(
    "form_deep_json",
    "json",
    "deploy",
    "form JSON nested 20,000 deep",
    {
        "model.bpmn": BASE.replace(
            '<bpmn:userTask id="review" name="Review">',
            '<bpmn:userTask id="review" name="Review"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formJsonSchemaFilename" value="deep.json"/>'
            "</spiffworkflow:properties></bpmn:extensionElements>",
            1,
        ),
        "forms/deep.json": "[" * 20000 + "]" * 20000,
    },
)
add(
    "form_remote_ref",
    "json",
    "deploy",
    "form schema $ref to a local file and a URL",
    {
        "model.bpmn": BASE.replace(
            '<bpmn:userTask id="review" name="Review">',
            '<bpmn:userTask id="review" name="Review"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formJsonSchemaFilename" value="ref.json"/>'
            "</spiffworkflow:properties></bpmn:extensionElements>",
            1,
        ),
        "forms/ref.json": json.dumps(
            {
                "type": "object",
                "properties": {
                    "a": {"$ref": "file:///etc/passwd"},
                    "b": {"$ref": "http://127.0.0.1:9/x.json"},
                },
            }
        ),
    },
)
add(
    "service_unknown_operator",
    "service",
    "deploy",
    "service task calling os.system",
    {
        "model.bpmn": process(
            "svc",
            '<bpmn:serviceTask id="hostile" name="Hostile service"><bpmn:extensionElements>'
            '<spiffworkflow:serviceTaskOperator id="os.system" resultVariable="r">'
            '<spiffworkflow:parameters><spiffworkflow:parameter id="command" type="str" '
            f"value=\"'{TOUCH}'\"/></spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
            "</bpmn:extensionElements><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>"
            "</bpmn:serviceTask>",
            PLAIN_FLOW,
        )
    },
)

# -------------------------------------------------------------- script tasks
SCRIPTS = {
    "import_os": ("deploy", f"import os\nos.system('{TOUCH}')"),
    "from_import": ("deploy", f"from os import system\nsystem('{TOUCH}')"),
    "dunder_import": ("deploy", f"__import__('os').system('{TOUCH}')"),
    "builtins_open": ("deploy", f"open('{SENTINEL}', 'w').write('pwned')"),
    "exec": ("deploy", f"exec(\"open('{SENTINEL}', 'w')\")"),
    "eval": ("deploy", "x = eval('1 + 1')"),
    "compile": ("deploy", "c = compile('1', 'x', 'eval')"),
    "class_bases_subclasses": ("deploy", "subs = ().__class__.__bases__[0].__subclasses__()"),
    "mro_walk": ("deploy", "subs = ''.__class__.__mro__[-1].__subclasses__()"),
    "getattr_built_name": ("deploy", "g = getattr((), '__cl' + 'ass__')"),
    "function_globals": ("deploy", "f = lambda: 0\ng = f.__globals__"),
    "function_code": ("deploy", "f = lambda: 0\nc = f.__code__"),
    "generator_frame": ("deploy", "g = (i for i in [1])\nfr = g.gi_frame.f_back.f_globals"),
    "helper_module_walk": ("deploy", "m = add_days.__globals__['datetime']"),
    "helper_attribute": ("deploy", "m = add_days.__module__"),
    "format_attribute_walk": ("run", "s = '{0.__class__.__base__.__subclasses__}'.format(1)"),
    "format_map_walk": ("run", "s = '{x.__class__}'.format_map({'x': 1})"),
    "type_builtin": ("deploy", "t = type(1)"),
    "vars_globals": ("deploy", "v = globals()"),
    "dir_builtin": ("deploy", "d = dir()"),
    "class_definition": ("deploy", "class A:\n    pass"),
    "try_finally_swallow": (
        "deploy",
        "while True:\n    try:\n        pass\n    finally:\n        pass",
    ),
    "bare_except_swallow": (
        "deploy",
        "while True:\n    try:\n        pass\n    except:\n        pass",
    ),
    "exit": ("deploy", "exit()"),
    "string_dunder": ("deploy", "c = 'abc'.__class__"),
    "infinite_loop": ("run", "while True:\n    pass"),
    "infinite_loop_catching": (
        "run",
        "while True:\n    try:\n        x = 1\n    except Exception:\n        pass",
    ),
    "recursion": ("run", "def f(n):\n    return f(n + 1)\nf(0)"),
    "huge_string": ("run", "s = 'a' * 10**10"),
    "huge_list": ("run", "l = [0] * 10**9"),
    "huge_power": ("run", "x = 10**10**10"),
    "huge_range": ("run", "l = list(range(10**10))"),
    "shared_reference_bomb": ("run", "x = [['x' * 10**5] * 10**5]"),
    "comprehension_bomb": ("run", "l = [i for i in range(10**8)]"),
    "replace_bomb": ("run", "s = 'a' * 10000\ns = s.replace('a', 'a' * 10000)"),
    "join_bomb": ("run", "s = ''.join(['x'] * 10**4 for _ in range(10**4))"),
    "format_width_bomb": ("run", "s = '%0999999999d' % 1"),
    "fstring_width_bomb": ("deploy", "s = f'{1:>999999999}'"),
}
for name, (stage, code) in SCRIPTS.items():
    add(
        f"script_{name}",
        "script task",
        stage,
        code.splitlines()[0],
        {"model.bpmn": script_model(name, code)},
    )

# ----------------------------------------------------------- gateway conditions
CONDITIONS = {
    "dunder_chain": ("deploy", "().__class__.__bases__[0].__subclasses__()"),
    "dunder_import": ("deploy", f"__import__('os').system('{TOUCH}') == 0"),
    "open": ("deploy", f"open('{SENTINEL}', 'w') is None"),
    "getattr": ("deploy", "getattr(1, '__class__') is None"),
    "lambda_globals": ("deploy", "(lambda: 0).__globals__ is None"),
    "infinite_iter": ("deploy", "sum(1 for _ in iter(int, 1)) > 0"),
    "recursion": ("run", "(lambda f: f(f))(lambda f: f(f)) is None"),
    "cpu_burn": ("run", "sum(i * j for i in range(100000) for j in range(100000)) > 0"),
    "huge": ("run", "len('a' * 10**10) > 0"),
    "format_walk": ("run", "'{0.__class__}'.format(1) == ''"),
}
for name, (stage, code) in CONDITIONS.items():
    add(
        f"condition_{name}",
        "gateway condition",
        stage,
        code,
        {"model.bpmn": condition_model(name, code)},
    )

# ------------------------------------------------------------------- timers
TIMERS = {
    "dunder_chain": ("deploy", "'PT1H' if ().__class__.__bases__ else 'PT1H'"),
    "dunder_import": ("deploy", f"__import__('os').system('{TOUCH}')"),
    "open": ("deploy", f"open('{SENTINEL}', 'w')"),
    "infinite_iter": ("deploy", "'PT%dS' % sum(1 for _ in iter(int, 1))"),
    "recursion": ("run", "'PT1S' if (lambda f: f(f))(lambda f: f(f)) else 'PT1S'"),
    "cpu_burn": ("run", "'PT%dS' % sum(i * j for i in range(100000) for j in range(100000))"),
    "huge": ("run", "'PT' + '9' * 10**10 + 'S'"),
}
for name, (stage, code) in TIMERS.items():
    add(f"timer_{name}", "timer", stage, code, {"model.bpmn": timer_model(name, code)})

# --------------------------------------------------------------------- DMN
DMN_CELLS = {
    "input_entry_dunder": ("deploy", ("amount", "().__class__.__bases__", '"x"')),
    "output_entry_import": ("deploy", ("amount", "-", f"__import__('os').system('{TOUCH}')")),
    "input_expression_open": ("deploy", (f"open('{SENTINEL}', 'w')", "-", '"x"')),
    "input_expression_iter": ("deploy", ("sum(1 for _ in iter(int, 1))", "-", '"x"')),
    "input_expression_recursion": ("run", ("(lambda f: f(f))(lambda f: f(f))", "1", '"x"')),
    "input_entry_cpu_burn": (
        "run",
        ("amount", "sum(i * j for i in range(100000) for j in range(100000)) > 0", '"x"'),
    ),
    "output_entry_huge": ("run", ("amount", "-", "'a' * 10**10")),
    "output_entry_format_walk": ("run", ("amount", "-", "'{0.__class__}'.format(1)")),
}
for name, (stage, (expression, entry, output)) in DMN_CELLS.items():
    add(
        f"dmn_{name}",
        "DMN cell",
        stage,
        f"{expression} | {entry} | {output}",
        {"model.bpmn": rule_model(name), "decision.dmn": dmn(expression, entry, output)},
    )

# ------------------------------------------------------- resources (issue 18)
# Code the policy compiles and no escape is attempted in: each one would hold the server
# for seconds to hours, or take gigabytes, in one C call no trace event interrupts. They
# are refused by a bound checked before the operation runs, by the step's budget, or by
# the operating system's limits on the sandbox worker that runs them (processes/pool.py).
COLLIDING = "range(0, 10**6 * (2**61 - 1), 2**61 - 1)"  # a million ints hashing alike
SHARED = "a = [1]\nb = [1]\nfor i in range(60):\n    a = [a, a]\n    b = [b, b]\n"
RESOURCE_SCRIPTS = {
    "hash_collisions": f"n = len({{*{COLLIDING}}})",
    "dict_collisions": f"d = {{}}.fromkeys({COLLIDING})",
    "modpow_huge": "x = pow(3, int('f' * 999999, 16), int('f' * 999999, 16))",
    "division_huge": "x = int('f' * 999999, 16) // int('f' * 499999, 16)",
    "modpow_costly": "x = pow(3, 2**9999 - 1, 2**9999 - 1)",
    "fstring_doubling": "s = 'x'\nfor i in range(40):\n    s = f'{s}{s}'",
    "percent_doubling": "s = 'x'\nfor i in range(40):\n    s = '%s%s' % (s, s)",
    "unpack_doubling": "a = [0]\nfor i in range(40):\n    a = [*a, *a]",
    "str_of_shared": SHARED + "s = str(a)",
    "compare_shared": SHARED + "same = a == b",
    "hash_shared_tuple": "t = (1,)\nfor i in range(60):\n    t = (t, t)\nh = {t}",
    "memory_hog": "big = [0] * 1000000\nkeep = [big[:] for i in range(100)]\nkeep = 0",
}
for name, code in RESOURCE_SCRIPTS.items():
    add(
        f"resource_script_{name}",
        "resource",
        "run",
        code.splitlines()[-1] if name in ("compare_shared", "str_of_shared") else code,
        {"model.bpmn": script_model(f"r_{name}", code)},
    )
RESOURCE_CONDITIONS = {
    "hash_collisions": f"len({{*{COLLIDING}}}) > 0",
    "modpow_huge": "pow(3, int('f' * 999999, 16), int('f' * 999999, 16)) > 0",
}
for name, code in RESOURCE_CONDITIONS.items():
    add(
        f"resource_condition_{name}",
        "resource",
        "run",
        code,
        {"model.bpmn": condition_model(f"r_{name}", code)},
    )
RESOURCE_TIMERS = {
    "years_literal": ("deploy", "'P4000000Y'"),
    "years_computed": ("run", "'P' + str(4000000) + 'Y'"),
    "working_days_literal": ("deploy", "'9999WD'"),
    "hash_collisions": ("run", f"'PT%dS' % len({{*{COLLIDING}}})"),
}
for name, (stage, code) in RESOURCE_TIMERS.items():
    add(
        f"resource_timer_{name}",
        "resource",
        stage,
        code,
        {"model.bpmn": timer_model(f"r_{name}", code)},
    )
add(
    "resource_dmn_hash_collisions",
    "resource",
    "run",
    f"amount | len({{*{COLLIDING}}}) > 0 | 'x'",
    {
        "model.bpmn": rule_model("r_dmn_collisions"),
        "decision.dmn": dmn("amount", f"len({{*{COLLIDING}}}) > 0", '"x"'),
    },
)
SLOW_CELL = "len([i for i in range(600000)]) &lt; 0"
add(
    "resource_dmn_many_slow_cells",
    "resource",
    "run",
    "150 rules, each cell under a second: more than a step's budget (10 s, a test run 20 s)",
    {
        "model.bpmn": rule_model("r_dmn_slow"),
        "decision.dmn": dmn("amount", "0", '"x"').replace(
            '<rule id="r1">',
            "".join(
                f'<rule id="slow{i}"><inputEntry id="se{i}"><text>{SLOW_CELL}</text>'
                f'</inputEntry><outputEntry id="so{i}"><text>"slow"</text></outputEntry></rule>'
                for i in range(150)
            )
            + '<rule id="r1">',
        ),
    },
)
ATTRIBUTES = " ".join(f'a{i}="x"' for i in range(100_000))
add(
    "resource_xml_attribute_flood",
    "resource",
    "deploy",
    "100,000 attributes on one element (1.09 MB; lxml reads them in quadratic time)",
    {
        "model.bpmn": BASE.replace(
            '<bpmn:userTask id="review"', f'<bpmn:userTask {ATTRIBUTES} id="review"', 1
        )
    },
)
NAMESPACES = " ".join(f'xmlns:n{i}="urn:n{i}"' for i in range(20_000))
add(
    "resource_xml_namespace_flood",
    "resource",
    "deploy",
    "20,000 namespace declarations on the root",
    {"model.bpmn": BASE.replace("<bpmn:definitions ", f"<bpmn:definitions {NAMESPACES} ", 1)},
)
add(
    "resource_due_years",
    "resource",
    "deploy",
    "dueIn P4000000Y (the webapp's due date walked 48 million months)",
    {
        "model.bpmn": BASE.replace(
            '<bpmn:userTask id="review" name="Review">',
            '<bpmn:userTask id="review" name="Review"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="dueIn" value="P4000000Y"/>'
            "</spiffworkflow:properties></bpmn:extensionElements>",
            1,
        )
    },
)
add(
    "resource_form_lookahead_pattern",
    "resource",
    "deploy",
    "a form pattern RE2 cannot run in linear time (backreference)",
    {
        "model.bpmn": BASE.replace(
            '<bpmn:userTask id="review" name="Review">',
            '<bpmn:userTask id="review" name="Review"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formJsonSchemaFilename" value="p.json"/>'
            "</spiffworkflow:properties></bpmn:extensionElements>",
            1,
        ),
        "forms/p.json": json.dumps(
            {"type": "object", "properties": {"x": {"type": "string", "pattern": "^(a+)\\1$"}}}
        ),
    },
)


def main() -> None:
    manifest = {}
    for name, case in CASES.items():
        folder = HERE / name
        shutil.rmtree(folder, ignore_errors=True)
        for filename, text in case["files"].items():
            path = folder / filename
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        manifest[name] = {k: v for k, v in case.items() if k != "files"}
    manifest["oversized"] = {
        "attacks": "xml",
        "stopped_at": "deploy",
        "why": "a model over the 2 MiB cap (built by the test from base/)",
    }
    base = HERE / "base"
    base.mkdir(exist_ok=True)
    (base / "model.bpmn").write_text(BASE, encoding="utf-8")
    (HERE / "MANIFEST.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"{len(manifest)} hostile cases written")


if __name__ == "__main__":
    main()
