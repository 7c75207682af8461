"""Overlapping rules of a UNIQUE decision table, each shown by the values both match.

SpiffWorkflow returns the first matching rule of a UNIQUE table without checking that
no other rule matches (docs/modelling.md §7), so an overlap silently decides by row
order. Each cell is read as a set of values -- any (``-``), a literal, a comparison
(``< 18``, ``18 <= ? <= 35``), ``? in (...)``, ``!= x``, ``? not in (...)`` -- and two
rules overlap when every column's sets meet. A cell that names another variable or
calls something cannot be read this way and never counts as an overlap (the check
only reports what it can show with an example).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import xmlsafe
from ..errors import ModelError, one_line

MAX_OVERLAPS = 5  # per table; the rest are counted in the last message
_QUESTION = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")
_INPUT = "__fz_input__"
_ANY: Any = object()  # a witness for "any value"


class _Other(str):
    """A witness that is every value but some: '≠ 'a', 'b''."""


@dataclass(frozen=True)
class _Values:
    """The values a cell matches: ``points`` (or all but them, when ``negated``), or
    the numbers between ``lo`` and ``hi``; ``unknown`` when the cell cannot be read."""

    points: frozenset[Any] = frozenset()
    negated: bool = False
    lo: float = -math.inf
    hi: float = math.inf
    lo_in: bool = False
    hi_in: bool = False
    is_range: bool = False
    unknown: bool = False


ANY = _Values(negated=True)
UNKNOWN = _Values(unknown=True)


def overlap_problems(file: str, tree: Any) -> list[ModelError]:
    """One problem per pair of overlapping rules of each UNIQUE table (at most a few)."""
    problems: list[ModelError] = []
    for table in tree.iter("{*}decisionTable"):
        if (table.get("hitPolicy") or "UNIQUE").upper() != "UNIQUE":
            continue
        problems.extend(_table_overlaps(file, table))
    return problems


def _table_overlaps(file: str, table: Any) -> Iterator[ModelError]:
    inputs = [_column(node) for node in table.iterchildren("{*}input")]
    rules = [
        (
            rule,
            [
                parse_cell(_text(e), kind)
                for e, (_, kind) in zip(rule.iterchildren("{*}inputEntry"), inputs, strict=False)
            ],
        )
        for rule in table.iterchildren("{*}rule")
    ]
    found = 0
    for j, (rule, cells) in enumerate(rules):
        for i in range(j):
            witness = _overlap(rules[i][1], cells, [kind for _, kind in inputs])
            if witness is None:
                continue
            found += 1
            if found <= MAX_OVERLAPS:
                yield _problem(file, table, rules[i][0], rule, i + 1, j + 1, inputs, witness)
    if found > MAX_OVERLAPS:
        yield ModelError(
            f"… and {found - MAX_OVERLAPS} more pairs of overlapping rules in this table",
            file=file,
            line=table.sourceline,
            element=_table_label(table),
            code="dmn_more_overlaps",
            params={"count": found - MAX_OVERLAPS},
        )


def _problem(
    file: str,
    table: Any,
    first: Any,
    second: Any,
    row_a: int,
    row_b: int,
    inputs: list[tuple[str, str]],
    witness: list[Any],
) -> ModelError:
    example = ", ".join(
        f"{label} {value if isinstance(value, _Other) else '= ' + _show(value)}"
        for (label, _), value in zip(inputs, witness, strict=False)
        if value is not _ANY
    )
    when = f"when {example}" if example else "for every input"
    return ModelError(
        f"rules {row_a} and {row_b} of this UNIQUE table both match {when}; the "
        f"engine would silently take row {row_a}. Make the rules exclusive (repeat the "
        "deciding values in the later row) or, if the first match is meant, set the hit "
        "policy to FIRST",
        file=file,
        line=second.sourceline,
        element=f"rule {second.get('id', '')} (row {row_b}) of {_table_label(table)}",
        code="dmn_overlap",
        params={"row_a": row_a, "row_b": row_b, "example": example, "first": first.get("id", "")},
    )


def _table_label(table: Any) -> str:
    decision = table.getparent()
    return xmlsafe.describe(decision) if decision is not None else "decision table"


def _column(node: Any) -> tuple[str, str]:
    expression = node.find("{*}inputExpression")
    text = _text(expression) if expression is not None else ""
    kind = (expression.get("typeRef") or "").lower() if expression is not None else ""
    return one_line(node.get("label") or text or node.get("id", "?"), 40), kind


def _text(node: Any) -> str:
    found = node.find("{*}text")
    return (found.text or "").strip() if found is not None else ""


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


# ---------------------------------------------------------------- reading cells


def parse_cell(text: str, kind: str = "") -> _Values:
    """The values a DMN input cell matches (see the module's docstring)."""
    cell = text.strip()
    if not cell or cell == "-":
        return ANY
    literal = _literal(cell)
    if literal is not None:
        return _Values(points=frozenset([literal[0]]))
    replaced = _QUESTION.sub(_INPUT, cell)
    for candidate in (replaced, f"{_INPUT} {replaced}"):
        try:
            tree = ast.parse(candidate, mode="eval")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        return _test(tree.body)
    return UNKNOWN


def _literal(text: str) -> tuple[Any] | None:
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return None
    return (value,) if isinstance(value, (str, int, float, bool)) else None


def _test(node: ast.expr) -> _Values:
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And):
        result = ANY
        for value in node.values:
            result = _meet(result, _test(value), "") or _Values(points=frozenset())
        return result
    if not isinstance(node, ast.Compare):
        return UNKNOWN
    parts = [node.left, *node.comparators]
    result = ANY
    for left, op, right in zip(parts, node.ops, parts[1:], strict=False):
        values = _comparison(left, op, right)
        result = _meet(result, values, "") or _Values(points=frozenset())
    return result


