"""The calendar in the Django admin: an administrator enters next year's schedule here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import CalendarDay, Source
from .selectors import covered_years


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(year), str(year)) for year in sorted(covered_years(), reverse=True)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(day__year=int(value))
        return queryset


# ModelAdmin is generic only in django-stubs; at run time it cannot be subscripted.
@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("day", "weekday", "kind", "name", "source", "updated_at")
    list_filter = (YearFilter, "kind", "source")
    search_fields = ("name", "day")
    date_hierarchy = "day"
    ordering = ("-day",)
    fields = ("day", "kind", "name", "source", "created_at", "updated_at")
    readonly_fields = ("source", "created_at", "updated_at")

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return obj.weekday_label

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        # A row an administrator adds or edits is theirs; seeding never overwrites it.
        obj.source = Source.ADMIN
        super().save_model(request, obj, form, change)
