"""A database outage answers 503 with Retry-After, in the user's language (issue 19).

It used to answer 500 and log a traceback, as if it were a bug; an outage is not, and a
client should simply come back. ``DatabaseOutageMiddleware`` turns a lost or refused
database connection raised by a view (the API's included: DRF re-raises what it does not
handle) into that answer, logged as one line; ``server_error`` (the site's handler500)
does the same for one raised outside a view. Neither page touches the database.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
# A connection that cannot be made or was lost, a database that is locked or restarting.
OUTAGE = (OperationalError, InterfaceError)


def api_body() -> dict[str, object]:
    """The API's error shape (webapp/api/errors.py) for an outage."""
    message = _(
        "The service cannot reach its database for a moment; try again in %(seconds)d seconds."
    ) % {"seconds": RETRY_AFTER_SECONDS}
    return {"error": "unavailable", "message": message, "article": None, "fields": {}}


def unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON under /api/, a page elsewhere; no database needed."""
    log.warning("database unavailable: %s %s", request.method, request.path)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(api_body(), status=503)
    else:
        page = render_to_string("errors/unavailable.html", {"seconds": RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return unavailable(request) if isinstance(exception, OUTAGE) else None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: an outage raised outside a view still answers 503."""
    if isinstance(sys.exc_info()[1], OUTAGE):
        return unavailable(request)
    return defaults.server_error(request)