def _is_input(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == _INPUT


def _constant(node: ast.expr) -> tuple[Any] | None:
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return None
    return (value,)


_FLIP = {ast.Lt: ast.Gt, ast.LtE: ast.GtE, ast.Gt: ast.Lt, ast.GtE: ast.LtE}


def _comparison(left: ast.expr, op: ast.cmpop, right: ast.expr) -> _Values:
    if _is_input(right) and not _is_input(left) and type(op) in _FLIP:
        left, right, op = right, left, _FLIP[type(op)]()
    if not _is_input(left):
        return UNKNOWN
    constant = _constant(right)
    if constant is None:
        return UNKNOWN
    value = constant[0]
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(value, (tuple, list, set, frozenset)):
            return UNKNOWN
        return _Values(points=frozenset(value), negated=isinstance(op, ast.NotIn))
    if isinstance(op, (ast.Eq, ast.NotEq)):
        return _Values(points=frozenset([value]), negated=isinstance(op, ast.NotEq))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return UNKNOWN
    if isinstance(op, (ast.Lt, ast.LtE)):
        return _Values(hi=value, hi_in=isinstance(op, ast.LtE), is_range=True)
    if isinstance(op, (ast.Gt, ast.GtE)):
        return _Values(lo=value, lo_in=isinstance(op, ast.GtE), is_range=True)
    return UNKNOWN


# ------------------------------------------------------------------ meeting


def _overlap(a: list[_Values], b: list[_Values], kinds: list[str]) -> list[Any] | None:
    """Values both rows match, one per column, or None if they cannot both match."""
    witness: list[Any] = []
    for x, y, kind in zip(a, b, kinds, strict=False):
        met = _meet(x, y, kind)
        if met is None or met.unknown:
            return None
        value = _pick(met, kind)
        if value is None:
            return None
        witness.append(value)
    return witness


def _meet(x: _Values, y: _Values, kind: str) -> _Values | None:
    """The values both match (None when none); ``unknown`` when it cannot be told."""
    if x.unknown or y.unknown:
        return UNKNOWN
    if x.is_range and y.is_range:
        lo, lo_in = max((x.lo, not x.lo_in), (y.lo, not y.lo_in))
        hi, hi_in = min((x.hi, x.hi_in), (y.hi, y.hi_in))
        return _Values(
            lo=lo, lo_in=not lo_in, hi=hi, hi_in=hi_in, is_range=True, points=x.points | y.points
        )
    if x.is_range or y.is_range:
        ranged, other = (x, y) if x.is_range else (y, x)
        if other.negated:
            return _Values(
                lo=ranged.lo,
                lo_in=ranged.lo_in,
                hi=ranged.hi,
                hi_in=ranged.hi_in,
                is_range=True,
                points=other.points,
            )
        inside = frozenset(p for p in other.points if _in_range(ranged, p))
        return _Values(points=inside) if inside else None
    if not x.negated and not y.negated:
        common = x.points & y.points
        return _Values(points=common) if common else None
    if x.negated and y.negated:
        return _Values(points=x.points | y.points, negated=True)
    positive, negative = (x, y) if not x.negated else (y, x)
    left = positive.points - negative.points
    return _Values(points=left) if left else None


def _in_range(values: _Values, point: Any) -> bool:
    if isinstance(point, bool) or not isinstance(point, (int, float)):
        return False
    above = point > values.lo or (values.lo_in and point == values.lo)
    below = point < values.hi or (values.hi_in and point == values.hi)
    return above and below


def _pick(values: _Values, kind: str) -> Any:
    """One value of the set (``_ANY`` for any value at all), or None when it is empty."""
    if values.is_range:
        return _pick_number(values, integer=kind in ("integer", "long", "int"))
    if not values.negated:
        return min(values.points, key=repr) if values.points else None
    if kind == "boolean":
        left = [b for b in (True, False) if b not in values.points]
        return left[0] if left else None
    return (
        _ANY if not values.points else _Other("≠ " + ", ".join(sorted(map(_show, values.points))))
    )


def _pick_number(values: _Values, *, integer: bool) -> Any:
    lo, hi = values.lo, values.hi
    if lo > hi or (lo == hi and not (values.lo_in and values.hi_in)):
        return None
    candidates: list[float] = []
    if integer or math.isinf(lo) or math.isinf(hi):
        start = (
            math.floor(lo)
            if not math.isinf(lo)
            else (math.floor(hi) - 1 if not math.isinf(hi) else 0)
        )
        candidates = [start + step for step in range(0, 3)]
        if not math.isinf(hi):
            candidates += [math.floor(hi), math.floor(hi) - 1]
    else:
        candidates = [lo, hi, (lo + hi) / 2]
    for candidate in candidates:
        if candidate in values.points:
            continue
        if _in_range(values, candidate) and (not integer or float(candidate).is_integer()):
            return int(candidate) if float(candidate).is_integer() else candidate
    return None
