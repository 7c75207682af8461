"""A member signed in with a one-time password goes to the password page until they have
chosen their own (the first-sign-in change), whatever address they ask for."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from webapp.security.outage import OUTAGE, unavailable

from .views import FIRST_SIGN_IN

# Where such a member may still go: the password page, sign-out, language, static files.
OPEN_PREFIXES = ("/static/", "/i18n/")


class FirstSignInMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        try:
            first_sign_in = session is not None and session.get(FIRST_SIGN_IN)
        except OUTAGE:
            # The session lives in the database: during an outage answer 503 here, as
            # the outage middleware would for a view (webapp/security/outage.py).
            return unavailable(request)
        if first_sign_in:
            allowed = (reverse("member:password"), reverse("logout"))
            if request.path not in allowed and not request.path.startswith(OPEN_PREFIXES):
                return redirect("member:password")
        return self.get_response(request)
