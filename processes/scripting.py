"""Restricted evaluation of everything a BPMN/DMN model asks the engine to run.

SpiffWorkflow's default ``PythonScriptEngine`` calls ``exec``/``eval`` with the full
builtins, so an uploaded model could run ``os.system``. Every script task, pre/post
script, gateway condition, timer expression, DMN cell, multi-instance expression and
service-task parameter goes through an *environment* object; this module supplies one
that compiles with RestrictedPython and runs with a curated namespace.

What a script may use: the JSON values of the task data, the plain functions in
:data:`HELPERS`, the ordinary exception classes, and the methods of data values
(``'abc'.upper()``, ``d.get('k')``, ``l.append(2)``). What it may not: ``import``,
names or attributes starting with ``_``, ``open``/``eval``/``exec``/``getattr``/``type``
and friends, attributes of functions, classes or modules, class definitions, ``with``,
``try/finally`` and bare ``except:`` (those last two could swallow the time limit).

Bounded:

* run time -- a ``sys.settrace`` hook counts trace events (calls, lines, loop
  iterations, including those of comprehensions and of functions the script defines)
  and checks a wall-clock deadline on every event. The stop is a ``BaseException`` the
  script cannot catch (no bare ``except``, no ``finally``, no ``BaseException`` name).
  It works in any thread; no signals.
* call depth of functions the script defines (so the tracer itself never meets
  ``RecursionError``, which would silently switch it off).
* size of every ``*``, ``+``, ``**`` and ``<<`` result, %-format widths, f-string
  format widths, ``range`` and the other list-building helpers, and the results of
  ``str.ljust/rjust/center/zfill/expandtabs/replace/join/translate``, ``int.to_bytes``
  and ``list.extend``; plus a
  cumulative budget over all of those (``MAX_TOTAL_SIZE``), so ``'a' * 10**10`` or
  ``[0] * 10**9`` fail at once with :class:`ScriptFailed` instead of allocating
  gigabytes.
* what a script writes back: JSON only, at most ``MAX_JSON_SIZE`` values+characters
  (shared references such as ``[['x' * 10**6] * 10**6]`` would otherwise explode when
  serialised), nested at most ``MAX_JSON_DEPTH`` deep, no cycles.

Not bounded except by the time limit, which is checked only between trace events:

* a single long-running C call (e.g. ``sorted`` of a million-element list) is not
  interrupted midway; the deadline is checked when it returns.
* memory. Besides element-by-element growth, some doubling routes are not guarded:
  f-strings and %-arguments (``s = f'{s}{s}'``), star-unpacking (``a = [*a, *a]``),
  ``str()`` of a container, list slice assignment, ``list()``/``dict()`` of a large
  value. About 30 doublings exhaust memory well before the time limit, so run workers
  with an address-space limit (``RLIMIT_AS``/cgroup memory limit) as the last line of
  defence.
"""

from __future__ import annotations

import ast
import copy
import json
import math
import operator
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from types import (
    BuiltinFunctionType,
    CodeType,
    FrameType,
    FunctionType,
    GeneratorType,
    MethodType,
    ModuleType,
    TracebackType,
)
from typing import Any, Final, Literal

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import INSPECT_ATTRIBUTES, RestrictingNodeTransformer
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from processes.errors import ProcessError, ScriptFailed, ScriptRefused

__all__ = [
    "DEFAULT_MAX_STEPS",
    "DEFAULT_TIME_LIMIT",
    "FORBIDDEN_NAMES",
    "HELPERS",
    "MAX_SEQUENCE_LENGTH",
    "RestrictedEnvironment",
    "RestrictedScriptEngine",
    "ServiceCaller",
    "add_days",
    "age_on",
    "check_expression",
    "check_script",
    "days_between",
    "parse_date",
    "today",
]

# --------------------------------------------------------------------------- limits

DEFAULT_TIME_LIMIT: Final = 2.0  # seconds of wall time per script or expression
DEFAULT_MAX_STEPS: Final = 2_000_000  # trace events per script or expression
MAX_CALL_DEPTH: Final = 100  # nested calls of functions the script defines
MAX_SEQUENCE_LENGTH: Final = 1_000_000  # elements/characters of any one guarded result
MAX_TOTAL_SIZE: Final = 10_000_000  # sum of guarded result sizes over one run
MAX_INT_BITS: Final = 10_000  # ~3000 digits: stays printable and JSON-serialisable
MAX_FORMAT_WIDTH: Final = 10_000  # width/precision in %-formatting and f-strings
MAX_JSON_DEPTH: Final = 100
MAX_JSON_SIZE: Final = 5_000_000  # values + characters a script may write back per run

SCRIPT_FILENAME: Final = "<bpmn-script>"

