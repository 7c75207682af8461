"""``user|is_member``: whether the header shows the member's own pages instead of the
agency's (a member sees nothing of other members)."""

from __future__ import annotations

from typing import Any

from django import template

from webapp.staff.accounts import member_of

register = template.Library()


@register.filter
def is_member(user: Any) -> bool:
    return member_of(user) is not None
