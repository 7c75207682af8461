"""The report filter: which agency and which period."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webapp.accounts.models import Agency

from .selectors import Period

LONGEST_RANGE_DAYS = 366 * 10


class ReportFilterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("All agencies I may see"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    date_from = forms.DateField(label=_("Period from"), required=False)
    date_to = forms.DateField(label=_("Period to"), required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["agency"].queryset = agencies.order_by("code")  # type: ignore[attr-defined]
        for name in ("date_from", "date_to"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if bool(start) != bool(end) and not data.get("year"):
            raise forms.ValidationError(_("Give both dates of the range, or a year."))
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        if start and end and (end - start).days > LONGEST_RANGE_DAYS:
            raise forms.ValidationError(_("Choose a range of at most ten years."))
        return data

    def chosen_agency(self) -> Agency | None:
        """None (every agency in scope) when unbound."""
        agency: Agency | None = getattr(self, "cleaned_data", {}).get("agency")
        return agency

    def period(self) -> Period:
        """The dates if both are given, else the year, else this year (also when unbound)."""
        data = getattr(self, "cleaned_data", {})
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end:
            return Period(start, end)
        return Period.year(data.get("year") or timezone.localdate().year)
