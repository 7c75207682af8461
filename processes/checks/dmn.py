"""Checks of DMN files: the tree before SpiffWorkflow reads it, then every parsed table.

The tree checks find what SpiffWorkflow's DMN parser would crash on (missing ids, rules
with the wrong number of entries, more than one decision per file); the table checks
refuse unsupported hit policies and every cell that is not restricted Python.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from lxml import etree

from .. import xmlsafe
from ..errors import ModelError, one_line
from ..spiff_errors import spiff_error
from .code import feel_literal, parses, refusal
from .nodes import at, listing, owner

MAX_CELL_PROBLEMS = 10  # per decision table; the rest are counted in one line
SUPPORTED_HIT_POLICIES = ("UNIQUE", "COLLECT", "FIRST")
# SpiffWorkflow's own rule: '?' outside quotes stands for the input value.
_DMN_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


# ------------------------------------------------------------------ DMN trees

_DMN_ID_TAGS = ("decisionTable", "input", "output", "rule", "inputEntry", "outputEntry")


def dmn_tree_problems(file: str, tree: Any) -> list[ModelError]:
    """What SpiffWorkflow's DMN parser would crash on (KeyError 'id', IndexError...)."""
    root = tree.getroot()
    namespace = etree.QName(root).namespace

    def dmn(tag: str) -> str:
        return f"{{{namespace}}}{tag}"

    decisions = list(root.iter(dmn("decision")))
    if not decisions:
        return [at(file, root, "the file defines no decision")]
    if len(decisions) > 1:
        ids = listing([d.get("id", "?") for d in decisions])
        return [
            at(
                file,
                decisions[1],
                f"the file defines {len(decisions)} decisions ({ids}); this engine reads one "
                "decision per DMN file, so put each in its own file",
            )
        ]
    decision = decisions[0]
    if not decision.get("id"):
        return [at(file, decision, "the decision has no id attribute")]
    table = decision.find(dmn("decisionTable"))
    if table is None:
        return [
            at(
                file,
                decision,
                "the decision has no decision table (only decision tables can be run, not "
                "literal expressions, contexts or other FEEL boxed expressions)",
            )
        ]
    return [
        *_missing_ids(file, decision, table, dmn),
        *_table_children(file, table),
        *_entry_counts(file, table, dmn),
        *_output_syntax(file, table, dmn),
        *_aggregation(file, decision, table),
    ]


def _missing_ids(file: str, decision: Any, table: Any, dmn: Any) -> Iterator[ModelError]:
    nodes = {"decisionTable": [table] if not table.get("id") else []}
    for tag in _DMN_ID_TAGS[1:]:
        nodes[tag] = [node for node in table.iter(dmn(tag)) if not node.get("id")]
    for tag, missing in nodes.items():
        if not missing:
            continue
        first = missing[0]
        count = f"{len(missing)} <{tag}> elements have" if len(missing) > 1 else f"the <{tag}> has"
        where = f"{tag} in {xmlsafe.describe(owner(first) if tag != 'decisionTable' else decision)}"
        yield ModelError(
            f"{count} no id attribute; this engine needs an id on every decisionTable, "
            "input, output, rule, inputEntry and outputEntry",
            file=file,
            line=first.sourceline,
            element=where,
        )


def _table_children(file: str, table: Any) -> Iterator[ModelError]:
    # SpiffWorkflow accepts only input, output and rule directly inside a decisionTable.
    for child in table.iterchildren(tag=etree.Element):
        local = etree.QName(child).localname
        if not local.endswith(("input", "output", "rule")):
            yield at(
                file,
                owner(child),
                f"<{local}> inside a decisionTable is not supported by this engine (only "
                "input, output and rule; put notes in a rule's <description>)",
            )


def _entry_counts(file: str, table: Any, dmn: Any) -> Iterator[ModelError]:
    inputs = len(table.findall(dmn("input")))
    outputs = len(table.findall(dmn("output")))
    for row, rule in enumerate(table.iterchildren(dmn("rule")), start=1):
        for tag, expected in (("inputEntry", inputs), ("outputEntry", outputs)):
            found = len(rule.findall(dmn(tag)))
            if found != expected:
                kind = tag.removesuffix("Entry")
                yield at(
                    file,
                    rule,
                    f"rule (row {row}) has {_count(found, kind + ' entry')} but the table has "
                    f"{_count(expected, kind + ' column')}",
                )


