"""What auditors keep: saved searches (shareable with a role) and integrity runs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from webapp.accounts.models import Agency
from webapp.accounts.roles import Role
from webapp.cases.history import ChainBreak


class SavedSearch(models.Model):
    """A case search kept on the server; shared with a role within one agency, it is
    listed for that role's holders in that agency and for holders whose read grants
    cover it (Art. 4: its criteria may hold a name or an ID number).

    Running it always applies the viewer's own visibility (Art. 4), so sharing a search
    shares the question, never the answers.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=80)
    params = models.JSONField(_("criteria"), default=dict)
    shared_role = models.CharField(
        _("shared with role"), max_length=20, choices=Role.choices, blank=True
    )
    shared_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared within agency"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_search_owner_name")
        ]

    def __str__(self) -> str:
        return self.name


class IntegrityRun(models.Model):
    """One verification of every case history its requester may see, and what it found."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, default="running")  # running/succeeded/failed
    in_background = models.BooleanField(default=False)
    checked = models.PositiveIntegerField(default=0)
    # [{"case_id", "business_key", "seq", "problem"}] for every break found.
    breaks = models.JSONField(default=list)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"integrity run {self.pk} {self.status}"

    @property
    def broken_keys(self) -> list[str]:
        return sorted({b["business_key"] for b in self.breaks})

    @property
    def breaks_labelled(self) -> list[dict[str, object]]:
        """Each break with its description in the reader's language."""
        return [
            {**b, "label": ChainBreak(b["business_key"], b["seq"], b["problem"]).label}
            for b in self.breaks
        ]
