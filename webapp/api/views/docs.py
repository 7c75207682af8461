"""The schema, a docs page rendered from it on the server, and the caller's token.

The docs page is plain HTML made from the same OpenAPI schema the API serves: Swagger UI
would need its script from a CDN (not allowed by the content policy) or another bundle
to maintain, and a reader needs the operations, their fields and errors, not a console.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from drf_spectacular.generators import SchemaGenerator

from ..selectors import has_token
from ..services import token_rotate

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        resolved: dict[str, Any] = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        return resolved
    return node


def _fields(schema: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolve(schema, node)
    required = set(node.get("required", []))
    return [
        {
            "name": name,
            "type": _resolve(schema, prop).get("type") or prop.get("$ref", "").rsplit("/", 1)[-1],
            "required": name in required,
            "description": prop.get("description", ""),
            "read_only": prop.get("readOnly", False),
        }
        for name, prop in node.get("properties", {}).items()
    ]


def _operation(
    schema: dict[str, Any], path: str, method: str, op: dict[str, Any]
) -> dict[str, Any]:
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    ok = next((code for code in op.get("responses", {}) if code.startswith("2")), "")
    ok_content = op.get("responses", {}).get(ok, {}).get("content", {})
    ok_schema = ok_content.get("application/json", {}).get("schema", {})
    if ok_schema.get("type") == "array":
        ok_schema = ok_schema.get("items", {})
    page = _resolve(schema, ok_schema).get("properties", {}).get("results", {})
    if page.get("type") == "array":
        ok_schema = page.get("items", {})  # a page of results: show one result's fields
    return {
        "method": method.upper(),
        "path": path,
        "id": op.get("operationId", ""),
        "description": op.get("description", ""),
        "public": {} in op.get("security", [{}]),
        "parameters": op.get("parameters", []),
        "body": _fields(schema, body.get("schema", {})) if body else [],
        "ok": ok,
        "result": _fields(schema, ok_schema) if ok_schema else [],
        "paged": bool(page),
        "errors": sorted(code for code in op.get("responses", {}) if int(code) >= 400),
    }


def operations_by_tag(schema: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tags: dict[str, list[dict[str, Any]]] = {}
    for path, operations in schema.get("paths", {}).items():
        for method in METHODS:
            if method in operations:
                op = operations[method]
                tag = (op.get("tags") or ["api"])[0]
                tags.setdefault(tag, []).append(_operation(schema, path, method, op))
    return tags


def api_docs(request: HttpRequest) -> HttpResponse:
    """Every operation with its parameters, body fields, result fields and errors."""
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]
    schema: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    context = {
        "info": schema.get("info", {}),
        "tags": operations_by_tag(schema),
        "error_fields": _fields(schema, {"$ref": "#/components/schemas/Error"}),
    }
    return render(request, "api/docs.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API token: shown once when made; POST makes a new one."""
    new_key = ""
    if request.method == "POST":
        new_key = token_rotate(user=request.user)
    context = {"new_key": new_key, "has_token": has_token(request.user)}
    return render(request, "api/token.html", context)
