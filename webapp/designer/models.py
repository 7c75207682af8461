"""Drafts of process models being edited, and the designer's own activity log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from webapp.cases.models import Definition


class Draft(models.Model):
    """A process model being edited: its files as text, saved with a revision counter.

    A save names the revision it started from; a stale one is refused, so two designers
    saving the same draft never overwrite each other silently.
    """

    process_id = models.CharField(_("process"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    files = models.JSONField(_("files"), default=dict)  # {"x.bpmn": "<xml…>", "forms/a.json": …}
    revision = models.PositiveIntegerField(default=1)
    based_on = models.ForeignKey(
        Definition, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    problems = models.JSONField(default=list)  # the checks' answer at the last save
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("saved at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["process_id", "-updated_at"]

    def __str__(self) -> str:
        return f"{self.process_id} draft r{self.revision}"


class DesignerEvent(models.Model):
    """Who saved, imported, deployed or migrated what, and when."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20)  # imported / deployed / migrated
    process_id = models.CharField(max_length=64)
    version = models.PositiveIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.action} {self.process_id} v{self.version}"
