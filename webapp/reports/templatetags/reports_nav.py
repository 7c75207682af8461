"""Whether the header shows the Reports link (the view itself checks again)."""

from __future__ import annotations

from typing import Any

from django import template

from webapp.reports.selectors import may_see_reports as _may_see_reports

register = template.Library()


@register.filter
def may_see_reports(user: Any) -> bool:
    return _may_see_reports(user)
