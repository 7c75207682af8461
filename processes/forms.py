"""The JSON-Schema forms of a bundle (``forms/*.json``): parsed, checked, self-contained.

A form is a Draft 2020-12 JSON Schema of ``"type": "object"``; one that refers to another
schema by URL is refused, so validating a task's data never reaches outside the bundle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import jsonschema

from . import xmlsafe
from .attachments import attachment_problems, with_attachment_items
from .errors import HostileInput, ModelError


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
        schema = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ModelError("form is not UTF-8 text", file=name) from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"form is not valid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    except RecursionError:
        raise HostileInput("form is nested too deeply to read", file=name) from None
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
    external = next(_external_refs(schema), None)
    if external is not None:
        raise HostileInput(
            f"form refers to another schema ({external!r}); a form must be self-contained",
            file=name,
        )
    problem = next(attachment_problems(schema), None)
    if problem is not None:
        raise ModelError(problem, file=name)
    return with_attachment_items(schema)


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