# Names a script may not use. Calls to them are refused at compile time; any other use
# is refused when the name turns out to be unbound at run time (data may shadow them).
FORBIDDEN_NAMES: Final = frozenset(
    {
        "__import__",
        "__build_class__",
        "aiter",
        "anext",
        "breakpoint",
        "bytearray",
        "bytes",
        "callable",
        "classmethod",
        "compile",
        "copyright",
        "credits",
        "delattr",
        "dir",
        "eval",
        "exec",
        "exit",
        "format",
        "getattr",
        "globals",
        "hasattr",
        "help",
        "id",
        "input",
        "issubclass",
        "iter",
        "license",
        "locals",
        "memoryview",
        "next",
        "object",
        "open",
        "property",
        "quit",
        "reload",
        "setattr",
        "staticmethod",
        "super",
        "type",
        "vars",
    }
)

ServiceCaller = Callable[[Any, str, dict[str, Any]], Any]


class _Refusal(BaseException):
    """Raised by a runtime guard. A BaseException so scripts cannot catch it."""


class _LimitExceeded(BaseException):
    """Raised when a run exceeds its time or size bounds. Uncatchable by scripts."""


class _NotJson(Exception):
    def __init__(self, path: str, what: str) -> None:
        super().__init__(path, what)
        self.path = path
        self.what = what


# --------------------------------------------------------------------- run state


