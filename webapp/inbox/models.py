"""Named inbox filters: kept by their owner, or shared with the people of one agency."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from webapp.accounts.models import Agency


class SavedFilter(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    # The inbox's own filter parameters as a query string ("kind=...&due=overdue").
    query = models.CharField(max_length=500)
    # Shared with everyone acting in this agency (Art. 4: the agency's own work).
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
