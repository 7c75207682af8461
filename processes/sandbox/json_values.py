"""What a script may leave in the task data: JSON values only, bounded in size and depth.

A script's namespace can hold sets, lambdas, cycles or shared references that would
explode when serialised (``[['x' * 10**6] * 10**6]``); :class:`JsonCheck` converts what it
left behind to plain JSON data or says, by variable path, why it cannot.
"""

from __future__ import annotations

import math
from typing import Any, Final

from ..jsonsafe import text_problem
from .guards import describe
from .limits import MAX_INT_BITS, MAX_JSON_DEPTH, MAX_JSON_SIZE


class NotJson(Exception):
    """A value a script left behind is not JSON data; ``path`` names where it is."""

    def __init__(self, path: str, what: str) -> None:
        super().__init__(path, what)
        self.path = path
        self.what = what


_JSON_SCALARS: Final = frozenset({str, int, float, bool})


class JsonCheck:
    """Converts what a script left behind to JSON data (tuples become lists).

    Raises :class:`NotJson` for anything else, for cycles, and past a total size:
    ``[['x' * 10**6] * 10**6]`` is small in memory (shared references) but would be
    a terabyte of JSON.
    """

    def __init__(self) -> None:
        self.size_left = MAX_JSON_SIZE
        self.seen: set[int] = set()

    def _charge(self, size: int, path: str) -> None:
        self.size_left -= size
        if self.size_left < 0:
            raise NotJson(path, f"more than {MAX_JSON_SIZE} values and characters of data")

    def text(self, text: str, path: str) -> str:
        """Text a database column and the history's hash can hold (no NUL, no lone surrogate)."""
        self._charge(1 + len(text), path)
        if not text.isascii() or "\x00" in text:
            problem = text_problem(text)
            if problem:
                raise NotJson(path, f"text holding {problem}")
        return text

    def value(self, value: Any, path: str, depth: int = 0) -> Any:
        kind = type(value)
        if kind is str:
            return self.text(value, path)
        self._charge(1, path)
        if value is None or kind is bool:
            return value
        if kind is int:
            if value.bit_length() > MAX_INT_BITS:
                raise NotJson(path, "an integer too large for JSON")
            return value
        if kind is float:
            if not math.isfinite(value):
                raise NotJson(path, "NaN or infinity")
            return value
        if kind not in (dict, list, tuple):
            raise NotJson(path, describe(value))
        if depth >= MAX_JSON_DEPTH:
            raise NotJson(path, f"data nested more than {MAX_JSON_DEPTH} levels deep")
        if id(value) in self.seen:
            raise NotJson(path, "a structure that contains itself")
        self.seen.add(id(value))
        try:
            if kind is dict:
                out: dict[str, Any] = {}
                for key, item in value.items():
                    if type(key) is not str:
                        raise NotJson(path, f"a dict key {key!r} that is not a string")
                    self.text(key, path)
                    out[key] = self.value(item, f"{path}[{key!r}]", depth + 1)
                return out
            items: list[Any] = []
            for i, item in enumerate(value):
                if type(item) is str:
                    items.append(self.text(item, f"{path}[{i}]"))
                elif item is None or type(item) in _JSON_SCALARS:
                    self._charge(1, path)
                    items.append(item)  # fast path; floats and ints still checked below
                    if type(item) is float and not math.isfinite(item):
                        raise NotJson(f"{path}[{i}]", "NaN or infinity")
                    if type(item) is int and item.bit_length() > MAX_INT_BITS:
                        raise NotJson(f"{path}[{i}]", "an integer too large for JSON")
                else:
                    items.append(self.value(item, f"{path}[{i}]", depth + 1))
            return items
        finally:
            self.seen.discard(id(value))


def same(a: Any, b: Any, depth: int = 0) -> bool:
    """Strict structural equality (``1 == True`` is not the same), cycle-safe."""
    if a is b:
        return True
    if type(a) is not type(b) or depth > MAX_JSON_DEPTH:
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], depth + 1) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, depth + 1) for x, y in zip(a, b, strict=True))
    if isinstance(a, (str, int, float, bool)) or a is None:
        return bool(a == b)
    return False
