"""Forms that open agency-level cases."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from webapp.accounts.models import Agency
from webapp.staff.models import Staff


class ComplaintForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    staff = forms.ModelChoiceField(
        queryset=Staff.objects.none(),
        required=False,
        label=_("Staff member complained about (if known)"),
    )
    complainant_name = forms.CharField(label=_("Complainant"), max_length=50)
    complainant_contact = forms.CharField(label=_("Contact (phone or e-mail)"), max_length=100)
    complaint_text = forms.CharField(
        label=_("Complaint"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        staff_field = self.fields["staff"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        assert isinstance(staff_field, forms.ModelChoiceField)
        agency_field.queryset = agencies
        staff_field.queryset = Staff.objects.filter(agency__in=agencies).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        staff, agency = cleaned.get("staff"), cleaned.get("agency")
        if staff is not None and agency is not None and staff.agency_id != agency.pk:
            self.add_error("staff", _("This person does not work for the chosen agency."))
        return cleaned
