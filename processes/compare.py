"""What changed between two versions beyond the diagram: decision tables and the
properties the engine reads, each with its value before and after.

The designer's visual diff (bpmn-js-differ) sees shapes and attributes; it cannot see a
DMN file, and it shows a changed ``dueIn`` as a bare "changed extensionElements". These
read both bundles' XML and list, per element, what the engine would do differently.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import xmlsafe
from .checks.nodes import bpmn, spiff
from .errors import ModelError, one_line


@dataclass(frozen=True)
class Change:
    """One change: ``kind`` added / removed / changed; ``what`` names the part
    ('hit_policy', 'input', 'output', 'rule', 'decision', or a property such as 'dueIn')."""

    kind: str
    file: str
    element: str  # the element it concerns, as the checks name it
    what: str
    before: str = ""
    after: str = ""


def bundle_changes(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[Change]:
    """Every decision-table and engine-property change from ``old`` to ``new``."""
    before, after = _trees(old), _trees(new)
    changes: list[Change] = []
    for name in sorted(set(before) | set(after)):
        tree_a, tree_b = before.get(name), after.get(name)
        kind = xmlsafe.kind_of(tree_b or tree_a, name)
        if kind == "dmn":
            changes.extend(decision_changes(name, tree_a, tree_b))
        else:
            changes.extend(property_changes(name, tree_a, tree_b))
    return changes


def _trees(files: Mapping[str, bytes]) -> dict[str, Any]:
    trees: dict[str, Any] = {}
    for name, data in files.items():
        if name.endswith(xmlsafe.XML_SUFFIXES):
            try:
                trees[name] = xmlsafe.parse_model_xml(data, name)
            except ModelError:
                continue  # a deployed version always parses; a broken draft shows nothing
    return trees


# ------------------------------------------------------------------- decisions


def decision_changes(file: str, old: Any, new: Any) -> Iterator[Change]:
    """Decisions added or removed; per table its hit policy, inputs, outputs and rules."""
    tables_a, tables_b = _decisions(old), _decisions(new)
    for ident in sorted(set(tables_a) | set(tables_b)):
        a, b = tables_a.get(ident), tables_b.get(ident)
        where = _label(b if b is not None else a)
        if a is None or b is None:
            yield Change("added" if a is None else "removed", file, where, "decision")
            continue
        yield from _table_changes(file, where, a, b)


def _decisions(tree: Any) -> dict[str, Any]:
    if tree is None:
        return {}
    return {node.get("id", ""): node for node in tree.iter("{*}decision")}


def _table_changes(file: str, where: str, old: Any, new: Any) -> Iterator[Change]:
    table_a, table_b = old.find("{*}decisionTable"), new.find("{*}decisionTable")
    if table_a is None or table_b is None:
        return
    policy_a = table_a.get("hitPolicy") or "UNIQUE"
    policy_b = table_b.get("hitPolicy") or "UNIQUE"
    if policy_a != policy_b:
        yield Change("changed", file, where, "hit_policy", policy_a, policy_b)
    for tag in ("input", "output"):
        yield from _column_changes(file, where, tag, table_a, table_b)
    yield from _rule_changes(file, where, table_a, table_b)


def _column_changes(file: str, where: str, tag: str, old: Any, new: Any) -> Iterator[Change]:
    columns_a = {c.get("id", ""): _column(c) for c in old.iterchildren(f"{{*}}{tag}")}
    columns_b = {c.get("id", ""): _column(c) for c in new.iterchildren(f"{{*}}{tag}")}
    for ident in [*columns_a, *(i for i in columns_b if i not in columns_a)]:
        a, b = columns_a.get(ident), columns_b.get(ident)
        if a != b:
            kind = "added" if a is None else "removed" if b is None else "changed"
            yield Change(kind, file, where, tag, a or "", b or "")


def _column(node: Any) -> str:
    """An input as 'label: expression', an output as 'label: name'."""
    text = node.find("{*}inputExpression/{*}text")
    source = text.text if text is not None and text.text else node.get("name", "")
    label = node.get("label") or node.get("name") or node.get("id", "")
    return one_line(f"{label}: {source}", 80)


def _rule_changes(file: str, where: str, old: Any, new: Any) -> Iterator[Change]:
    rules_a = {r.get("id", ""): (n, _cells(r)) for n, r in enumerate(_rules(old), 1)}
    rules_b = {r.get("id", ""): (n, _cells(r)) for n, r in enumerate(_rules(new), 1)}
    for ident in [*rules_a, *(i for i in rules_b if i not in rules_a)]:
        a, b = rules_a.get(ident), rules_b.get(ident)
        if a is not None and b is not None and a[1] == b[1]:
            continue
        kind = "added" if a is None else "removed" if b is None else "changed"
        row = (b or a or (0, ""))[0]
        before, after = a[1] if a else "", b[1] if b else ""
        yield Change(kind, file, f"rule {row} of {where}", "rule", before, after)


def _rules(table: Any) -> list[Any]:
    return list(table.iterchildren("{*}rule"))


def _cells(rule: Any) -> str:
    """A rule as 'when cells → then cells', the way a row of the table reads."""
    when = [_cell(e) for e in rule.iterchildren("{*}inputEntry")]
    then = [_cell(e) for e in rule.iterchildren("{*}outputEntry")]
    return one_line(f"{' | '.join(when)} → {' | '.join(then)}", 120)


def _cell(entry: Any) -> str:
    text = entry.find("{*}text")
    return (text.text or "").strip() if text is not None else ""


def _label(node: Any) -> str:
    name = node.get("name")
    ident = node.get("id", "")
    return f"decision {ident} ({one_line(name, 40)})" if name else f"decision {ident}"


# ------------------------------------------------------------------ properties


def property_changes(file: str, old: Any, new: Any) -> Iterator[Change]:
    """Per element present in both versions: the properties the engine reads (``dueIn``,
    the form, the decision, the operator, scripts, conditions, timers)."""
    elements_a, elements_b = _elements(old), _elements(new)
    lanes_a, lanes_b = _lanes(old), _lanes(new)
    for ident in [*elements_a, *(i for i in elements_b if i not in elements_a)]:
        if ident not in elements_a or ident not in elements_b:
            continue  # added and removed elements are the visual diff's to show
        a = _engine_view(elements_a[ident], lanes_a.get(ident, ""))
        b = _engine_view(elements_b[ident], lanes_b.get(ident, ""))
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key, "") != b.get(key, ""):
                kind = "added" if key not in a else "removed" if key not in b else "changed"
                where = xmlsafe.describe(elements_b[ident])
                yield Change(kind, file, where, key, a.get(key, ""), b.get(key, ""))


def _elements(tree: Any) -> dict[str, Any]:
    if tree is None:
        return {}
    found: dict[str, Any] = {}
    for process in tree.iter(bpmn("process")):
        for node in process.iter():
            if isinstance(node.tag, str) and node.get("id") and node is not process:
                found.setdefault(node.get("id", ""), node)
    return found


def _lanes(tree: Any) -> dict[str, str]:
    """Flow node id -> the name of its lane (the role its tasks go to)."""
    if tree is None:
        return {}
    lanes: dict[str, str] = {}
    for ref in tree.iter(bpmn("flowNodeRef")):
        if ref.text and ref.text.strip():
            lanes[ref.text.strip()] = ref.getparent().get("name") or ref.getparent().get("id", "")
    return lanes


def _engine_view(node: Any, lane: str) -> dict[str, str]:
    """What the engine reads from one element, as text per key."""
    view: dict[str, str] = {}
    for prop in node.iterfind(
        f"{bpmn('extensionElements')}/{spiff('properties')}/{spiff('property')}"
    ):
        view[prop.get("name", "")] = prop.get("value", "")
    for tag in ("calledDecisionId", "preScript", "postScript"):
        found = node.find(f"{bpmn('extensionElements')}/{spiff(tag)}")
        if found is not None:
            view[tag] = one_line(found.text or "", 120)
    operator = node.find(f"{bpmn('extensionElements')}/{spiff('serviceTaskOperator')}")
    if operator is not None:
        view["operator"] = operator.get("id", "")
        view["resultVariable"] = operator.get("resultVariable", "")
        for param in operator.iter(spiff("parameter")):
            view[f"parameter {param.get('id', '')}"] = param.get("value", "")
    for tag in ("script", "conditionExpression"):
        found = node.find(bpmn(tag))
        if found is not None:
            view[tag] = one_line(found.text or "", 120)
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        found = node.find(f"{bpmn('timerEventDefinition')}/{bpmn(tag)}")
        if found is not None:
            view[tag] = one_line(found.text or "", 120)
    for attr in ("calledElement", "default", "attachedToRef"):
        if node.get(attr):
            view[attr] = node.get(attr, "")
    if lane:
        view["lane"] = lane
    return {key: value for key, value in view.items() if key}
