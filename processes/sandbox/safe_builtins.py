"""The builtins a script may call, bounded where plain Python's could build too much.

Iterator-returning builtins (``range``, ``map``, ``zip``...) return lists here, checked
against the size limits, so a script can only hold JSON-like values; ``sum`` adds
numbers only and ``pow`` goes through the same guard as ``**``. Nothing here reaches
outside the data it is given. The exception classes a script may raise or catch are
listed here too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Final

from .guards import guard_pow
from .limits import check_size


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
    return pow(base, exp, mod)


BUILTINS: Final[dict[str, Callable[..., Any]]] = {
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
}

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
