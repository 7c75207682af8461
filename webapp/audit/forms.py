"""The case search form and the form that saves a search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.cases.models import CaseStatus

from .selectors import process_choices, visible_agencies

# Only these keys are kept in a saved search or an export link.
CRITERIA = ("q", "process", "status", "agency", "started_from", "started_to", "overdue")


class CaseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Business key, staff name or ID number"), max_length=60, required=False
    )
    process = forms.ChoiceField(label=_("Process"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", "—"), *CaseStatus.choices]
    )
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    started_from = forms.DateField(
        label=_("Opened from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    started_to = forms.DateField(
        label=_("Opened until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    overdue = forms.BooleanField(label=_("Only with an overdue task"), required=False)

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data)
        self.fields["process"].choices = [("", "—"), *process_choices()]  # type: ignore[attr-defined]
        self.fields["agency"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((a.pk, a.name) for a in visible_agencies(user)),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("started_from"), cleaned.get("started_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return cleaned

    def criteria(self) -> dict[str, Any]:
        """The filled criteria, JSON-safe (dates as ISO strings) for saving and links."""
        result: dict[str, Any] = {}
        for key in CRITERIA:
            value = self.cleaned_data.get(key)
            if value in (None, "", False):
                continue
            result[key] = value.isoformat() if hasattr(value, "isoformat") else value
        return result


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=_("Search name"), max_length=80)
    shared_role = forms.ChoiceField(
        label=_("Share with role"),
        required=False,
        choices=[("", _("Only me")), *Role.choices],
    )
    # Art. 4: a shared search reaches the role's holders in one agency the owner sees.
    shared_agency = forms.ModelChoiceField(
        label=_("Within agency"),
        required=False,
        queryset=Agency.objects.none(),
        empty_label=_("My own agency"),
    )

    def __init__(self, data: Any = None, *, user: Any) -> None:
        super().__init__(data)
        self.fields["shared_agency"].queryset = visible_agencies(user)  # type: ignore[attr-defined]
