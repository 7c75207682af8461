"""Request bodies are bounded before anything reads them (docs/reliability.md).

``RequestLimitsMiddleware`` runs before sessions, authentication and every view: a body
whose ``Content-Length`` is over the limit of its address is answered 413 at once, so no
caller, signed in or not, can make a worker read, parse or store it. The limits:
``FUZHI_DESIGNER_MAX_UPLOAD`` for the designer's model uploads, ``FUZHI_API_MAX_BODY``
under ``/api/``, ``DATA_UPLOAD_MAX_MEMORY_SIZE`` elsewhere (the public complaint form has
its own, smaller one). A ``RequestDataTooBig`` that Django raises later, for a body sent
without a length, becomes the same 413. The answer is JSON under ``/api/`` and a short
page elsewhere, in the caller's language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from webapp.api.errors import error_body
from webapp.api.parsers import max_body as api_max_body

DESIGNER_MAX_UPLOAD = 16 * 1024 * 1024  # a bundle of model files, each at most 2 MiB


def body_limit(path: str) -> int:
    """The largest body, in bytes, a request to ``path`` may send."""
    if path.startswith("/api/"):
        return api_max_body()
    if path.startswith("/designer/"):
        return int(getattr(settings, "FUZHI_DESIGNER_MAX_UPLOAD", DESIGNER_MAX_UPLOAD))
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)


def _declared_length(request: HttpRequest) -> int | None:
    """The body's declared length; None when it is not a number (refused as well)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


def _answer(request: HttpRequest, status: int, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        code = "too_large" if status == 413 else "bad_request"
        return JsonResponse(error_body(code, message), status=status)
    page = render_to_string("request_refused.html", {"message": message, "status": status})
    return HttpResponse(page, status=status)


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length is None or length < 0 or length > body_limit(request.path):
            # Before LocaleMiddleware: pick the caller's language here.
            with translation.override(translation.get_language_from_request(request)):
                if length is None or length < 0:
                    return _answer(request, 400, _("The request's length is not a number."))
                return _answer(request, 413, too_large_message(body_limit(request.path)))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RequestDataTooBig):
            limit = int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)
            return _answer(request, 413, too_large_message(limit))
        return None


def too_large_message(limit: int) -> str:
    return _("The request is too large: at most %(limit)s bytes may be sent here.") % {
        "limit": f"{limit:,}"
    }
