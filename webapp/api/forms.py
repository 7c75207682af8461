"""JSON bodies checked by the very forms the web pages use, so both meet the same rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

F = TypeVar("F", bound=forms.Form)


def as_form_data(values: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """JSON values as the strings a browser would post; lists and objects are refused."""
    posted: dict[str, str] = {}
    refused: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, bool):
            posted[name] = "true" if value else "false"
        elif value is None:
            posted[name] = ""
        elif isinstance(value, int | float | str):
            posted[name] = str(value)
        else:
            refused[name] = _("This value is not accepted here.")
    return posted, refused


def checked(make: Callable[[dict[str, str]], F], values: dict[str, Any]) -> F:
    """Bind ``values`` to the form ``make`` builds and validate; raise a ValidationError with
    every field's message (unknown fields too, so a caller's typo is not dropped)."""
    posted, refused = as_form_data(values)
    form = make(posted)
    for name in values:
        if name not in form.fields or name == "_comment":
            # The same words the task form uses for a field the step does not take.
            refused[name] = _("The form contains a field this step does not accept.")
    if not form.is_valid() or refused:
        fields = {
            ("non_field_errors" if name == "__all__" else name): "; ".join(str(m) for m in messages)
            for name, messages in form.errors.items()
        }
        raise ValidationError({**fields, **refused})
    return form