class _Run:
    """Bounds for one script or expression run; its ``trace`` is the ``sys.settrace`` hook."""

    __slots__ = (
        "active",
        "deadline",
        "depth",
        "line",
        "max_steps",
        "size_left",
        "steps",
        "time_limit",
    )

    def __init__(self, time_limit: float, max_steps: int) -> None:
        self.time_limit = time_limit
        self.max_steps = max_steps
        self.deadline = time.monotonic() + time_limit
        self.steps = 0
        self.depth = 0
        self.size_left = MAX_TOTAL_SIZE
        self.line: int | None = None  # last script line reported to the tracer
        self.active = True

    def charge(self, size: int) -> None:
        self.size_left -= size
        if self.size_left < 0:
            raise _LimitExceeded(
                f"exceeded the size limit (more than {MAX_TOTAL_SIZE} elements built)"
            )

    def tick(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise _LimitExceeded(f"exceeded the time limit (more than {self.max_steps} steps)")
        if time.monotonic() > self.deadline:
            raise _LimitExceeded(f"exceeded the time limit ({self.time_limit:g} s)")

    def trace(self, frame: FrameType, event: str, arg: Any) -> Any:
        """Global trace function: called for every new frame in this thread."""
        if not self.active:
            return None
        self.tick()
        if frame.f_code.co_filename != SCRIPT_FILENAME:
            return None  # helpers and guards: counted, not traced line by line
        self.depth += 1
        if self.depth > MAX_CALL_DEPTH:
            raise _LimitExceeded(f"calls nested more than {MAX_CALL_DEPTH} deep")
        return self._trace_local

    def _trace_local(self, frame: FrameType, event: str, arg: Any) -> Any:
        if not self.active:
            return None
        if event == "return":
            self.depth -= 1
            return None
        if event == "line":
            self.line = frame.f_lineno
        self.tick()
        return self._trace_local


_state = threading.local()


def _current_run() -> _Run | None:
    run: _Run | None = getattr(_state, "run", None)
    return run


def _loop() -> None:
    run = _current_run()
    if run is not None:
        run.tick()


def _check_size(size: int, what: str) -> None:
    if size > MAX_SEQUENCE_LENGTH:
        raise _LimitExceeded(
            f"exceeded the size limit ({what} of {size} elements; at most {MAX_SEQUENCE_LENGTH})"
        )
    run = _current_run()
    if run is not None:
        run.charge(size)


def _check_int_bits(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise _LimitExceeded(
            f"exceeded the size limit (an integer of more than {MAX_INT_BITS} bits)"
        )


_SEQUENCES: Final = (str, bytes, list, tuple)


def _is_int(value: object) -> bool:
    return isinstance(value, int)


# -------------------------------------------------------------- operator guards


def _guard_mul(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and _is_int(b):
        _check_size(len(a) * max(b, 0), "a repeated sequence")
    elif isinstance(b, _SEQUENCES) and _is_int(a):
        _check_size(len(b) * max(a, 0), "a repeated sequence")
    elif _is_int(a) and _is_int(b):
        _check_int_bits(abs(a).bit_length() + abs(b).bit_length())


def _guard_add(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _check_size(len(a) + len(b), "a concatenation")


def _guard_pow(a: Any, b: Any, modulo: Any = None) -> None:
    if modulo is None and _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1:
        _check_int_bits(abs(a).bit_length() * b)


def _guard_lshift(a: Any, b: Any) -> None:
    if _is_int(a) and _is_int(b) and a != 0 and b > 0:
        _check_int_bits(abs(a).bit_length() + b)


_PERCENT_SPEC: Final = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_format_widths(spec: str) -> None:
    for match in _PERCENT_SPEC.finditer(spec):
        for group in match.groups():
            if group == "*":
                raise _Refusal("'*' widths in %-formatting are not allowed")
            if group is not None and int(group) > MAX_FORMAT_WIDTH:
                raise _LimitExceeded(
                    f"exceeded the size limit (format width {group}; at most {MAX_FORMAT_WIDTH})"
                )


def _guard_mod(a: Any, b: Any) -> None:
    if isinstance(a, str):
        _check_format_widths(a)
    elif isinstance(a, bytes):
        _check_format_widths(a.decode("latin-1"))


def _mul(a: Any, b: Any) -> Any:
    _guard_mul(a, b)
    return a * b


def _add(a: Any, b: Any) -> Any:
    _guard_add(a, b)
    return a + b


def _pow(a: Any, b: Any) -> Any:
    _guard_pow(a, b)
    return a**b


def _lshift(a: Any, b: Any) -> Any:
    _guard_lshift(a, b)
    return a << b


def _mod(a: Any, b: Any) -> Any:
    _guard_mod(a, b)
    return a % b


_BINOP_GUARDS: Final[dict[type[ast.operator], str]] = {
    ast.Mult: "_mul_",
    ast.Add: "_add_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
}

_INPLACE: Final[dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], None] | None]]] = {
    "+=": (operator.iadd, _guard_add),
    "-=": (operator.isub, None),
    "*=": (operator.imul, _guard_mul),
    "/=": (operator.itruediv, None),
    "//=": (operator.ifloordiv, None),
    "%=": (operator.imod, _guard_mod),
    "**=": (operator.ipow, _guard_pow),
    "<<=": (operator.ilshift, _guard_lshift),
    ">>=": (operator.irshift, None),
    "|=": (operator.ior, None),
    "^=": (operator.ixor, None),
    "&=": (operator.iand, None),
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise _Refusal(f"the operator {op} is not allowed")
    apply, guard = _INPLACE[op]
    if guard is not None:
        guard(target, value)
    return apply(target, value)


# ------------------------------------------------------------ attribute guards

# Attribute access is allowed only on instances of these types (data values and
# caught exceptions); never on functions, classes, modules, generators, ...
_ATTRIBUTE_TYPES: Final = (str, bytes, int, float, complex, list, tuple, dict, BaseException)
_FORBIDDEN_RESULTS: Final = (
    ModuleType,
    type,
    FunctionType,
    MethodType,
    CodeType,
    FrameType,
    TracebackType,
    GeneratorType,
)
_PADDING_METHODS: Final = frozenset({"ljust", "rjust", "center", "zfill"})


def _bounded_method(obj: Any, name: str, method: Any) -> Any:
    """Wrap the few data methods that can build a huge result from a small call."""
    if isinstance(obj, (str, bytes)):
        if name in _PADDING_METHODS:

            def pad(width: int, *args: Any) -> Any:
                _check_size(width, f"str.{name}()")
                return method(width, *args)

            return pad
        if name == "expandtabs":

            def expandtabs(tabsize: int = 8) -> Any:
                _check_size(len(obj) * max(tabsize, 1), "str.expandtabs()")
                return method(tabsize)

            return expandtabs
        if name == "replace":

            def replace(old: Any, new: Any, count: int = -1) -> Any:
                growth = len(new) - len(old)
                if growth > 0:
                    hits = obj.count(old) if old else len(obj) + 1
                    if count >= 0:
                        hits = min(hits, count)
                    _check_size(len(obj) + hits * growth, "str.replace()")
                return method(old, new, count)

            return replace
        if name == "join":

            def join(items: Iterable[Any]) -> Any:
                parts = list(items)
                _check_size(len(parts), "str.join() input")
                total = sum(len(p) for p in parts if isinstance(p, (str, bytes)))
                _check_size(total + len(obj) * max(len(parts) - 1, 0), "str.join()")
                return method(parts)

            return join
    if isinstance(obj, str) and name == "translate":

        def translate(table: Any) -> Any:
            if not isinstance(table, dict):
                raise _Refusal("str.translate() needs a dict table")
            longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
            _check_size(len(obj) * max(longest, 1), "str.translate()")
            return method(table)

        return translate
    if isinstance(obj, int) and name == "to_bytes":

        def to_bytes(length: int = 1, *args: Any, **kwargs: Any) -> Any:
            _check_size(length, "int.to_bytes()")
            return method(length, *args, **kwargs)

        return to_bytes
    if isinstance(obj, list) and name == "extend":

        def extend(items: Iterable[Any]) -> None:
            extra = list(items)
            _check_size(len(obj) + len(extra), "list.extend()")
            method(extra)

        return extend
    return method


def _getattr(obj: Any, name: Any) -> Any:
    """``_getattr_`` guard: data values only, no private names, nothing that leads out."""
    if not isinstance(name, str):
        raise _Refusal("attribute names must be strings")
    if name.startswith("_") or name in INSPECT_ATTRIBUTES:
        raise _Refusal(f"the attribute {name!r} is not allowed")
    if isinstance(obj, type) or not isinstance(obj, _ATTRIBUTE_TYPES):
        raise _Refusal(f"attributes of {_describe(obj)} are not available (asked for {name!r})")
    if name in ("format", "format_map"):
        raise _Refusal("str.format() is not allowed; use an f-string")
    value = getattr(obj, name)  # AttributeError here is an ordinary script failure
    if isinstance(value, _FORBIDDEN_RESULTS):
        raise _Refusal(f"the attribute {name!r} leads to {_describe(value)}")
    return _bounded_method(obj, name, value)


def _getitem(obj: Any, key: Any) -> Any:
    if isinstance(obj, type):
        raise _Refusal("subscripting a type is not allowed")
    return obj[key]


def _write(obj: Any) -> Any:
    if type(obj) in (dict, list):
        return obj
    raise _Refusal(f"only dicts and lists can be modified, not {_describe(obj)}")


def _getiter(obj: Any) -> Any:
    return iter(obj)


def _unpack_sequence(it: Any, spec: Mapping[str, Any], _getiter_: Any) -> list[Any]:
    """``_unpack_sequence_``: RestrictedPython's nested unpacking, through ``_getiter``."""
    values = list(_getiter(it))
    if len(values) >= spec["min_len"]:
        for index, child_spec in spec["childs"]:
            values[index] = _unpack_sequence(values[index], child_spec, _getiter_)
    return values


def _iter_unpack_sequence(it: Any, spec: Mapping[str, Any], _getiter_: Any) -> Iterator[list[Any]]:
    """``_iter_unpack_sequence_``: unpacking of ``for a, b in ...`` targets."""
    for item in _getiter(it):
        yield _unpack_sequence(item, spec, _getiter_)


def _apply(func: Any, *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


class _NullPrint:
    """``print`` in a script goes nowhere (``printed`` is always empty)."""

    def __init__(self, _getattr: Any = None) -> None:
        pass

    def _call_print(self, *args: Any, **kwargs: Any) -> None:
        return None

    def __call__(self) -> str:
        return ""


_GUARDS: Final[dict[str, Any]] = {
    "_getattr_": _getattr,
    "_getitem_": _getitem,
    "_getiter_": _getiter,
    "_write_": _write,
    "_unpack_sequence_": _unpack_sequence,
    "_iter_unpack_sequence_": _iter_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    "_loop_": _loop,
    "_print_": _NullPrint,
    "_mul_": _mul,
    "_add_": _add,
    "_pow_": _pow,
    "_lshift_": _lshift,
    "_mod_": _mod,
}


# ------------------------------------------------------------------- helpers


def _sized_list(items: Iterable[Any], what: str) -> list[Any]:
    result = list(items)
    _check_size(len(result), what)
    return result


def _range(*args: int) -> list[int]:
    r = range(*args)
    _check_size(len(r), "range()")
    return list(r)


def _enumerate(items: Iterable[Any], start: int = 0) -> list[tuple[int, Any]]:
    return _sized_list(enumerate(items, start), "enumerate()")


def _zip(*iterables: Iterable[Any]) -> list[tuple[Any, ...]]:
    return _sized_list(zip(*iterables, strict=False), "zip()")


def _sorted(items: Iterable[Any], *, key: Any = None, reverse: bool = False) -> list[Any]:
    return _sized_list(sorted(items, key=key, reverse=reverse), "sorted()")


def _reversed(items: Any) -> list[Any]:
    return _sized_list(reversed(items), "reversed()")


def _map(func: Callable[..., Any], *iterables: Iterable[Any]) -> list[Any]:
    return _sized_list(map(func, *iterables), "map()")


def _filter(func: Callable[[Any], Any] | None, items: Iterable[Any]) -> list[Any]:
    return _sized_list(filter(func, items), "filter()")


def _sum(items: Iterable[Any], start: int | float = 0) -> Any:
    # A numeric start means only numbers can be added: no list or tuple concatenation.
    if type(start) not in (int, float):
        raise TypeError("sum() adds numbers only")
    return sum(items, start)


def _pow_helper(base: Any, exp: Any, mod: Any = None) -> Any:
    _guard_pow(base, exp, mod)
    return pow(base, exp, mod)


_CN_DATE: Final = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def _as_date(value: str | date) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {type(value).__name__}")
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    match = _CN_DATE.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    raise ValueError(f"not a date: {value!r} (expected YYYY-MM-DD)")


def today() -> str:
    """Today's date (server local time) as ``YYYY-MM-DD``."""
    return date.today().isoformat()


def parse_date(value: str) -> str:
    """Normalise ``2024-01-05``, ``2024-01-05T10:00+08:00``, ``2024/1/5``, ``2024年1月5日``."""
    return _as_date(value).isoformat()


def days_between(start: str, end: str) -> int:
    """Whole days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    return (_as_date(end) - _as_date(start)).days


def add_days(day: str, days: int) -> str:
    """``day`` plus ``days`` (may be negative) as ``YYYY-MM-DD``."""
    if not isinstance(days, int):
        raise TypeError("add_days() needs a whole number of days")
    return (_as_date(day) + timedelta(days=days)).isoformat()


def age_on(birth_date: str, on_date: str) -> int:
    """Completed years of age on ``on_date``; born 29 Feb, one is a year older on 1 Mar."""
    born = _as_date(birth_date)
    on = _as_date(on_date)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


CHINA_TIME = timezone(timedelta(hours=8))


def working_days_duration(days: int) -> str:
    """An ISO duration from now to the end of the ``days``-th working day after today.

    Counts Monday to Friday; the webapp hands the engine a version that also knows
    public holidays and make-up working days (its holiday calendar).
    """
    if not isinstance(days, int) or days < 0:
        raise TypeError("working_days_duration() needs a whole number of days, 0 or more")
    now = datetime.now(CHINA_TIME)  # days end at midnight in China, whatever the server's zone
    day = now.date()
    while days > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    end = datetime.combine(day, datetime.max.time().replace(microsecond=0), tzinfo=CHINA_TIME)
    return f"PT{max(int((end - now).total_seconds()), 0)}S"


HELPERS: dict[str, Callable[..., Any]] = {
    # plain builtins (values in, JSON-safe values out; iterators are materialised)
    "abs": abs,
    "all": all,
    "any": any,
    "bool": bool,
    "chr": chr,
    "dict": dict,
    "divmod": divmod,
    "enumerate": _enumerate,
    "filter": _filter,
    "float": float,
    "int": int,
    "isinstance": isinstance,
    "len": len,
    "list": list,
    "map": _map,
    "max": max,
    "min": min,
    "ord": ord,
    "pow": _pow_helper,
    "range": _range,
    "reversed": _reversed,
    "round": round,
    "sorted": _sorted,
    "str": str,
    "sum": _sum,
    "tuple": tuple,
    "zip": _zip,
    # domain helpers
    "today": today,
    "parse_date": parse_date,
    "days_between": days_between,
    "add_days": add_days,
    "age_on": age_on,
    "working_days_duration": working_days_duration,
}

# Exception classes a script may raise or catch. All are ``Exception`` subclasses, so
# nothing a script can name catches the time limit or a refusal.
_EXCEPTIONS: Final[dict[str, type[Exception]]] = {
    cls.__name__: cls
    for cls in (
        ArithmeticError,
        AssertionError,
        AttributeError,
        Exception,
        IndexError,
        KeyError,
        LookupError,
        NameError,
        NotImplementedError,
        OverflowError,
        RuntimeError,
        TypeError,
        ValueError,
        ZeroDivisionError,
    )
}


# ------------------------------------------------------------------ the policy


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's policy, tightened for BPMN scripts and size-guarded operators."""

    def visit_Import(self, node: ast.Import) -> ast.AST:
        self.error(node, "import statements are not allowed")
        return node

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        self.error(node, "import statements are not allowed")
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        self.error(node, "class definitions are not allowed")
        return node

    def visit_With(self, node: ast.With) -> ast.AST:
        self.error(node, "with statements are not allowed")
        return node

    def visit_Try(self, node: ast.Try) -> Any:
        if node.finalbody:
            self.error(node, "try/finally is not allowed")
        return super().visit_Try(node)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> Any:
        if node.type is None:
            self.error(node, "a bare 'except:' is not allowed; name the exception")
        return super().visit_ExceptHandler(node)

    def visit_Call(self, node: ast.Call) -> Any:
        func = node.func
        if isinstance(func, ast.Name) and func.id in FORBIDDEN_NAMES - {"eval", "exec"}:
            self.error(node, f'"{func.id}" is not available in scripts')
        return super().visit_Call(node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        spec = node.format_spec
        if spec is not None:
            if isinstance(spec, ast.JoinedStr) and all(
                isinstance(v, ast.Constant) and isinstance(v.value, str) for v in spec.values
            ):
                text = "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))
                if any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", text)):
                    self.error(node, f"format widths above {MAX_FORMAT_WIDTH} are not allowed")
            else:
                self.error(node, "computed format specs in f-strings are not allowed")
        return super().visit_FormattedValue(node)

    def visit_While(self, node: ast.While) -> Any:
        return self._count_iterations(super().visit_While(node))

    def visit_For(self, node: ast.For) -> Any:
        return self._count_iterations(super().visit_For(node))

    @staticmethod
    def _count_iterations(node: Any) -> Any:
        # ``while True: pass`` compiles to a jump onto itself, which CPython 3.11 does
        # not report to trace functions, so every loop body starts with ``_loop_()``.
        if isinstance(node, (ast.While, ast.For)):
            tick = ast.Expr(ast.Call(func=ast.Name("_loop_", ast.Load()), args=[], keywords=[]))
            node.body.insert(0, ast.fix_missing_locations(ast.copy_location(tick, node)))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        visited = super().visit_BinOp(node)
        guard = _BINOP_GUARDS.get(type(node.op))
        if guard is None or not isinstance(visited, ast.BinOp):
            return visited
        call = ast.Call(
            func=ast.Name(guard, ast.Load()), args=[visited.left, visited.right], keywords=[]
        )
        return ast.fix_missing_locations(ast.copy_location(call, visited))


# -------------------------------------------------------------------- compiling


def _one_line(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


@lru_cache(maxsize=4096)
def _compile(source: str, mode: Literal["exec", "eval"]) -> CodeType | tuple[str, ...]:
    """Compiled code, or the policy's error messages. Cached by source text."""
    compiler = compile_restricted_exec if mode == "exec" else compile_restricted_eval
    result = compiler(source, filename=SCRIPT_FILENAME, policy=_Policy)
    if result.errors or result.code is None:
        return tuple(result.errors) or ("could not be compiled",)
    return result.code


def _compiled(source: object, mode: Literal["exec", "eval"], where: str) -> CodeType:
    kind = "script" if mode == "exec" else "expression"
    if not isinstance(source, str):
        raise ScriptRefused(f"{_prefix(where)}{kind} is not text but {type(source).__name__}")
    text = source.strip() if mode == "eval" else source
    if not text.strip():
        raise ScriptRefused(f"{_prefix(where)}{kind} is empty")
    compiled = _compile(text, mode)
    if isinstance(compiled, CodeType):
        return compiled
    syntax = any("SyntaxError" in e or "IndentationError" in e for e in compiled)
    verdict = "is not valid Python" if syntax else "refused"
    raise ScriptRefused(f"{_prefix(where)}{kind} {verdict}: {_one_line('; '.join(compiled))}")


def check_expression(source: str, *, where: str = "") -> None:
    """Raise :class:`ScriptRefused` unless ``source`` compiles as a restricted expression."""
    _compiled(source, "eval", where)


def check_script(source: str, *, where: str = "") -> None:
    """Raise :class:`ScriptRefused` unless ``source`` compiles as a restricted script."""
    _compiled(source, "exec", where)


# ----------------------------------------------------------------- JSON values


def _describe(value: object) -> str:
    if isinstance(value, ModuleType):
        return "a module"
    if isinstance(value, type):
        return "a class"
    if isinstance(value, (FunctionType, BuiltinFunctionType, MethodType)):
        name = getattr(value, "__name__", "")
        return "a lambda" if name == "<lambda>" else f"a function ({name})"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, GeneratorType):
        return "a generator"
    if isinstance(value, (date, datetime, timedelta)):
        return f"a {type(value).__name__} object"
    return f"a {type(value).__name__} value"


_JSON_SCALARS: Final = frozenset({str, int, float, bool})


class _JsonCheck:
    """Converts what a script left behind to JSON data (tuples become lists).

    Raises :class:`_NotJson` for anything else, for cycles, and past a total size:
    ``[['x' * 10**6] * 10**6]`` is small in memory (shared references) but would be
    a terabyte of JSON.
    """

    def __init__(self) -> None:
        self.size_left = MAX_JSON_SIZE
        self.seen: set[int] = set()

    def _charge(self, size: int, path: str) -> None:
        self.size_left -= size
        if self.size_left < 0:
            raise _NotJson(path, f"more than {MAX_JSON_SIZE} values and characters of data")

    def value(self, value: Any, path: str, depth: int = 0) -> Any:
        kind = type(value)
        self._charge(1 + (len(value) if kind is str else 0), path)
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            if value.bit_length() > MAX_INT_BITS:
                raise _NotJson(path, "an integer too large for JSON")
            return value
        if kind is float:
            if not math.isfinite(value):
                raise _NotJson(path, "NaN or infinity")
            return value
        if kind not in (dict, list, tuple):
            raise _NotJson(path, _describe(value))
        if depth >= MAX_JSON_DEPTH:
            raise _NotJson(path, f"data nested more than {MAX_JSON_DEPTH} levels deep")
        if id(value) in self.seen:
            raise _NotJson(path, "a structure that contains itself")
        self.seen.add(id(value))
        try:
            if kind is dict:
                out: dict[str, Any] = {}
                for key, item in value.items():
                    if type(key) is not str:
                        raise _NotJson(path, f"a dict key {key!r} that is not a string")
                    self._charge(len(key), path)
                    out[key] = self.value(item, f"{path}[{key!r}]", depth + 1)
                return out
            items: list[Any] = []
            for i, item in enumerate(value):
                if item is None or type(item) in _JSON_SCALARS:
                    self._charge(1 + (len(item) if type(item) is str else 0), path)
                    items.append(item)  # fast path; floats and ints still checked below
                    if type(item) is float and not math.isfinite(item):
                        raise _NotJson(f"{path}[{i}]", "NaN or infinity")
                    if type(item) is int and item.bit_length() > MAX_INT_BITS:
                        raise _NotJson(f"{path}[{i}]", "an integer too large for JSON")
                else:
                    items.append(self.value(item, f"{path}[{i}]", depth + 1))
            return items
        finally:
            self.seen.discard(id(value))


def _same(a: Any, b: Any, depth: int = 0) -> bool:
    """Strict structural equality (``1 == True`` is not the same), cycle-safe."""
    if a is b:
        return True
    if type(a) is not type(b) or depth > MAX_JSON_DEPTH:
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], depth + 1) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y, depth + 1) for x, y in zip(a, b, strict=True))
    if isinstance(a, (str, int, float, bool)) or a is None:
        return bool(a == b)
    return False


