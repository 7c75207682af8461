"""Expressions too simple to need a worker process, proven so by their shape.

A commendation approval evaluates four expressions: ``decision == 'approve'``, two
look-ups in a literal table (``{'unit': '单位', 'city': '市级'}[commendation_level]``)
and a sentence (``'...第十七条...：' + commendation_deeds``). Each was a round trip to a
sandbox worker (``pooled.py``). An expression whose syntax tree uses only the shapes
below cannot run long, allocate much or reach anything outside its data, so it is
evaluated here:

- constants (text, numbers, True/False/None) and names of the task's data whose value
  is one of those (never a list or a dict: comparing or hashing nested values is where
  a C-level operation can run for ever, so those go to the worker);
- ``==`` and ``!=``, ``and``, ``or``, ``not``;
- ``+`` of two texts, building at most ``MAX_TEXT`` characters;
- a literal table of constants subscripted by one of the above.

At most ``MAX_NODES`` nodes, so its time is bounded by its data's length; and only what
the worker's compile-time policy accepts (``policy.check_expression``). Anything
else, and any expression that fails here (an unknown name, a key the table lacks), is
sent to the worker as before, so its value or its error is the worker's: this module
answers only when plain Python and the restricted environment cannot differ.
"""

from __future__ import annotations

import ast
import math
from functools import lru_cache
from typing import Any

from ..errors import ScriptRefused
from .policy import check_expression

MAX_NODES = 64
MAX_TEXT = 10_000
# Longer sources are the worker's without being parsed here: parsing itself is work done
# in the engine's process, and no expression of MAX_NODES nodes needs more.
MAX_SOURCE = 2_000

_SCALARS = (str, int, float, bool, type(None))
_STRUCTURE = (ast.Expression, ast.Load, ast.And, ast.Or, ast.Not, ast.Eq, ast.NotEq, ast.Add)


class NotTrivial(Exception):
    """The expression is the worker's to evaluate."""


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    """The value of ``expression`` over ``context``, or ``NotTrivial``."""
    node = _shape(expression)
    if node is None:
        raise NotTrivial
    try:
        value = _value(node, context)
    except (KeyError, TypeError, RecursionError):
        raise NotTrivial from None
    if not _scalar(value):
        raise NotTrivial
    return value


@lru_cache(maxsize=2048)
def _shape(expression: str) -> ast.expr | None:
    """The expression's body when every node is one of the allowed shapes, else None."""
    if len(expression) > MAX_SOURCE:
        return None
    try:
        tree = ast.parse(expression, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES or not all(_allowed(node) for node in nodes):
        return None
    try:
        # Only what the worker's own policy would compile (a name it reserves, say).
        check_expression(expression)
    except ScriptRefused:
        return None
    return tree.body


def _allowed(node: ast.AST) -> bool:
    if isinstance(node, _STRUCTURE):
        return True
    if isinstance(node, ast.Constant):
        return _scalar(node.value)
    if isinstance(node, ast.Name):
        return not node.id.startswith("_")
    if isinstance(node, ast.Compare):
        return all(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
    if isinstance(node, ast.BoolOp | ast.UnaryOp | ast.BinOp):
        return isinstance(node.op, ast.And | ast.Or | ast.Not | ast.Add)
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Dict)
    if isinstance(node, ast.Dict):
        return all(isinstance(k, ast.Constant) for k in node.keys) and all(
            isinstance(v, ast.Constant) for v in node.values
        )
    return False


def _scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, _SCALARS)


def _value(node: ast.expr, context: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        value = context[node.id]  # KeyError: the worker looks further (helpers, external)
        if not _scalar(value):
            raise NotTrivial
        return value
    if isinstance(node, ast.Compare):
        return _compare(node, context)
    if isinstance(node, ast.BoolOp):
        return _bool_op(node, context)
    if isinstance(node, ast.UnaryOp):
        return not _value(node.operand, context)
    if isinstance(node, ast.BinOp):
        return _concatenate(_value(node.left, context), _value(node.right, context))
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        table = {_value(k, context): _value(v, context) for k, v in _pairs(node.value)}
        return table[_value(node.slice, context)]
    raise NotTrivial


def _pairs(table: ast.Dict) -> list[tuple[ast.expr, ast.expr]]:
    return [(key, value) for key, value in zip(table.keys, table.values, strict=True) if key]


def _compare(node: ast.Compare, context: dict[str, Any]) -> bool:
    left = _value(node.left, context)
    for op, comparator in zip(node.ops, node.comparators, strict=True):
        right = _value(comparator, context)
        if (left == right) != isinstance(op, ast.Eq):
            return False
        left = right
    return True


def _bool_op(node: ast.BoolOp, context: dict[str, Any]) -> Any:
    value: Any = None
    for operand in node.values:
        value = _value(operand, context)
        if bool(value) != isinstance(node.op, ast.And):
            return value
    return value


def _concatenate(left: Any, right: Any) -> str:
    if not (isinstance(left, str) and isinstance(right, str)):
        raise NotTrivial  # numbers, or a text and a number (the worker's error message)
    if len(left) + len(right) > MAX_TEXT:
        raise NotTrivial
    return left + right
