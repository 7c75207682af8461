"""``{% load security_nav %}{% if user|may_read_audit_log %}``: the audit log link."""

from __future__ import annotations

from typing import Any

from django import template

from webapp.security.selectors import may_read_audit_log as _may_read

register = template.Library()


@register.filter
def may_read_audit_log(user: Any) -> bool:
    return _may_read(user)
