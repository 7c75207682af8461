"""The working-day calendar: the exceptions to the Monday-to-Friday rule.

Only exceptions are stored. An ordinary Monday to Friday is a working day and a
Saturday or Sunday is not, unless a row here says otherwise:

* ``holiday`` (法定节假日): a day off inside a public-holiday period, whether it
  would otherwise be a weekday or a weekend day;
* ``workday`` (调休上班): a Saturday or Sunday that is a working day, given in
  exchange for the days off.

The rows come from the ``chinese_calendar`` package (``seed_workdays``) or from an
administrator, who enters each year's schedule once the State Council announces it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


class Kind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (day off)")
    WORKDAY = "workday", _("Make-up working day")


class Source(models.TextChoices):
    LIBRARY = "library", _("chinese-calendar library")
    ADMIN = "admin", _("Administrator")


class CalendarDay(models.Model):
    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=64, help_text=_("e.g. 春节, 国庆节"))
    # Anything not written by the seeding command is an administrator's row.
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.ADMIN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day} {self.name} ({self.get_kind_display()})"

    @property
    def weekday_label(self) -> str:
        return WEEKDAY_LABELS[self.day.weekday()]

    def clean(self) -> None:
        # A make-up working day only makes sense on a weekend; a weekday already works.
        if self.kind == Kind.WORKDAY and self.day and self.day.weekday() < 5:
            raise ValidationError(
                {"kind": _("A make-up working day (调休上班) must be a Saturday or Sunday.")}
            )