def _count(number: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {noun if number == 1 else plural}"


def _output_syntax(file: str, table: Any, dmn: Any) -> Iterator[ModelError]:
    """SpiffWorkflow refuses an output cell that does not parse, in its own words."""
    for entry in table.iter(dmn("outputEntry")):
        for text in entry.iterchildren(dmn("text")):
            if text.text and text.text.strip() and not parses(text.text, "script"):
                shown = one_line(text.text)
                yield at(
                    file,
                    owner(entry),
                    f"output cell {shown!r} is not a Python expression; DMN cells here are "
                    "restricted Python and FEEL is not supported",
                )


def _aggregation(file: str, decision: Any, table: Any) -> Iterator[ModelError]:
    aggregation = table.get("aggregation")
    if aggregation:
        yield ModelError(
            f"COLLECT with aggregation {aggregation} is not supported (the engine would "
            "return the list of values, not their aggregate)",
            file=file,
            line=table.sourceline,
            element=f"decisionTable in {xmlsafe.describe(decision)}",
        )


# ------------------------------------------------------- parsed decision tables

# DMN 1.4/1.5 files have no schema in SpiffWorkflow and are FEEL by default, but so are
# Camunda's and Spiff's own files, which are written in Python. Neither the namespace nor
# the expressionLanguage attribute is therefore trusted: every cell is judged on its own.
# A cell that is not Python, or that is FEEL which happens to parse as Python but means
# something else there (true/false/null, "a","b" lists, not(...)), is refused; a file
# whose cells are all Python passes, whatever DMN version it declares.


def decision_problems(decisions: Mapping[str, Any], default_file: str) -> list[ModelError]:
    """Problems of parsed DMN decisions: unreadable tables, hit policies, cells."""
    problems: list[ModelError] = []
    for decision_id, dmn_parser in decisions.items():
        file = getattr(dmn_parser, "filename", "") or default_file
        tree = dmn_parser.node.getroottree()
        element = _decision_label(tree, decision_id)
        try:
            dmn_parser.parse()
            tables = dmn_parser.decision.decisionTables
        except Exception as exc:
            problems.append(spiff_error(exc, {file: tree}, file))
            continue
        if not tables:
            problems.append(
                ModelError(
                    "the decision has no decision table (only decision tables can be run)",
                    file=file,
                    line=xmlsafe.line_of(tree, decision_id),
                    element=element,
                )
            )
        for table in tables:
            problems.extend(_capped(_table_problems(table, file, tree, decision_id)))
    return problems


def _decision_label(tree: Any, decision_id: str) -> str:
    node = xmlsafe.find_by_id(tree, decision_id)
    return xmlsafe.describe(node) if node is not None else decision_id


def _capped(problems: Iterable[ModelError]) -> list[ModelError]:
    listed = list(problems)
    if len(listed) <= MAX_CELL_PROBLEMS:
        return listed
    first = listed[0]
    more = len(listed) - MAX_CELL_PROBLEMS
    summary = ModelError(f"… and {more} more problems in this decision table", file=first.file)
    return [*listed[:MAX_CELL_PROBLEMS], summary]


def _table_problems(table: Any, file: str, tree: Any, decision_id: str) -> Iterator[ModelError]:
    def at(ident: str, message: str, element: str) -> ModelError:
        return ModelError(message, file=file, line=xmlsafe.line_of(tree, ident), element=element)

    decision = _decision_label(tree, decision_id)
    if table.hit_policy not in SUPPORTED_HIT_POLICIES:
        yield at(
            table.id,
            f"hit policy {table.hit_policy} is not supported (use UNIQUE, FIRST or COLLECT)",
            f"decisionTable in {decision}",
        )
    for column in table.inputs:
        message = expression_problem(column.expression or "")
        if column.expression and message:
            name = one_line(column.label or column.id, 40)
            yield at(column.id, f"input expression {message}", f"input {name} of {decision}")
    for rule in table.rules:
        where = f"rule {rule.id} (row {rule.row_number}) of {decision}"
        for entry in rule.inputEntries:
            for lhs in entry.lhs:
                message = cell_problem(lhs)
                if message:
                    yield at(entry.id, message, where)
        for out in rule.outputEntries:
            message = expression_problem(out.text) if out.text else ""
            if message:
                yield at(out.id, f"output cell {message}", where)


def expression_problem(text: str) -> str:
    """Why a DMN input expression or output cell cannot run here ('' when it can)."""
    source = text.strip()
    if not parses(source, "expression"):
        return (
            f"{one_line(source)!r} is not a Python expression; DMN cells here are "
            "restricted Python and FEEL is not supported"
        )
    literal = feel_literal(source)
    if literal:
        return f"{one_line(source)!r} {literal}"
    refused = refusal(source, "expression")
    return f"{one_line(source)!r}: {refused}" if refused else ""


def cell_problem(lhs: str | None) -> str:
    """Mirror SpiffWorkflow's DMN input rules: an expression compared for equality, or an
    operator and operand appended to the input, with '?' standing for the input."""
    text = (lhs or "").strip()
    if not text or text == "-":
        return ""
    shown = one_line(text)
    replaced = _DMN_QUESTION.sub("dmninputexpr", text)
    if "dmninputexpr" not in replaced and re.match(r"(not|in|is|and|or)\b", text):
        # SpiffWorkflow appends the cell to the input with no space ('dutynot in ...').
        return (
            f"input cell {shown!r} starts with a word operator, which SpiffWorkflow glues to "
            f"the input without a space; write it with '?' for the input, e.g. '? {text}'"
        )
    candidates = (
        [replaced] if "dmninputexpr" in replaced else [replaced, f"dmninputexpr {replaced}"]
    )
    for candidate in candidates:
        if not parses(candidate, "expression"):
            continue
        literal = feel_literal(candidate, cell=candidate == replaced)
        if literal:
            return f"input cell {shown!r} {literal}"
        refused = refusal(candidate, "expression")
        return f"input cell {shown!r}: {refused}" if refused else ""
    return (
        f"input cell {shown!r} is not a Python test; DMN cells here are restricted Python "
        'and FEEL is not supported (write e.g. >= 18, "high" or ? in ("a", "b"))'
    )
