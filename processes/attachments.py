"""Attachment fields of a form: a property with ``x-attachment`` asks for files.

A designer declares what a field accepts in the form's JSON Schema::

    "health_report": {
      "type": "array",
      "title": "体检报告",
      "x-attachment": {"accept": ["pdf", "jpeg", "png"], "maxFiles": 2, "maxSize": 10485760}
    }

The field's value in the case data is a list of references to stored files (each with
its SHA-256, so the step's history line names exactly which file was decided on); the
webapp writes them, never the person filling the form. ``with_attachment_items`` gives
each such property the reference's schema and its count limits, so the engine's
validator checks what an API caller sends exactly as it checks the other fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

ATTACHMENT_KEY = "x-attachment"
# What a field may accept, by kind. Archives (zip, docx...), HTML and SVG are never
# accepted: they can carry scripts or hide what is inside.
KINDS = ("pdf", "jpeg", "png")
MAX_FILES = 10
MAX_SIZE = 20 * 1024 * 1024  # bytes of one file, whatever a form declares
DEFAULT_SIZE = 10 * 1024 * 1024

# One stored file as the case data holds it.
REFERENCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "attachment": {"type": "integer", "minimum": 1},
        "name": {"type": "string", "title": "文件名", "maxLength": 200},
        "sha256": {"type": "string", "title": "SHA-256", "pattern": "^[0-9a-f]{64}$"},
        "size": {"type": "integer", "minimum": 1},
        "type": {"type": "string", "maxLength": 100},
    },
    "required": ["attachment", "name", "sha256"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class AttachmentSpec:
    """What one attachment field accepts."""

    accept: tuple[str, ...]
    max_files: int
    max_size: int


def attachment_spec(prop: Any) -> AttachmentSpec | None:
    """The field's limits, or None when it is not an attachment field."""
    if not isinstance(prop, dict) or not isinstance(prop.get(ATTACHMENT_KEY), dict):
        return None
    declared = prop[ATTACHMENT_KEY]
    accept = tuple(k for k in declared.get("accept") or KINDS if k in KINDS)
    return AttachmentSpec(
        accept=accept or KINDS,
        max_files=_bounded(declared.get("maxFiles"), 1, MAX_FILES),
        max_size=_bounded(declared.get("maxSize"), DEFAULT_SIZE, MAX_SIZE),
    )


def _bounded(value: Any, default: int, ceiling: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        return default
    return min(value, ceiling)


def attachment_fields(schema: dict[str, Any]) -> dict[str, AttachmentSpec]:
    """The form's attachment fields by name, in form order."""
    fields: dict[str, AttachmentSpec] = {}
    for name, prop in (schema.get("properties") or {}).items():
        spec = attachment_spec(prop)
        if spec is not None:
            fields[name] = spec
    return fields


def attachment_problems(schema: dict[str, Any]) -> Iterator[str]:
    """What is wrong with the form's attachment declarations (a deploy refuses them)."""
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict) or ATTACHMENT_KEY not in prop:
            continue
        declared = prop[ATTACHMENT_KEY]
        if prop.get("type") != "array" or not isinstance(declared, dict):
            yield (
                f'attachment field {name!r} must be "type": "array" with an object {ATTACHMENT_KEY}'
            )
            continue
        unknown = [k for k in declared.get("accept") or [] if k not in KINDS]
        if unknown or not isinstance(declared.get("accept", []), list):
            yield f"attachment field {name!r} accepts unknown kinds {unknown}; known: {list(KINDS)}"
        for key, ceiling in (("maxFiles", MAX_FILES), ("maxSize", MAX_SIZE)):
            value = declared.get(key)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= ceiling
            ):
                yield f"attachment field {name!r}: {key} must be a whole number from 1 to {ceiling}"


def with_attachment_items(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each attachment field's items and counts filled in (in place)."""
    required = set(schema.get("required") or [])
    for name, prop in (schema.get("properties") or {}).items():
        spec = attachment_spec(prop)
        if spec is None or prop.get("type") != "array":
            continue
        prop["items"] = REFERENCE_SCHEMA
        prop.setdefault("maxItems", spec.max_files)
        if name in required:
            prop.setdefault("minItems", 1)
    return schema
