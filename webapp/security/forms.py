"""The sign-in form, refusing before the password is even checked once the throttle trips;
the audit log page's filter."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .context import client_ip
from .models import AuditAction
from .services import audit_login_locked, lockout_minutes, login_blocked


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy(
            "Your username and password did not match. Please try again."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = str(self.cleaned_data.get("username") or "")
        ip = client_ip(self.request)
        if login_blocked(username, ip):
            # Checked before authenticate(): a locked-out guesser learns nothing, even
            # from a correct password.
            audit_login_locked(username=username, ip=ip)
            raise forms.ValidationError(
                _(
                    "Too many failed sign-ins for this account or from this address. "
                    "Try again in %(minutes)d minutes."
                )
                % {"minutes": lockout_minutes()},
                code="throttled",
            )
        return super().clean()


class ThrottledAdminAuthenticationForm(ThrottledAuthenticationForm, AdminAuthenticationForm):
    """The admin's sign-in: the same throttle and message, and the admin's staff check."""


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=gettext_lazy("Action"), required=False, choices=[("", "—"), *AuditAction.choices]
    )
    who = forms.CharField(label=gettext_lazy("Person or target"), required=False, max_length=150)
    since = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
