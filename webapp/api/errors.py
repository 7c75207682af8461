"""Every API error is one JSON shape, in the caller's language.

``{"error": code, "message": text, "article": "Art. N" | null, "fields": {...}}``: the
article is set where a rule of the regulation refused the request (the domain's
exceptions carry it), ``fields`` maps a field to what is wrong with it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response

from webapp.errors import FormInvalid, NotPermitted, StepRefused, TaskConflict, articles_in
from webapp.security import outage

logger = logging.getLogger(__name__)


def error_body(
    code: str, message: str, *, article: str = "", fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"error": code, "message": message, "article": article or None, "fields": fields or {}}


def _refusal(exc: StepRefused) -> Response:
    article = exc.article or articles_in(exc.message)
    if isinstance(exc, FormInvalid):
        body = error_body(
            "invalid", _("The form was not accepted."), article=article, fields=exc.errors
        )
        return Response(body, status=400)
    code = "conflict" if isinstance(exc, TaskConflict) else "refused"
    if isinstance(exc, NotPermitted):
        code = "not_permitted"
    fields = {exc.field: exc.message} if exc.field else None
    return Response(
        error_body(code, exc.message, article=article, fields=fields), status=exc.status
    )


def _flatten(detail: Any, prefix: str = "") -> dict[str, str]:
    """DRF's nested validation detail as ``{"data.reason": "message; message"}``."""
    if isinstance(detail, dict):
        flat: dict[str, str] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": "; ".join(str(item) for item in detail)}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": str(detail)}


def _drf_error(exc: exceptions.APIException) -> Response:
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(
            "invalid", _("The request was not accepted."), fields=_flatten(exc.detail)
        )
    else:
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        body = error_body(str(code), str(exc.detail))
    wait = getattr(exc, "wait", None)
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        headers["Retry-After"] = str(int(wait) + 1)
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    return Response(body, status=exc.status_code, headers=headers)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's exception handler: every exception, even an unexpected one, becomes JSON."""
    if isinstance(exc, StepRefused):
        return _refusal(exc)
    if isinstance(exc, Http404):
        return Response(error_body("not_found", _("Not found.")), status=404)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.APIException):
        return _drf_error(exc)
    if isinstance(exc, outage.OUTAGE):  # not a bug: the client comes back later
        headers = {"Retry-After": str(outage.RETRY_AFTER_SECONDS)}
        logger.warning("database unavailable in %s", context.get("view"))
        return Response(outage.api_body(), status=503, headers=headers)
    if isinstance(exc, SuspiciousOperation):
        # Django's own request limits (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many
        # fields): the caller's request, not a bug.
        if isinstance(exc, RequestDataTooBig):
            return Response(error_body("too_large", _("The request is too large.")), status=413)
        return Response(error_body("bad_request", _("The request was not accepted.")), status=400)
    # A bug, not the caller's fault: log it with its traceback and say so without detail.
    logger.exception("API error in %s", context.get("view"))
    body = error_body("server_error", _("The server failed to handle this request."))
    return Response(body, status=500)


@csrf_exempt  # it changes nothing; a POST to a wrong address must get this JSON, not a CSRF page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any address under /api/ that names no endpoint."""
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)
