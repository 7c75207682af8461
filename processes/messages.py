"""Message codes: what a model problem says, in a form the webapp translates.

``processes`` has no translations (it never imports Django), so each problem it reports
is English text. ``explain`` reads such a text back into a code and its values, so the
webapp can say it in the designer's language (``webapp/designer/problem_texts.py``)
while the English stays available. A value whose group name ends in ``__msg`` is itself
a message (``condition: <why>``), one ending in ``__list`` a list of the sandbox's
refusals; both are explained in turn. A text no pattern reads keeps the code
``UNKNOWN`` (``tests/processes/test_messages.py`` runs every model of the corpus and
of the hostile suite and asserts that none is left so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

UNKNOWN: Final = "unknown"
_Q = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""  # a Python repr of a string
_ID = r"\S+"
_NUM = r"[\d,]+"

# (code, pattern) in the order they are tried; each pattern matches the whole text.
PATTERNS: Final[tuple[tuple[str, str], ...]] = (
    # -------------------------------------------------- prefixes: "<what>: <why>"
    (
        "code_in",
        rf"(?P<what>condition|timer|script|prescript|postscript|message correlation|"
        rf"cardinality|condition|completion condition|[A-Za-z]+EventDefinition expression|"
        rf"operator parameter (?:{_Q})|warning (?:{_Q})): (?P<why__msg>.+)",
    ),
    ("due_date", r"due date: (?P<why__msg>.+)"),
    ("input_expression", rf"input expression (?P<text>{_Q}): (?P<why__msg>.+)"),
    ("input_expression_plain", r"input expression (?P<why__msg>.+)"),
    ("output_cell_text", rf"output cell (?P<text>{_Q}): (?P<why__msg>.+)"),
    ("output_cell", r"output cell (?P<why__msg>.+)"),
    ("input_cell", rf"input cell (?P<text>{_Q}): (?P<why__msg>.+)"),
    ("input_cell_feel", rf"input cell (?P<text>{_Q}) (?P<why__msg>.+)"),
    # ----------------------------------------------------------- the sandbox
    ("code_refused", r"(?P<kind>script|expression) refused: (?P<items__list>.+)"),
    ("code_not_python", r"(?P<kind>script|expression) is not valid Python: (?P<items__list>.+)"),
    ("code_empty", r"(?P<kind>script|expression) is empty"),
    (
        "code_too_long",
        rf"(?P<kind>script|expression) is (?P<n>{_NUM}) characters long; the limit is (?P<limit>{_NUM})",
    ),
    (
        "code_too_deep",
        r"(?P<kind>script|expression) is nested too deeply to compile \(detail: (?P<detail>.+)\)",
    ),
    (
        "code_uncompilable",
        r"(?P<kind>script|expression) cannot be compiled \(detail: (?P<detail>.+)\)",
    ),
    ("name_unavailable", r"\"(?P<name>[^\"]+)\" is not available in scripts"),
    (
        "name_underscore_attr",
        r"\"(?P<name>[^\"]+)\" is an invalid attribute name because it starts with \"_\"\.?",
    ),
    (
        "name_underscore_var",
        r"\"(?P<name>[^\"]+)\" is an invalid variable name because it starts with \"_\"\.?",
    ),
    (
        "name_restricted",
        r"\"(?P<name>[^\"]+)\" is a restricted name, that is forbidden to access in RestrictedPython\.?",
    ),
    ("no_eval", r"(?P<name>Eval|Exec) calls are not allowed\.?"),
    ("no_import", r"import statements are not allowed"),
    ("no_class", r"class definitions are not allowed"),
    ("no_with", r"with statements are not allowed"),
    ("no_finally", r"try/finally is not allowed"),
    ("no_bare_except", r"a bare 'except:' is not allowed; name the exception"),
    ("format_width", rf"format widths above (?P<limit>{_NUM}) are not allowed"),
    ("format_computed", r"computed format specs in f-strings are not allowed"),
    ("syntax_error", r"SyntaxError: (?P<detail>.+)"),
    # ------------------------------------------------- a running case (test run)
    ("at_element", r"element (?P<element>[^\s:]+): (?P<why__msg>.+)"),
    (
        "run_failed_line",
        r"(?P<kind>script|expression|condition|timer|pre-script|post-script|prescript|postscript) (?P<verdict>failed|stopped|refused) on line (?P<line>\d+)(?: \((?P<code>.*?)\))?: (?P<why__msg>.+)",
    ),
    (
        "run_failed_code",
        r"(?P<kind>script|expression|condition|timer) (?P<verdict>failed|stopped|refused) \((?P<code>.*?)\): (?P<why__msg>.+)",
    ),
    (
        "run_failed",
        r"(?P<kind>script|expression|condition|timer) (?P<verdict>failed|stopped|refused): (?P<why__msg>.+)",
    ),
    ("process_failed", r"the process failed(?: in (?P<element>\S+))?: (?P<detail>.+)"),
    ("name_not_defined", r"NameError: name '(?P<name>[^']+)' is not defined"),
    ("division_by_zero", r"ZeroDivisionError: (?P<detail>.+)"),
    ("python_error", r"(?!SyntaxError)(?P<type>[A-Z]\w*(?:Error|Exception)): (?P<detail>.+)"),
    (
        "endless_loop",
        r"the process ran (?P<n>[\d,]+) automatic steps without waiting for a person or a timer \(last: (?P<last>.+)\); it looks like an endless loop",
    ),
    # --------------------------------------------------- other engines' languages
    (
        "not_python",
        rf"(?P<text>{_Q}) is not a Python expression; this engine evaluates expressions as \(restricted\) Python, and FEEL/JUEL are not supported \(expression language not supported\)",
    ),
    (
        "feel_literal",
        r"uses the FEEL literal (?P<feel>\w+); expressions here are Python, where it is written (?P<python>\w+) \(FEEL is not supported\)",
    ),
    (
        "feel_literal_in",
        rf"(?P<text>{_Q}) uses the FEEL literal (?P<feel>\w+); expressions here are Python, where it is written (?P<python>\w+) \(FEEL is not supported\)",
    ),
    (
        "feel_list",
        r"is a FEEL list of alternatives; in Python it is one tuple that never equals a single value, so write in \((?P<text>.+)\) \(FEEL is not supported\)",
    ),
    ("feel_not", r"is a FEEL negation; write != value or not in \(…\) \(FEEL is not supported\)"),
    (
        "iso_unquoted",
        rf"(?P<text>{_Q}) is ISO-8601 text, but timer expressions here are Python: quote it \((?P<quoted>.+)\) or name a case variable that holds it",
    ),
    # ------------------------------------------------------------- durations
    (
        "duration_unreadable",
        rf"(?P<text>{_Q}) is neither an ISO-8601 duration such as P3D nor a number of working days such as 5WD",
    ),
    ("duration_too_long", rf"(?P<text>{_Q}) is longer than (?P<years>\d+) years"),
    (
        "working_days_too_many",
        rf"(?P<text>{_Q}) is more than (?P<n>{_NUM}) working days \(about (?P<years>\d+) years\)",
    ),
    (
        "date_unreadable",
        rf"(?P<text>{_Q}) is not an ISO-8601 date and time such as (?P<example>\S+)",
    ),
    ("date_too_far", rf"(?P<text>{_Q}) is more than (?P<years>\d+) years away"),
    ("cycle_too_often", rf"(?P<text>{_Q}) repeats more often than once a minute"),
    ("not_text", r"(?P<what>.+) (?:must be|is not) text, not (?P<type>\w+)"),
    # ------------------------------------------------------------ live checks
    (
        "task_without_lane",
        r"user task is in no lane, so its tasks would wait in nobody's inbox \(a task goes to the role its lane names\); the process has no lanes: add a lane per role that works in it",
    ),
    (
        "task_outside_lanes",
        r"user task is in no lane, so its tasks would wait in nobody's inbox \(a task goes to the role its lane names\); move it into the lane of the role that does this work",
    ),
    (
        "event_splits",
        r"(?P<count>\d+) sequence flows leave this event \((?P<flows>.+)\); the engine would follow all of them at once.*",
    ),
    (
        "timer_working_days",
        r"timer (?P<source>.+) counts working days, which only a task's due date \(dueIn\) understands.*",
    ),
    (
        "variable_not_supplied",
        rf"(?P<what>.+?) reads (?P<name>{_Q}) before any step supplies it \(the step that supplies it comes later;.*",
    ),
    (
        "variable_never_supplied",
        rf"(?P<what>.+?) reads (?P<name>{_Q}) before any step supplies it \(no step supplies it;.*",
    ),
    (
        "dmn_overlap",
        r"rules (?P<a>\d+) and (?P<b>\d+) of this UNIQUE table both match when (?P<when>.+); the engine would silently take row \d+\..*",
    ),
    ("dmn_overlap_more", r"… and (?P<n>\d+) more pairs of overlapping rules in this table"),
    # ------------------------------------------------------------ structure
    ("no_bpmn", r"the bundle has no BPMN file"),
    (
        "no_process",
        r"the file defines no process \(a diagram with no <bpmn:process> cannot be run\)",
    ),
    (
        "not_executable",
        r"no process is marked executable \(isExecutable=\"true\"\); this model is descriptive only and cannot be run",
    ),
    ("no_start", r"the process has no start event, so it cannot be started"),
    ("unsupported_element", r"this kind of element is not supported by the engine"),
    ("data_store", r"data stores are not supported: .*"),
    (
        "data_input",
        r"a data input association reads a data object or store that is not in the process",
    ),
    (
        "data_output",
        r"a data output association writes a data object or store that is not in the process",
    ),
    ("timer_empty", r"the timer has no duration, date or cycle expression \(set one of them\)"),
    ("multi_instance", r"a multi-instance activity needs a cardinality .*"),
    (
        "flow_without_condition",
        r"this sequence flow leaves a gateway without a condition and is not the gateway's default flow.*",
    ),
    (
        "task_splits",
        r"this element has several outgoing sequence flows; only gateways may split the flow.*",
    ),
    (
        "flow_dangling",
        rf"sequence flow (?P<flow>{_Q}) (?P<verb>starts at|points to) (?P<target>{_Q}), which is not an element of the (?P<container>.+)",
    ),
    (
        "flow_crosses",
        rf"sequence flow (?P<flow>{_Q}) (?P<verb>starts at|points to) (?P<target>{_Q}), which is not in the same process or sub-process .*",
    ),
    (
        "boundary_dangling",
        rf"boundary event is attached to (?P<target>{_Q}), which is not an activity of the (?P<container>.+)",
    ),
    (
        "default_flow",
        rf"default flow (?P<flow>{_Q}) is not one of the gateway's outgoing sequence flows",
    ),
    ("property_incomplete", r"spiffworkflow:property needs both name and value"),
    ("parameter_incomplete", r"spiffworkflow:parameter needs id, type and value"),
    ("call_unnamed", r"call activity does not name a process \(calledElement is empty\)"),
    (
        "call_missing",
        rf"call activity calls process (?P<called>{_Q}), which is not in the bundle \(the bundle defines (?P<known>.+)\); the called process must be deployed with it",
    ),
    (
        "call_not_executable",
        rf"call activity calls process (?P<called>{_Q}), which is marked isExecutable=\"false\"",
    ),
    (
        "call_recursive",
        rf"call activity calls process (?P<called>{_Q}), which calls back into (?P<pid>{_Q}).*",
    ),
    (
        "decision_unnamed",
        r"business rule task must name its decision \(spiffworkflow:calledDecisionId\)(?P<hint>.*)",
    ),
    (
        "decision_missing",
        rf"business rule task calls decision (?P<ref>{_Q}), which is not in the bundle \((?P<known>.+)\)",
    ),
    (
        "service_unnamed",
        r"service task must name a Fuzhi operator \(spiffworkflow:serviceTaskOperator\); Camunda external tasks / Java delegates are not supported(?P<hint>.*)",
    ),
    (
        "service_operator_no_id",
        r"spiffworkflow:serviceTaskOperator has no id \(the operator name\)",
    ),
    (
        "operator_unknown",
        rf"service task calls unknown operator (?P<operator>{_Q}) \(registered: (?P<known>.*)\)",
    ),
    (
        "external_task",
        r"this (?P<kind>\w+) (?P<hint>.+); this engine runs no external tasks or Java code, so here it would (?P<effect>.+)",
    ),
    (
        "script_language",
        rf"script language (?P<format>{_Q}) is not supported; scripts are restricted Python",
    ),
    (
        "listeners",
        r"(?P<listeners>.+) is not run by this engine \(listeners are another engine's code\); model the work as a task",
    ),
    (
        "lane_unnamed",
        r"lane has no name; a lane's name must be a role code \((?P<known>.*)\); (?P<holds>.+)",
    ),
    (
        "lane_unknown",
        rf"lane (?P<name>{_Q}) is not a known role \(known roles: (?P<known>.*)\); (?P<holds>.+)",
    ),
    ("form_missing", rf"form (?P<form>{_Q}) is referenced but not in forms/"),
    (
        "fact_unlabelled",
        rf"fact (?P<fact>{_Q}) has no title in any form; label it in forms/case_data.json",
    ),
    (
        "four_eyes_not_user",
        r"fourEyes is a rule of who completes a user task; this element is none",
    ),
    ("four_eyes_self", rf"fourEyes names the task itself \((?P<name>{_Q})\)"),
    (
        "four_eyes_unknown",
        rf"fourEyes names (?P<name>{_Q}), which is not a user task of this model",
    ),
    ("warning_incomplete", r"a warning needs a \"when\" condition and a \"text\""),
    (
        "key_prefix",
        r"(?P<label>.+): businessKeyPrefix (?P<value>.+) must be 1 to 4 capital letters A-Z.*",
    ),
    # ------------------------------------------------------------------ DMN
    (
        "dmn_ids",
        r"(?P<what>.+) no id attribute; this engine needs an id on every decisionTable, input, output, rule, inputEntry and outputEntry",
    ),
    ("dmn_aggregation", r"COLLECT with aggregation (?P<aggregation>\w+) is not supported.*"),
    ("dmn_no_table", r"the decision has no decision table \(only decision tables can be run\)"),
    ("dmn_more", r"… and (?P<n>\d+) more problems in this decision table"),
    ("dmn_hit_policy", r"hit policy (?P<policy>\S+) is not supported.*"),
    ("dmn_prefix", r"DMN elements use a prefix while the default namespace is (?P<ns>\S+); .*"),
    ("dmn_expected", r"expected a DMN file"),
    ("decision_undefined", rf"the file defines no decision (?P<ref>{_Q})"),
    # --------------------------------------------------------- XML and files
    ("schema", r"does not follow the (?P<label>.+?) schema: (?P<detail>.+)"),
    ("schema_more", r"… and (?P<n>\d+) more schema errors"),
    (
        "file_too_big",
        rf"file is (?P<size>{_NUM}) bytes, over the (?P<limit>{_NUM})-byte limit for a model",
    ),
    ("file_empty", r"file is empty"),
    (
        "namespaces",
        rf"file declares namespaces (?P<n>{_NUM}) times; at most (?P<limit>{_NUM}) may be",
    ),
    ("not_xml", r"file cannot be read as XML \(detail: (?P<detail>.+)\)"),
    ("not_well_formed", r"not well-formed XML: (?P<detail>.+)"),
    ("too_deep", r"elements are nested more than (?P<n>\d+) levels deep.*"),
    ("doctype", r"a DOCTYPE (?:or entity declaration )?is not allowed in a model.*"),
    ("entities", r"entity references are not allowed in a model.*"),
    ("xml_limits", r"the file exceeds the XML parser's size limits \((?P<detail>.+)\)"),
    (
        "attributes_element",
        rf"an element has (?P<n>{_NUM}) attributes; at most (?P<limit>{_NUM}) are allowed on one element",
    ),
    (
        "attributes_file",
        rf"the file has more than (?P<limit>{_NUM}) attributes; a model never needs that",
    ),
    ("xinclude", r"XInclude is not allowed in a model.*"),
    (
        "external_reference",
        rf"external reference (?P<ref>{_Q}) is not allowed; a model must be self-contained",
    ),
    (
        "not_a_model",
        r"not a BPMN 2.0 or DMN document: the root element is <(?P<root>[^>]+)> in namespace (?P<ns>\S+);.*",
    ),
    ("not_regular_file", r"not a regular file"),
    ("cannot_read", r"cannot read the file: (?P<detail>.+)"),
    ("empty_directory", r"a directory with no \.bpmn, \.dmn or \.json file to check"),
    ("engine_unreadable", r"the engine cannot read this model(?P<why>.*)"),
    # ----------------------------------------------------------------- forms
    ("form_too_big", rf"form is over the (?P<limit>{_NUM})-byte limit"),
    ("form_not_utf8", r"form is not UTF-8 text"),
    ("form_not_json", r"form is not valid JSON: (?P<detail>.+)"),
    ("form_too_deep", r"form is nested more than (?P<n>\d+) deep; a form never needs that"),
    ("form_not_object", r"a form schema must be an object with \"type\": \"object\""),
    (
        "form_external_ref",
        rf"form refers to another schema \((?P<ref>{_Q})\); a form must be self-contained",
    ),
    (
        "form_pattern",
        rf"form pattern (?P<pattern>{_Q}) cannot be used: (?P<detail>.+?) \(patterns run on RE2.*",
    ),
    ("form_schema", r"form is not a valid JSON Schema: (?P<detail>.+)"),
)
_COMPILED: Final = tuple((code, re.compile(pattern, re.DOTALL)) for code, pattern in PATTERNS)
_LINE_ITEM: Final = re.compile(r"Line (?P<line>\d+): (?P<text>.+)", re.DOTALL)
_ITEMS: Final = re.compile(r";\s+(?=Line \d+:)")


@dataclass(frozen=True)
class Explained:
    """A message as a code and its values; ``nested`` holds the values that are
    messages themselves (one for ``__msg``, several for ``__list``)."""

    code: str
    text: str
    params: dict[str, str] = field(default_factory=dict)
    nested: dict[str, tuple[Explained, ...]] = field(default_factory=dict)
    line: int | None = None  # a sandbox refusal's line in the code


def explain(text: str) -> Explained:
    """The code and values of one English message (``UNKNOWN`` when none reads it)."""
    flat = text.strip()
    for code, pattern in _COMPILED:
        found = pattern.fullmatch(flat)
        if found is not None:
            return _explained(code, flat, found.groupdict())
    item = _LINE_ITEM.fullmatch(flat)
    if item is not None:
        inner = explain(item["text"])
        return Explained(inner.code, flat, inner.params, inner.nested, int(item["line"]))
    if flat.endswith("…"):  # a list cut short by one_line: the last item is lost
        return Explained("truncated", flat)
    return Explained(UNKNOWN, flat)


def _explained(code: str, text: str, groups: dict[str, str | None]) -> Explained:
    params: dict[str, str] = {}
    nested: dict[str, tuple[Explained, ...]] = {}
    for name, value in groups.items():
        value = value or ""
        if name.endswith("__msg"):
            nested[name[:-5]] = (explain(value),)
        elif name.endswith("__list"):
            nested[name[:-6]] = tuple(explain(part) for part in _ITEMS.split(value) if part)
        else:
            params[name] = value
    return Explained(code, text, params, nested)


def unknown_codes(explained: Explained) -> list[str]:
    """The texts inside ``explained`` that no pattern reads (empty when all are)."""
    found = [explained.text] if explained.code == UNKNOWN else []
    for parts in explained.nested.values():
        for part in parts:
            found.extend(unknown_codes(part))
    return found
