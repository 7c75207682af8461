"""The request's user gets a memo of who they are (``selectors.request_memo``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class RequestMemoMiddleware:
    """Gives an authenticated request's user an empty memo: its roles are then read once
    per request, however many checks and menu entries ask."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user.request_memo = {}
        return self.get_response(request)
