"""Delegation while away."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .models import Agency, Membership
from .names import display_name
from .roles import LANE_ROLES, Role


def delegate_choices(user: Any) -> list[tuple[str, str]]:
    """Every colleague the delegation accepts: an active holder of one of the user's
    task roles in the same agency ("agency:role:user" -> "陈志远 · 审批领导 · 六安市城市管理局")."""
    mine = set(
        Membership.objects.filter(user=user, role__in=LANE_ROLES).values_list("agency_id", "role")
    )
    colleagues = (
        Membership.objects.filter(
            agency_id__in={agency for agency, _role in mine},
            role__in={role for _agency, role in mine},
            user__is_active=True,
        )
        .exclude(user=user)
        .select_related("user", "agency")
        .order_by("agency__code", "role", "user__username")
    )
    return [
        (
            f"{m.agency_id}:{m.role}:{m.user_id}",
            f"{display_name(m.user)} · {Role(m.role).label} · {m.agency.name}",
        )
        for m in colleagues
        if (m.agency_id, m.role) in mine
    ]


class DelegationForm(forms.Form):
    delegate = forms.ChoiceField(label=_("Colleague"), choices=[])
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["delegate"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *delegate_choices(user)]

    def clean(self) -> dict[str, Any]:
        """The chosen colleague as the agency, role and person the service takes."""
        cleaned = super().clean() or {}
        chosen = str(cleaned.get("delegate") or "")
        if chosen:
            agency_id, role, user_id = chosen.split(":")
            cleaned["agency"] = Agency.objects.get(pk=int(agency_id))
            cleaned["role"] = role
            cleaned["delegate"] = get_user_model().objects.get(pk=int(user_id))
        return cleaned
