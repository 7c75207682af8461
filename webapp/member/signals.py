"""At sign-in, remember whether the member must replace a one-time password first, so
each later request reads the session rather than the database."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from webapp.security.member_access import must_change_password

from .views import FIRST_SIGN_IN


@receiver(user_logged_in, dispatch_uid="member_first_sign_in")
def remember_first_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[FIRST_SIGN_IN] = must_change_password(user)
