"""Routing in the Django admin: an administrator changes where a role's tasks go and marks
which department acts for its government (Art. 5), with no code change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Agency, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("role", "target")
    list_editable = ("target",)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "kind", "parent", "quota", "oversight_role")
    list_filter = ("kind", "oversight_role")
    search_fields = ("code", "name")
    fields = ("oversight_role",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
