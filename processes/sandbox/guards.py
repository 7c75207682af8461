"""The guards RestrictedPython's compiled code calls instead of the plain operations.

RestrictedPython rewrites ``a.b``, ``a[b]``, ``for x in a``, ``a[b] = c`` and friends into
calls of ``_getattr_``, ``_getitem_``, ``_getiter_``, ``_write_``...; our policy
(``policy.py``) also rewrites ``*``, ``+``, ``-``, ``**``, ``<<``, ``%``, ``//``, ``&``,
``|`` and ``^`` into calls of :data:`BINOP_GUARDS`, and set displays, ``*`` unpacking
and f-strings into calls of ``_set_``, ``_star_``, ``_fval_`` and ``_fjoin_``. This
module is what those names are bound to (:data:`GUARDS`):

* attribute access only on data values and caught exceptions, never on a private name,
  a function, a class, a module, a frame or a generator;
* only dicts and lists may be written to;
* every operation or data method that can build a large result from a small call checks
  the result's size first (``limits.check_size``) and charges it to the run; what one
  C call may cost otherwise (big integers, colliding hashes, text of shared structures)
  is checked by ``costs.py``.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
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
from typing import Any, Final

from RestrictedPython.transformer import INSPECT_ATTRIBUTES

from .costs import (
    HASHED,
    VIEWS,
    check_hash_spread,
    check_operands,
    check_render_size,
    format_value,
    guard_bitop,
    guard_divide,
    guard_pow,
    join_fstring,
    make_set,
    pair_keys,
    star,
)
from .limits import (
    MAX_FORMAT_WIDTH,
    LimitExceeded,
    Refusal,
    check_deadline,
    check_int_bits,
    check_size,
    tick_loop,
)

_SEQUENCES: Final = (str, bytes, list, tuple)


def _is_int(value: object) -> bool:
    return isinstance(value, int)


# -------------------------------------------------------------- operator guards


def _guard_mul(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and _is_int(b):
        check_size(len(a) * max(b, 0), "a repeated sequence")
    elif isinstance(b, _SEQUENCES) and _is_int(a):
        check_size(len(b) * max(a, 0), "a repeated sequence")
    elif _is_int(a) and _is_int(b):
        check_int_bits(abs(a).bit_length() + abs(b).bit_length())


def _guard_add(a: Any, b: Any) -> None:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        check_size(len(a) + len(b), "a concatenation")
    elif _is_int(a) and _is_int(b):
        _guard_int_growth(a, b)


def _guard_int_growth(a: int, b: int) -> None:
    # a + b and a - b gain at most one bit, so a number can pass the limit by one bit at
    # most: an operand already past it is refused (repeated x = x + x stops there).
    check_int_bits(max(a.bit_length(), b.bit_length()))


def _guard_sub(a: Any, b: Any) -> None:
    if _is_int(a) and _is_int(b):
        _guard_int_growth(a, b)


def _guard_lshift(a: Any, b: Any) -> None:
    if _is_int(a) and _is_int(b) and a != 0 and b > 0:
        check_int_bits(abs(a).bit_length() + b)


_PERCENT_SPEC: Final = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _check_format_widths(spec: str) -> None:
    for match in _PERCENT_SPEC.finditer(spec):
        for group in match.groups():
            if group == "*":
                raise Refusal("'*' widths in %-formatting are not allowed")
            if group is not None and int(group) > MAX_FORMAT_WIDTH:
                raise LimitExceeded(
                    f"exceeded the size limit (format width {group}; at most {MAX_FORMAT_WIDTH})"
                )


def _guard_mod(a: Any, b: Any) -> None:
    if isinstance(a, (str, bytes)):
        _check_format_widths(a if isinstance(a, str) else a.decode("latin-1"))
        args = b if isinstance(b, tuple) else (b,)
        check_render_size(args)
        total = sum(len(x) for x in args if isinstance(x, (str, bytes)))
        check_size(len(a) + total, "a %-formatted text")
    else:
        check_operands(a, b)


def _mul(a: Any, b: Any) -> Any:
    _guard_mul(a, b)
    return a * b


def _add(a: Any, b: Any) -> Any:
    _guard_add(a, b)
    return a + b


def _pow(a: Any, b: Any) -> Any:
    guard_pow(a, b)
    return a**b


def _lshift(a: Any, b: Any) -> Any:
    _guard_lshift(a, b)
    return a << b


def _mod(a: Any, b: Any) -> Any:
    _guard_mod(a, b)
    result = a % b
    check_deadline()
    return result


def _sub(a: Any, b: Any) -> Any:
    _guard_sub(a, b)
    return a - b


def _floordiv(a: Any, b: Any) -> Any:
    guard_divide(a, b)
    result = a // b
    check_deadline()
    return result


def _bitop(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``&``, ``|``, ``^`` on a dict's keys or items hash the other operand into a set."""

    def guarded(a: Any, b: Any) -> Any:
        if isinstance(a, VIEWS) and not isinstance(b, HASHED):
            check_hash_spread(b)
        elif isinstance(b, VIEWS) and not isinstance(a, HASHED):
            check_hash_spread(a)
        return op(a, b)

    return guarded


