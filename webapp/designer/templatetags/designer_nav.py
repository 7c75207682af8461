"""``user|is_designer``: whether the header shows the designer link."""

from __future__ import annotations

from typing import Any

from django import template

from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role

register = template.Library()


@register.filter
def is_designer(user: Any) -> bool:
    return has_role(user, Role.DESIGNER)
