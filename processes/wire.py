"""What travels between the engine and a sandbox worker process (``pool.py``, ``worker.py``).

Frames are a 4-byte big-endian length and a body. Requests (engine to worker) are
pickled: the worker trusts the engine. Replies (worker to engine) are JSON, read with
bounds, because the worker runs a designer's code and is trusted with nothing: a reply
over :data:`MAX_REPLY` bytes, nested too deeply or not JSON ends the worker.

A value a worker gives back (what an expression evaluated to) keeps the Python shape
the engine expects: tuples, sets and dicts with non-text keys travel as small tagged
objects (``{"\\u0000t": [...]}``; no stored text can hold a NUL, so no task data looks
like a tag).
"""

from __future__ import annotations

import json
import math
import pickle
import struct
from collections.abc import Callable
from typing import Any, Final

HEADER: Final = struct.Struct(">I")
MAX_REPLY: Final = 64 * 1024 * 1024  # bytes; a script writes back at most 5 M values+chars
MAX_VALUE_SIZE: Final = 5_000_000  # values and characters of one value given back
MAX_VALUE_DEPTH: Final = 100

_TUPLE: Final = "\x00t"
_SET: Final = "\x00s"
_PAIRS: Final = "\x00d"


class WireError(Exception):
    """A frame or value that cannot travel (too large, not encodable, malformed)."""


def frame(payload: bytes) -> bytes:
    return HEADER.pack(len(payload)) + payload


def encode_request(request: dict[str, Any]) -> bytes:
    return frame(pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL))


def decode_request(body: bytes) -> Any:
    return pickle.loads(body)  # noqa: S301 - written by the engine that started this worker


def encode_reply(reply: dict[str, Any]) -> bytes:
    text = json.dumps(reply, ensure_ascii=False, separators=(",", ":"))
    return frame(text.encode("utf-8", "surrogatepass"))


def decode_reply(body: bytes) -> Any:
    """A worker's reply; :class:`WireError` for anything that is not one."""
    try:
        return json.loads(body.decode("utf-8", "surrogatepass"), object_hook=_untag)
    except (ValueError, TypeError, RecursionError, UnicodeDecodeError) as exc:
        raise WireError(f"the sandbox worker sent a reply that cannot be read ({exc})") from None


def _untag(item: dict[str, Any]) -> Any:
    if len(item) == 1:
        if _TUPLE in item:
            return tuple(item[_TUPLE])
        if _SET in item:
            return set(item[_SET])
        if _PAIRS in item:
            return {_hashable(key): value for key, value in item[_PAIRS]}
    return item


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


class _Tagger:
    """A value as JSON-able data, tagged where JSON has no shape for it; bounded."""

    def __init__(self, describe: Callable[[Any], str]) -> None:
        self.left = MAX_VALUE_SIZE
        self.open: set[int] = set()
        self.describe = describe

    def tag(self, value: Any, depth: int = 0) -> Any:
        kind = type(value)
        self.left -= 1 + (len(value) if kind is str else 0)
        if self.left < 0:
            raise WireError(f"a value of more than {MAX_VALUE_SIZE:,} elements and characters")
        if value is None or kind in (bool, int, str):
            return value
        if kind is float:
            if not math.isfinite(value):
                raise WireError("NaN or infinity")
            return value
        if isinstance(value, dict):  # OrderedDict too: a decision table's outputs
            kind = dict
        elif kind not in (list, tuple, set, frozenset):
            raise WireError(self.describe(value))
        if depth >= MAX_VALUE_DEPTH or id(value) in self.open:
            raise WireError("a structure nested too deeply or holding itself")
        self.open.add(id(value))
        try:
            if kind is dict:
                if all(type(key) is str for key in value):
                    return {key: self.tag(item, depth + 1) for key, item in value.items()}
                pairs = [[self.tag(k, depth + 1), self.tag(v, depth + 1)] for k, v in value.items()]
                return {_PAIRS: pairs}
            items = [self.tag(item, depth + 1) for item in value]
            if kind is list:
                return items
            return {_TUPLE: items} if kind is tuple else {_SET: items}
        finally:
            self.open.discard(id(value))


def tag(value: Any, describe: Callable[[Any], str] | None = None) -> Any:
    """``value`` as data a reply can carry; :class:`WireError` when it cannot travel
    (``describe`` names a value that cannot: 'a function (len)')."""
    return _Tagger(describe or (lambda v: f"a {type(v).__name__} value")).tag(value)
