"""The builtins a script may call, bounded where plain Python's could build too much.

Iterator-returning builtins (``range``, ``map``, ``zip``...) return lists here, checked
against the size limits, so a script can only hold JSON-like values; ``sum`` adds
numbers only and ``pow`` goes through the same guard as ``**``. Nothing here reaches
outside the data it is given. The exception classes a script may raise or catch are
listed here too.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any, Final

from .costs import check_hash_spread, check_operands, check_render_size, guard_pow, pair_keys
from .limits import MAX_ROUND_DIGITS, check_deadline, check_int_bits, check_size


def _sized_list(items: Iterable[Any], what: str) -> list[Any]:
    result = list(items)
    check_size(len(result), what)
    return result


def _range(*args: int) -> list[int]:
    r = range(*args)
    check_size(len(r), "range()")
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
    guard_pow(base, exp, mod)
    result = pow(base, exp, mod)
    check_deadline()
    return result


_DIGIT_BITS: Final = {base: math.log2(base) for base in range(2, 37)}


def _int(value: Any = 0, base: Any = None) -> int:
    """``int()``, refusing text whose number would be too large before converting it:
    ``int('f' * 999999, 16)`` is four million bits, computed in one C call."""
    if isinstance(value, (str, bytes)):
        digits = len(value.strip())
        bits = _DIGIT_BITS.get(base if isinstance(base, int) and base else 36, 6.0)
        check_int_bits(int(digits * bits))
    result = int(value) if base is None else int(value, base)
    return result


def _divmod(a: Any, b: Any) -> Any:
    check_operands(a, b)
    return divmod(a, b)


def _round(number: Any, ndigits: Any = None) -> Any:
    if isinstance(ndigits, int) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise ValueError(f"round() to more than {MAX_ROUND_DIGITS} digits")
    return round(number) if ndigits is None else round(number, ndigits)


def _str(value: Any = "") -> str:
    """``str()`` of a container is its text: refused if that would be too long."""
    check_render_size(value)
    return str(value)


def _isinstance(value: Any, kinds: Any) -> bool:
    """``isinstance``, where the bounded ``int``, ``str`` and ``dict`` stand for their types."""
    if isinstance(kinds, tuple):
        kinds = tuple(_TYPES.get(kind, kind) for kind in kinds)
    else:
        kinds = _TYPES.get(kinds, kinds)
    return isinstance(value, kinds)


def _dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
    if args and not isinstance(args[0], dict):
        items = check_hash_spread(args[0])
        check_hash_spread(pair_keys(items))
        args = (items, *args[1:])
    return dict(*args, **kwargs)


BUILTINS: Final[dict[str, Callable[..., Any]]] = {
    # plain builtins (values in, JSON-safe values out; iterators are materialised)
    "abs": abs,
    "all": all,
    "any": any,
    "bool": bool,
    "chr": chr,
    "dict": _dict,
    "divmod": _divmod,
    "enumerate": _enumerate,
    "filter": _filter,
    "float": float,
    "int": _int,
    "isinstance": _isinstance,
    "len": len,
    "list": list,
    "map": _map,
    "max": max,
    "min": min,
    "ord": ord,
    "pow": _pow_helper,
    "range": _range,
    "reversed": _reversed,
    "round": _round,
    "sorted": _sorted,
    "str": _str,
    "sum": _sum,
    "tuple": tuple,
    "zip": _zip,
}

# The bounded builtins that stand for a type, for isinstance().
_TYPES: Final[dict[Any, type]] = {_int: int, _str: str, _dict: dict}

# Exception classes a script may raise or catch. All are ``Exception`` subclasses, so
# nothing a script can name catches the time limit or a refusal.
EXCEPTIONS: Final[dict[str, type[Exception]]] = {
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
