"""The OpenAPI schema's shared parts: every error answer documented with one shape."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "message", "article", "fields"],
    "properties": {
        "error": {"type": "string", "description": "A stable code: invalid, not_found..."},
        "message": {"type": "string", "description": "What went wrong, in your language."},
        "article": {
            "type": "string",
            "nullable": True,
            "description": "The regulation's article that refused the request, e.g. 'Art. 9'.",
        },
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "Field name → what is wrong with it.",
        },
    },
}
ERROR_REF = {"$ref": "#/components/schemas/Error"}
COMMON = {
    "400": "The request was not accepted (see `fields`, and `article` where a rule refused it).",
    "403": "Not permitted (a role or agency rule).",
    "404": "No such record among those you may see.",
    "405": "Method not allowed.",
    "429": "Too many requests; retry after the `Retry-After` seconds.",
    "500": "Server error (logged).",
}


def add_error_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular post-processing hook: an ``Error`` component, and every operation
    documents the errors any endpoint can answer with (401 where a login is needed)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method in WRITE_METHODS:
                _document_idempotency(operation)
            _document_errors(operation)
    return result


WRITE_METHODS = ("post", "put", "patch", "delete")
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 200},
    "description": "Any string of yours, new for each write (a UUID): sent again with the "
    "same key, the write is not taken twice and the first answer comes back, marked "
    "`Idempotent-Replayed: true` (kept 24 hours). See docs/api.md.",
}


def _document_idempotency(operation: dict[str, Any]) -> None:
    """Every write accepts an Idempotency-Key (webapp/api/idempotency.py)."""
    operation.setdefault("parameters", []).append(IDEMPOTENCY_KEY)
    operation.setdefault("responses", {}).setdefault(
        "422", {"description": "This Idempotency-Key was already used for another request."}
    )


def _document_errors(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    codes = dict(COMMON)
    if "requestBody" in operation:
        codes["415"] = "The body must be JSON in UTF-8 (`Content-Type: application/json`)."
        codes["413"] = "The body is over `FUZHI_API_MAX_BODY` bytes (256 KiB); it was not read."
    if {} not in operation.get("security", [{}]):
        codes["401"] = "Not authenticated: send `Authorization: Token <key>` or a session."
    for code, description in codes.items():
        responses.setdefault(code, {"description": description})
    for code, response in responses.items():
        if int(code) >= 400:
            response["content"] = {"application/json": {"schema": ERROR_REF}}
