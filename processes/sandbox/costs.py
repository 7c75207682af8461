"""What a single operation may cost, checked before the operation runs.

Some operations run in one C call that no trace event interrupts, so the run's deadline
cannot stop them midway: modular exponentiation and division of huge integers, building
a set or dict whose keys all hash alike (each insertion walks all the others), turning a
structure that shares itself into text, unpacking or joining what doubles each time. The
guards in ``guards.py`` and the bounded builtins in ``safe_builtins.py`` call these first.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import ItemsView, KeysView
from typing import Any, Final

from .limits import (
    MAX_OPERAND_BITS,
    MAX_POW_COST,
    MAX_SAME_HASH,
    MAX_SEQUENCE_LENGTH,
    LimitExceeded,
    check_int_bits,
    check_size,
)

VIEWS: Final = (KeysView, ItemsView)
HASHED: Final = (set, frozenset, dict, KeysView, ItemsView)


def _is_int(value: object) -> bool:
    return isinstance(value, int)


# ------------------------------------------------------------------ integers


def check_operands(*values: Any) -> None:
    """Refuse //, %, divmod or pow on an integer too large for its cost to be bounded."""
    for value in values:
        if _is_int(value) and value.bit_length() > MAX_OPERAND_BITS:
            raise LimitExceeded(
                f"exceeded the size limit (an integer of {value.bit_length():,} bits in "
                f"arithmetic; at most {MAX_OPERAND_BITS:,})"
            )


def guard_pow(a: Any, b: Any, modulo: Any = None) -> None:
    """Refuse ``a ** b`` whose result would be too large, and ``pow(a, b, m)`` that would
    run too long (shared with the ``pow`` builtin)."""
    check_operands(a, b, modulo)
    if modulo is None and _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1:
        check_int_bits(int(math.log2(abs(a)) * b) + 1)
    elif _is_int(modulo) and _is_int(b) and b > 0:
        cost = b.bit_length() * max(modulo.bit_length(), 64) ** 2
        if cost > MAX_POW_COST:
            raise LimitExceeded(
                f"exceeded the time limit (pow with a {b.bit_length():,}-bit exponent modulo "
                f"a {modulo.bit_length():,}-bit number)"
            )


def guard_divide(a: Any, b: Any) -> None:
    check_operands(a, b)


# ---------------------------------------------------------- hashing and rendering


def check_hash_spread(items: Any) -> Any:
    """``items`` (materialised if it was an iterator), refused if more than
    ``MAX_SAME_HASH`` distinct values among them hash alike: a set or dict built from them
    in one C call would compare each with all the others, a quadratic loop no trace event
    interrupts (``{*range(0, 10**6 * (2**61 - 1), 2**61 - 1)}``: about 3 hours)."""
    if not isinstance(items, (list, tuple, str, dict, set, frozenset, KeysView, ItemsView)):
        items = list(items)
    if len(items) <= MAX_SAME_HASH or isinstance(items, (str, set, frozenset, dict, KeysView)):
        return items  # few, or already hashed (building them was checked or traced)
    try:
        counts = Counter(map(hash, items))
    except TypeError:
        return items  # unhashable: the operation itself says so
    common, count = counts.most_common(1)[0]
    if count > MAX_SAME_HASH:
        alike = [item for item in items if hash(item) == common]
        if any(item != alike[0] for item in alike):
            raise LimitExceeded(
                f"exceeded the time limit ({count:,} values that hash alike in one set or "
                f"dict; at most {MAX_SAME_HASH:,})"
            )
    return items


def check_render_size(value: Any) -> None:
    """Refuse to turn ``value`` into text if the text would be too long: a list that holds
    itself twice, 30 times over, is small in memory and a billion elements as text."""
    budget = MAX_SEQUENCE_LENGTH
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (str, bytes)):
            budget -= len(item)
        elif isinstance(item, dict):
            budget -= len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            budget -= len(item)
            stack.extend(item)
        else:
            budget -= 1
        if budget < 0:
            raise LimitExceeded(
                f"exceeded the size limit (a text of more than {MAX_SEQUENCE_LENGTH:,} "
                "characters or elements)"
            )


def star(items: Any) -> Any:
    """``*items`` in a display or a call: sized and charged before it is unpacked."""
    if not hasattr(items, "__len__"):
        items = list(items)
    check_size(len(items), "an unpacked sequence")
    return items


def make_set(items: list[Any]) -> set[Any]:
    """``{a, *b}``: the policy turns a set display that unpacks into this call."""
    return set(check_hash_spread(items))


def format_value(value: Any) -> Any:
    """Each ``{value}`` of an f-string, before it is turned into text."""
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        check_render_size(value)
    return value


def join_fstring(parts: tuple[str, ...]) -> str:
    """An f-string's pieces, joined once their total length is known to be bounded."""
    check_size(sum(len(part) for part in parts), "an f-string")
    return "".join(parts)


def guard_bitop(a: Any, b: Any) -> None:
    if isinstance(a, (dict, set, *VIEWS)) and not isinstance(b, HASHED):
        check_hash_spread(b)


def pair_keys(pairs: Any) -> list[Any]:
    """The keys of ``dict(pairs)``: the first of each two-item pair."""
    return [p[0] for p in pairs if isinstance(p, (list, tuple)) and len(p) == 2]