# ----------------------------------------------------------------- environment


def _script_line(tb: TracebackType | None) -> int | None:
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == SCRIPT_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _is_script_function(name: str, value: Any) -> bool:
    """A function the script defined with ``def name(...)`` (dropped, like Spiff does)."""
    return (
        isinstance(value, FunctionType)
        and value.__code__.co_filename == SCRIPT_FILENAME
        and value.__name__ == name
    )


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Script environment that runs RestrictedPython code against a copy of the task data.

    ``execute`` applies the script's changes to ``context`` only when it succeeds and
    leaves only JSON values; ``evaluate`` never changes ``context``. Names starting with
    ``_`` are never written back (scripts cannot bind them). Functions the script
    defines with ``def`` are dropped silently; any other non-JSON value left behind
    (a set, a lambda, a helper) makes the run fail, naming the variable.
    """

    def __init__(
        self,
        *,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        time_limit: float = DEFAULT_TIME_LIMIT,
        max_steps: int = DEFAULT_MAX_STEPS,
    ) -> None:
        merged = dict(HELPERS)
        merged.update(helpers or {})
        super().__init__(merged)
        self.time_limit = time_limit
        self.max_steps = max_steps
        builtins: dict[str, Any] = dict(_EXCEPTIONS)
        builtins.update(merged)
        self._builtins = builtins

    # -- the BasePythonScriptEngineEnvironment contract

    def evaluate(
        self,
        expression: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> Any:
        """Value of ``expression`` over ``external_context`` and ``context`` (which wins)."""
        code = _compiled(expression, "eval", where)
        namespace = self._namespace(context, external_context, where)
        return self._run(code, namespace, "expression", expression, where)

    def execute(
        self,
        script: str,
        context: dict[str, Any],
        external_context: Mapping[str, Any] | None = None,
        *,
        where: str = "",
    ) -> bool:
        """Run ``script``; on success apply its changes to ``context``. Returns True."""
        code = _compiled(script, "exec", where)
        external = dict(external_context or {})
        namespace = self._namespace(context, external, where)
        self._run(code, namespace, "script", script, where)
        self._write_back(namespace, context, external, where)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ScriptFailed("no operator registry attached")

    # -- internals

    def _namespace(
        self,
        context: Mapping[str, Any],
        external_context: Mapping[str, Any] | None,
        where: str,
    ) -> dict[str, Any]:
        try:
            external, data = copy.deepcopy((dict(external_context or {}), dict(context)))
        except Exception as exc:
            raise ScriptFailed(f"{_prefix(where)}task data cannot be copied: {exc}") from exc
        namespace: dict[str, Any] = {}
        namespace.update(external)
        namespace.update(data)
        namespace.update(_GUARDS)
        namespace["__builtins__"] = self._builtins
        return namespace

    def _run(
        self,
        code: CodeType,
        namespace: dict[str, Any],
        kind: str,
        source: str,
        where: str,
    ) -> Any:
        run = _Run(self.time_limit, self.max_steps)
        previous_run = _current_run()
        previous_trace = sys.gettrace()
        _state.run = run
        sys.settrace(run.trace)
        try:
            try:
                if kind == "script":
                    exec(code, namespace)  # noqa: S102 - RestrictedPython code, guarded namespace
                    return None
                return eval(code, namespace)  # noqa: S307 - RestrictedPython code, guarded namespace
            finally:
                # First thing, before any handler below calls a function: otherwise the
                # tracer would count those calls too and could raise once more.
                run.active = False
                sys.settrace(previous_trace)
                _state.run = previous_run
        except _Refusal as exc:
            raise ScriptRefused(self._message(kind, source, where, exc, "refused")) from None
        except _LimitExceeded as exc:
            # Raised from the tracer, the traceback may miss the script frame.
            line = run.line or _script_line(exc.__traceback__)
            raise ScriptFailed(
                self._message(kind, source, where, exc, "stopped", line=line)
            ) from None
        except NameError as exc:
            if exc.name in FORBIDDEN_NAMES:
                detail = f"{exc.name!r} is not available in scripts"
                raise ScriptRefused(
                    self._message(kind, source, where, exc, "refused", detail)
                ) from None
            raise ScriptFailed(self._message(kind, source, where, exc, "failed")) from exc
        except ProcessError:
            raise
        except Exception as exc:
            raise ScriptFailed(self._message(kind, source, where, exc, "failed")) from exc

    @staticmethod
    def _message(
        kind: str,
        source: str,
        where: str,
        exc: BaseException,
        verdict: str,
        detail: str | None = None,
        line: int | None = None,
    ) -> str:
        if line is None:
            line = _script_line(exc.__traceback__)
        if detail is None:
            text = str(exc)
            if isinstance(exc, (_Refusal, _LimitExceeded)):
                detail = text
            else:
                detail = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        if kind == "script" and line is not None:
            lines = source.splitlines()
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            site = f" on line {line} ({_one_line(code, 80)!r})" if code else f" on line {line}"
        elif kind == "expression":
            site = f" ({_one_line(source, 80)!r})"
        else:
            site = ""
        return _one_line(f"{_prefix(where)}{kind} {verdict}{site}: {detail}", 400)

    @staticmethod
    def _write_back(
        namespace: dict[str, Any],
        context: dict[str, Any],
        external: Mapping[str, Any],
        where: str,
    ) -> None:
        updates: dict[str, Any] = {}
        removed: list[str] = []
        check = _JsonCheck()
        for name, value in namespace.items():
            if name.startswith("_"):
                continue  # guards, __builtins__, RestrictedPython temporaries
            if name in external and name not in context:
                continue  # external context is read-only, as in TaskDataEnvironment
            if _is_script_function(name, value):
                if name in context:
                    removed.append(name)
                continue
            if name in context and _same(context[name], value):
                continue
            try:
                updates[name] = check.value(value, name)
            except _NotJson as exc:
                raise ScriptFailed(
                    f"{_prefix(where)}script left {exc.what} in {exc.path!r}; "
                    "task data must be JSON (dict, list, str, int, float, bool, None)"
                ) from None
        removed.extend(n for n in context if not n.startswith("_") and n not in namespace)
        for name in removed:
            context.pop(name, None)
        context.update(updates)


# ----------------------------------------------------------------------- engine


def _where(task: Any) -> str:
    spec = getattr(task, "task_spec", None)
    element = getattr(spec, "bpmn_id", None) or getattr(spec, "name", None)
    return f"element {element}" if element else ""


class RestrictedScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """``PythonScriptEngine`` over :class:`RestrictedEnvironment`.

    :class:`ScriptRefused` and :class:`ScriptFailed` propagate unchanged (named after
    the BPMN element) instead of being wrapped in ``WorkflowTaskException``. DMN tables
    are the exception: SpiffWorkflow's ``DMNEngine`` wraps whatever a cell raises, so
    there the original arrives as ``WorkflowTaskException.exception``.
    """

    def __init__(
        self,
        environment: BasePythonScriptEngineEnvironment | None = None,
        *,
        service_caller: ServiceCaller | None = None,
    ) -> None:
        super().__init__(environment=environment or RestrictedEnvironment())
        self.service_caller = service_caller

    def validate(self, expression: str) -> None:
        # SyntaxError first: DMNEngine.needs_eq relies on it to spot cells like "> 5".
        ast.parse(expression)
        check_expression(expression)

    def evaluate(
        self,
        task: Any,
        expression: str,
        external_context: Mapping[str, Any] | None = None,
    ) -> Any:
        if isinstance(self.environment, RestrictedEnvironment):
            return self.environment.evaluate(
                expression, task.data, external_context, where=_where(task)
            )
        return super().evaluate(task, expression, external_context)

    def execute(
        self,
        task: Any,
        script: str,
        external_context: Mapping[str, Any] | None = None,
    ) -> bool:
        if isinstance(self.environment, RestrictedEnvironment):
            return self.environment.execute(script, task.data, external_context, where=_where(task))
        result: bool = super().execute(task, script, external_context)
        return result

    def call_service(self, task: Any, **kwargs: Any) -> str:
        """Hand a service task to the operator registry; Spiff ``json.loads`` the result.

        ``operation_params`` is SpiffWorkflow's evaluated parameter dict,
        ``{name: {"value": ..., "type": ...}}``.
        """
        if self.service_caller is None:
            raise ScriptFailed(f"{_prefix(_where(task))}no operator registry attached")
        result = self.service_caller(task, kwargs["operation_name"], kwargs["operation_params"])
        try:
            return json.dumps(result)
        except (TypeError, ValueError) as exc:
            raise ScriptFailed(
                f"{_prefix(_where(task))}operator {kwargs['operation_name']!r} "
                f"returned a value that is not JSON: {exc}"
            ) from exc