_INPLACE: Final[dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], None] | None]]] = {
    "+=": (operator.iadd, _guard_add),
    "-=": (operator.isub, _guard_sub),
    "*=": (operator.imul, _guard_mul),
    "/=": (operator.itruediv, None),
    "//=": (operator.ifloordiv, guard_divide),
    "%=": (operator.imod, _guard_mod),
    "**=": (operator.ipow, guard_pow),
    "<<=": (operator.ilshift, _guard_lshift),
    ">>=": (operator.irshift, None),
    "|=": (operator.ior, guard_bitop),
    "^=": (operator.ixor, guard_bitop),
    "&=": (operator.iand, guard_bitop),
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise Refusal(f"the operator {op} is not allowed")
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
                check_size(width, f"str.{name}()")
                return method(width, *args)

            return pad
        if name == "expandtabs":

            def expandtabs(tabsize: int = 8) -> Any:
                check_size(len(obj) * max(tabsize, 1), "str.expandtabs()")
                return method(tabsize)

            return expandtabs
        if name == "replace":

            def replace(old: Any, new: Any, count: int = -1) -> Any:
                growth = len(new) - len(old)
                if growth > 0:
                    hits = obj.count(old) if old else len(obj) + 1
                    if count >= 0:
                        hits = min(hits, count)
                    check_size(len(obj) + hits * growth, "str.replace()")
                return method(old, new, count)

            return replace
        if name == "join":

            def join(items: Iterable[Any]) -> Any:
                parts = list(items)
                check_size(len(parts), "str.join() input")
                total = sum(len(p) for p in parts if isinstance(p, (str, bytes)))
                check_size(total + len(obj) * max(len(parts) - 1, 0), "str.join()")
                return method(parts)

            return join
    if isinstance(obj, str) and name == "translate":

        def translate(table: Any) -> Any:
            if not isinstance(table, dict):
                raise Refusal("str.translate() needs a dict table")
            longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
            check_size(len(obj) * max(longest, 1), "str.translate()")
            return method(table)

        return translate
    if isinstance(obj, int) and name == "to_bytes":

        def to_bytes(length: int = 1, *args: Any, **kwargs: Any) -> Any:
            check_size(length, "int.to_bytes()")
            return method(length, *args, **kwargs)

        return to_bytes
    if isinstance(obj, list) and name == "extend":

        def extend(items: Iterable[Any]) -> None:
            extra = list(items)
            check_size(len(obj) + len(extra), "list.extend()")
            method(extra)

        return extend
    if isinstance(obj, dict) and name in ("update", "fromkeys"):
        return _hashing_dict_method(name, method)
    return method


def _hashing_dict_method(name: str, method: Any) -> Any:
    """``dict.update(pairs)`` and ``dict.fromkeys(keys)``, their keys' hashes checked."""

    def hashing(*args: Any, **kwargs: Any) -> Any:
        if args and not isinstance(args[0], dict):
            items = check_hash_spread(args[0])
            if name == "update":
                check_hash_spread(pair_keys(items))
            args = (items, *args[1:])
        return method(*args, **kwargs)

    return hashing


def _getattr(obj: Any, name: Any) -> Any:
    """``_getattr_`` guard: data values only, no private names, nothing that leads out."""
    if not isinstance(name, str):
        raise Refusal("attribute names must be strings")
    if name.startswith("_") or name in INSPECT_ATTRIBUTES:
        raise Refusal(f"the attribute {name!r} is not allowed")
    if isinstance(obj, type) or not isinstance(obj, _ATTRIBUTE_TYPES):
        raise Refusal(f"attributes of {describe(obj)} are not available (asked for {name!r})")
    if name in ("format", "format_map"):
        raise Refusal("str.format() is not allowed; use an f-string")
    value = getattr(obj, name)  # AttributeError here is an ordinary script failure
    if isinstance(value, _FORBIDDEN_RESULTS):
        raise Refusal(f"the attribute {name!r} leads to {describe(value)}")
    return _bounded_method(obj, name, value)


def _getitem(obj: Any, key: Any) -> Any:
    if isinstance(obj, type):
        raise Refusal("subscripting a type is not allowed")
    return obj[key]


def _write(obj: Any) -> Any:
    if type(obj) in (dict, list):
        return obj
    raise Refusal(f"only dicts and lists can be modified, not {describe(obj)}")


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


GUARDS: Final[dict[str, Any]] = {
    "_getattr_": _getattr,
    "_getitem_": _getitem,
    "_getiter_": _getiter,
    "_write_": _write,
    "_unpack_sequence_": _unpack_sequence,
    "_iter_unpack_sequence_": _iter_unpack_sequence,
    "_inplacevar_": _inplacevar,
    "_apply_": _apply,
    "_loop_": tick_loop,
    "_print_": _NullPrint,
    "_mul_": _mul,
    "_add_": _add,
    "_pow_": _pow,
    "_lshift_": _lshift,
    "_mod_": _mod,
    "_sub_": _sub,
    "_floordiv_": _floordiv,
    "_and_": _bitop(operator.and_),
    "_or_": _bitop(operator.or_),
    "_xor_": _bitop(operator.xor),
    "_set_": make_set,
    "_star_": star,
    "_fval_": format_value,
    "_fjoin_": join_fstring,
}


# The operators the policy turns into guard calls, and the name of each guard above.
BINOP_GUARDS: Final[dict[type[ast.operator], str]] = {
    ast.Mult: "_mul_",
    ast.Add: "_add_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Mod: "_mod_",
    ast.Sub: "_sub_",
    ast.FloorDiv: "_floordiv_",
    ast.BitAnd: "_and_",
    ast.BitOr: "_or_",
    ast.BitXor: "_xor_",
}


# ---------------------------------------------------------------- naming values


def describe(value: object) -> str:
    """How a message names a value a script may not touch or keep: 'a module', 'a set'."""
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
