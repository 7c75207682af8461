"""A stored file as an HTTP response no browser will run as a page of this site."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def file_response(
    data: bytes, *, name: str, content_type: str, inline: bool = False
) -> HttpResponse:
    """Bytes as a response the browser will not run: its own type, no sniffing, no
    scripts (a sandboxed CSP), not kept in shared caches."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, name) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
