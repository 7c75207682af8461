"""The application form that opens a recruitment case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from webapp.accounts.models import Agency

from .models import Duty, Education


class ApplicationForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=20)
    education = forms.ChoiceField(label=_("Education"), choices=Education.choices)
    post = forms.CharField(label=_("Post applied for"), max_length=60)
    required_education = forms.ChoiceField(
        label=_("Education the post requires (Art. 10(4))"),
        choices=Education.choices,
        initial=Education.COLLEGE,
    )
    education_requirement_reason = forms.CharField(
        label=_("Reason for a raised or lowered requirement (Art. 10)"),
        required=False,
        max_length=300,
    )
    veteran = forms.BooleanField(label=_("Veteran (Art. 10 preference)"), required=False)
    bravery = forms.BooleanField(
        label=_("Recognised for an act of bravery (Art. 10 preference)"), required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = agencies
        if agencies.count() == 1:
            field.initial = agencies.first()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        required = cleaned.get("required_education")
        if (
            required
            and required != Education.COLLEGE
            and not cleaned.get("education_requirement_reason")
        ):
            # Art. 10: a raised or lowered education requirement must state its reason.
            self.add_error(
                "education_requirement_reason",
                _(
                    "A post that raises or lowers the junior-college requirement must state "
                    "the reason (Art. 10)."
                ),
            )
        return cleaned


class DutyForm(forms.Form):
    duty = forms.ChoiceField(label=_("Duty (Art. 14)"), choices=Duty.choices)
    officer_name = forms.CharField(
        label=_("Enforcement officer assisted"),
        max_length=50,
        required=False,
        help_text=_("Required for duties done only assisting an enforcement officer (Art. 14)."),
    )
    officer_certificate = forms.CharField(
        label=_("Officer's enforcement certificate number"), max_length=40, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class GradeForm(forms.Form):
    grade = forms.CharField(label=_("New grade (Art. 18)"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=200)
