"""The one way untrusted JSON is read: bounded in size and depth, UTF-8, storable text.

``json.loads`` recurses in C once per level of nesting: about 1,000 levels (2 KB of
``[``) raise ``RecursionError``, and anything a little shallower parses and then breaks
the next recursive reader (a JSON Schema validator, a deep copy, a hash). Its strings may
also hold what no database or hash can store: a lone surrogate (``"\\ud800"``) cannot be
encoded as UTF-8, and PostgreSQL's ``jsonb`` refuses ``\\u0000``. Every request body and
every form schema is read here, so each of those is refused with a reason instead of
failing later, halfway through a step.

The walk after parsing is iterative (an explicit stack), so checking depth never meets
the recursion limit itself; it is linear in the size of the value.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

MAX_DEPTH: Final = 32  # arrays and objects inside each other; forms need 3 or 4
MAX_BYTES: Final = 2_621_440  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, the default body cap

# Code points no UTF-8 encoder, hash or PostgreSQL text column accepts. A valid
# surrogate pair in the JSON text decodes to one astral character, so any surrogate left
# in a decoded string is a lone one.
_UNSTORABLE: Final = re.compile("[\x00\ud800-\udfff]")


class JsonRefused(ValueError):
    """Untrusted JSON was not read. ``reason`` says why in one word a caller can translate:
    ``too_large``, ``encoding``, ``syntax``, ``too_deep``, ``surrogate`` or ``nul``."""

    def __init__(self, reason: str, message: str, *, line: int | None = None) -> None:
        self.reason = reason
        self.line = line  # where a syntax error is, when the parser says
        super().__init__(message)


def load_json(
    data: bytes | str,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    allow_nul: bool = False,
) -> Any:
    """The value of untrusted JSON text, or :class:`JsonRefused` saying what is wrong.

    Bytes must be UTF-8 (RFC 8259: JSON exchanged between systems is UTF-8; a leading
    byte-order mark is allowed and dropped). ``allow_nul`` lets NUL characters through
    for a caller that refuses them itself with a more precise message.
    """
    if len(data) > max_bytes:
        raise JsonRefused("too_large", f"the JSON is over {max_bytes:,} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JsonRefused("encoding", "the JSON is not UTF-8 text") from None
    else:
        text = data
    try:
        value = json.loads(text)
    except RecursionError:
        raise JsonRefused("too_deep", f"the JSON is nested more than {max_depth} deep") from None
    except json.JSONDecodeError as exc:
        raise JsonRefused(
            "syntax", f"the JSON is not valid: {exc.msg} (line {exc.lineno})", line=exc.lineno
        ) from None
    except ValueError as exc:  # e.g. an integer longer than Python's 4,300-digit limit
        raise JsonRefused("syntax", f"the JSON is not valid: {exc}") from None
    check_value(value, max_depth=max_depth, allow_nul=allow_nul)
    return value


def check_value(value: Any, *, max_depth: int = MAX_DEPTH, allow_nul: bool = False) -> None:
    """Refuse a decoded value nested deeper than ``max_depth`` or holding unstorable text."""
    check = _check_text_with_nul if allow_nul else _check_text
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            check(item)
        elif isinstance(item, (dict, list)):
            if depth >= max_depth:
                raise JsonRefused("too_deep", f"the JSON is nested more than {max_depth} deep")
            if isinstance(item, dict):
                for key, child in item.items():
                    check(key)
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)


def _check_text(text: str) -> None:
    if text.isascii() and "\x00" not in text:
        return
    found = _UNSTORABLE.search(text)
    if found is None:
        return
    if found.group() == "\x00":
        raise JsonRefused("nul", "the JSON holds a NUL character (\\u0000) in its text")
    raise JsonRefused(
        "surrogate",
        f"the JSON holds a lone surrogate (\\u{ord(found.group()):04x}), which is not a character",
    )


def _check_text_with_nul(text: str) -> None:
    if not text.isascii():
        _check_text(text.replace("\x00", ""))


def text_problem(text: str) -> str:
    """'' when ``text`` can be stored and hashed, else what is wrong with it."""
    try:
        _check_text(text)
    except JsonRefused as exc:
        return "a NUL character" if exc.reason == "nul" else "a lone surrogate"
    return ""
