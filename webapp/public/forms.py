"""The public complaint form (Art. 18): a unit or a certificate number, what happened, and
an optional way to reply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from webapp.documents.forms import AttachmentField

from . import services
from .selectors import complaint_agencies


class ComplaintForm(forms.Form):
    agency = forms.ModelChoiceField(
        queryset=complaint_agencies(),
        required=False,
        label=_("Unit complained about"),
        empty_label=_("— choose a unit —"),
    )
    certificate_number = forms.CharField(
        label=_("Certificate number of the staff member (if known)"),
        max_length=40,
        required=False,
        help_text=_("Printed on the certificate the staff member wears, e.g. LA-CG-2026-0001."),
    )
    staff_hint = forms.CharField(
        label=_("Name or description of the staff member (if no number)"),
        max_length=services.MAX_STAFF_HINT,
        required=False,
    )
    description = forms.CharField(
        label=_("What happened"),
        min_length=services.MIN_DESCRIPTION,
        max_length=services.MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("When and where, what the staff member did. At most 2000 characters."),
        # Django's stock words ("确保该变量至少包含 5 字符") read like a program's; say it plainly.
        error_messages={
            "min_length": _("Describe what happened in at least %(limit_value)d characters."),
            "max_length": _("Describe what happened in at most %(limit_value)d characters."),
        },
    )
    evidence = AttachmentField(
        services.EVIDENCE_SPEC,
        label=_("Photos or a PDF as evidence (optional)"),
        required=False,
        help_text=_("Up to 3 photos, or one PDF. Photos lose their location data when kept."),
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    contact = forms.CharField(
        label=_("Mobile number or e-mail for the reply (optional)"),
        max_length=services.MAX_CONTACT,
        required=False,
        help_text=_("Used only to send you the reply; never shown on the status page."),
    )
    # A field people never see: automated senders fill every input they find.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("agency") and not cleaned.get("certificate_number"):
            raise forms.ValidationError(
                _("Choose the unit, or give the staff member's certificate number (Art. 18).")
            )
        return cleaned

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "TS20260101ABC123"}),
    )
