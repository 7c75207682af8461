"""The member's forms: an appeal against a decision about them, a suggestion (Art. 12)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from webapp.cases.member_filings import MAX_TEXT, Appealable

TEXT_ERRORS = {
    "required": _("This field is required."),
    "max_length": _("Enter at most %(limit_value)d characters."),
}


class AppealForm(forms.Form):
    decision = forms.TypedChoiceField(label=_("Decision you appeal"), coerce=int, choices=[])
    reason = forms.CharField(
        label=_("Why the decision is wrong"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=TEXT_ERRORS,
        help_text=_("Facts, evidence and what you ask for. The appeal must be filed in time."),
    )

    def __init__(self, *args: Any, decisions: list[Appealable], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (d.case.pk, f"{d.summary}（{d.decided_on:%Y-%m-%d}）")
            for d in decisions
            if d.appeal is None
        ]


class SuggestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your suggestion to the agency"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages=TEXT_ERRORS,
    )
