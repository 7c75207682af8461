"""The JSON-Schema forms of a bundle (``forms/*.json``): parsed, checked, self-contained.

A form is a Draft 2020-12 JSON Schema of ``"type": "object"``; one that refers to another
schema by URL is refused, so validating a task's data never reaches outside the bundle.

Its regular expressions (``pattern``, ``patternProperties``, ``format: regex``) run on
RE2, whose matching time is linear in the text: with Python's backtracking ``re``, the
pattern ``^(a+)+$`` took 15 s over 28 characters an HR officer typed, doubling with each
more. A pattern RE2 cannot run (backreferences, lookarounds) is refused at deploy.
``uniqueItems`` compares every pair of items that are not hashable, so it is checked on
at most :data:`MAX_UNIQUE_ITEMS` of them. :func:`form_validator` is what validates a
task's data against its form.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import jsonschema
import re2
from jsonschema import ValidationError

from . import xmlsafe
from .errors import HostileInput, ModelError
from .jsonsafe import JsonRefused, load_json

MAX_FORM_DEPTH = 64  # objects and arrays inside each other in one form schema
MAX_UNIQUE_ITEMS = 200  # items of an array checked pairwise by "uniqueItems" (20,000 pairs)


def parse_forms(files: Mapping[str, bytes]) -> tuple[dict[str, dict[str, Any]], list[ModelError]]:
    """The bundle's JSON-Schema forms by short name, and a problem per bad form."""
    forms: dict[str, dict[str, Any]] = {}
    problems: list[ModelError] = []
    for name, data in files.items():
        if not name.endswith(".json"):
            continue
        try:
            forms[name.rsplit("/", 1)[-1]] = _parse_form(name, data)
        except ModelError as exc:
            problems.append(exc)
    return forms, problems


def _parse_form(name: str, data: bytes) -> dict[str, Any]:
    if len(data) > xmlsafe.MAX_MODEL_BYTES:
        raise HostileInput(f"form is over the {xmlsafe.MAX_MODEL_BYTES:,}-byte limit", file=name)
    try:
        schema = load_json(data, max_bytes=xmlsafe.MAX_MODEL_BYTES, max_depth=MAX_FORM_DEPTH)
    except JsonRefused as exc:
        if exc.reason == "encoding":
            raise ModelError("form is not UTF-8 text", file=name) from None
        if exc.reason == "syntax":
            detail = str(exc).split(": ", 1)[-1]
            raise ModelError(
                f"form is not valid JSON: {detail}", file=name, line=exc.line
            ) from None
        if exc.reason == "too_deep":
            raise HostileInput(
                f"form is nested more than {MAX_FORM_DEPTH} deep; a form never needs that",
                file=name,
            ) from None
        raise HostileInput(f"form cannot be stored: {exc}", file=name) from None
    if not isinstance(schema, dict) or schema.get("type") != "object":
        raise ModelError('a form schema must be an object with "type": "object"', file=name)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.path)
        at = f" at {where}" if where else ""
        raise ModelError(f"form is not a valid JSON Schema{at}: {exc.message}", file=name) from None
    except RecursionError:
        raise HostileInput("form is nested too deeply to check", file=name) from None
    bad_pattern = next(_unusable_patterns(schema), None)
    if bad_pattern is not None:
        raise ModelError(f"form {bad_pattern}", file=name)
    external = next(_external_refs(schema), None)
    if external is not None:
        raise HostileInput(
            f"form refers to another schema ({external!r}); a form must be self-contained",
            file=name,
        )
    return schema


def _external_refs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if (
                key in ("$ref", "$dynamicRef")
                and isinstance(item, str)
                and not item.startswith("#")
            ):
                yield item
            yield from _external_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _external_refs(item)


# ---------------------------------------------------------------- patterns on RE2


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is reported to the designer, not stderr
    return options


_OPTIONS = _re2_options()


@lru_cache(maxsize=1024)
def compiled_pattern(pattern: str) -> Any:
    """The RE2 program of ``pattern``; ``re2.error`` if RE2 cannot run it."""
    return re2.compile(pattern, _OPTIONS)


def pattern_problem(pattern: str) -> str:
    """'' when RE2 runs ``pattern`` (in linear time), else why it cannot."""
    try:
        compiled_pattern(pattern)
    except re2.error as exc:
        detail = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        return (
            f"pattern {pattern[:80]!r} cannot be used: {detail} (patterns run on RE2, in time "
            "linear in the text; backreferences and lookarounds are not available)"
        )
    return ""


def _patterns(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key == "pattern" and isinstance(child, str):
                    yield child
                elif key == "patternProperties" and isinstance(child, dict):
                    yield from (k for k in child if isinstance(k, str))
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def _unusable_patterns(schema: dict[str, Any]) -> Iterator[str]:
    for pattern in _patterns(schema):
        problem = pattern_problem(pattern)
        if problem:
            yield problem


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not compiled_pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, properties: dict[str, Any], instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in properties.items():
        program = compiled_pattern(pattern)
        for key, value in instance.items():
            if program.search(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    if unique and validator.is_type(instance, "array") and len(instance) > MAX_UNIQUE_ITEMS:
        yield ValidationError(f"at most {MAX_UNIQUE_ITEMS} items can be checked for uniqueness")
        return
    original = jsonschema.Draft202012Validator.VALIDATORS["uniqueItems"]
    yield from original(validator, unique, instance, schema)


def _is_regex(instance: object) -> bool:
    if isinstance(instance, str):
        compiled_pattern(instance)
    return True


_FORMATS = jsonschema.FormatChecker()
_FORMATS.checkers = dict(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)
_FORMATS.checkers["regex"] = (_is_regex, re2.error)

FormValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    {"pattern": _pattern, "patternProperties": _pattern_properties, "uniqueItems": _unique_items},
)


def form_validator(schema: dict[str, Any]) -> Any:
    """The validator of a task's data against its form: RE2 patterns, bounded uniqueItems."""
    return FormValidator(schema, format_checker=_FORMATS)


def form_errors(
    schema: dict[str, Any], data: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, str], dict[str, object]]:
    """What is wrong with ``data`` by field (its first message), the JSON Schema keyword
    that failed per field (``required``, ``maximum``...) and that keyword's value (the
    limit, the pattern), so a caller can say it in the user's language. All empty when the
    data fits the form."""
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    limits: dict[str, object] = {}
    for error in form_validator(schema).iter_errors(dict(data)):
        field = _error_field(error)
        errors.setdefault(field, error.message)
        codes.setdefault(field, str(error.validator))
        limits.setdefault(field, error.validator_value)
    return errors, codes, limits


def _error_field(error: ValidationError) -> str:
    if error.path:
        return str(error.path[0])
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [name for name in error.validator_value if name not in error.instance]
        if missing:
            return str(missing[0])
    return "__all__"
