"""The one sign-in policy, on every path that checks a password.

The throttle used to live only in the sign-in page's form, so Django's admin login (its
own form) let a guesser go on after the account was locked, and then in with the right
password. Here it sits in the authentication backend that every password check goes
through (``django.contrib.auth.authenticate``: the sign-in page, the admin, anything
added later), so a locked name or address is refused wherever it knocks.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .context import client_ip
from .services import audit_login_locked, login_blocked


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        name = str(username if username is not None else kwargs.get("username", "") or "")
        ip = client_ip(request)
        if login_blocked(name, ip):
            audit_login_locked(username=name, ip=ip)
            # PermissionDenied stops authenticate() here: no other backend is asked, and
            # the attempt is logged as a failure, which keeps the lock in place.
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)
