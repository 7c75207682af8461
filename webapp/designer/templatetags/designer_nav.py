"""``user|is_designer``: whether the header shows the designer link."""

from __future__ import annotations

from typing import Any

from django import template

from webapp.designer.selectors import is_designer as _is_designer

register = template.Library()


@register.filter
def is_designer(user: Any) -> bool:
    return _is_designer(user)
