"""The forms that open the supervision of an agency (Art. 22, Art. 26)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from webapp.accounts.models import Agency

from .supervision import MAX_FINDINGS, MAX_MEASURES

DATE = forms.DateInput(attrs={"type": "date"})


class CorrectionOrderForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency ordered"))
    order_findings = forms.CharField(
        label=_("What the agency did against the Measures (Art. 22)"),
        max_length=MAX_FINDINGS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    correction_deadline = forms.DateField(label=_("Correct by"), widget=DATE)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies


class MeasuresFilingForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    measures_title = forms.CharField(label=_("Title of the detailed measures"), max_length=100)
    measures_text = forms.CharField(
        label=_("Text of the detailed measures"),
        max_length=MAX_MEASURES,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    measures_adopted_on = forms.DateField(label=_("Adopted on"), widget=DATE)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies
