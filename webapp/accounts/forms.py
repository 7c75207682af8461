"""Delegation while away."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Agency, Membership
from .roles import LANE_ROLES, Role


class DelegationForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    role = forms.ChoiceField(label=_("Role"), choices=[])
    delegate = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), label=_("Colleague")
    )
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mine = Membership.objects.filter(user=user, role__in=LANE_ROLES)
        agency_field = self.fields["agency"]
        role_field = self.fields["role"]
        delegate_field = self.fields["delegate"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        assert isinstance(role_field, forms.ChoiceField)
        assert isinstance(delegate_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.filter(pk__in=mine.values("agency_id"))
        role_field.choices = [
            (r, Role(r).label) for r in sorted(set(mine.values_list("role", flat=True)))
        ]
        colleagues = Membership.objects.filter(agency_id__in=mine.values("agency_id")).exclude(
            user=user
        )
        delegate_field.queryset = get_user_model().objects.filter(
            pk__in=colleagues.values("user_id")
        )
