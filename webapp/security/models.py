"""The audit log: who signed in (or failed to), who changed whose permissions, who deployed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGIN_LOCKED = "login_locked", _("Sign-in refused: too many failures")
    LOGOUT = "logout", _("Signed out")
    MEMBERSHIP_ADDED = "membership_added", _("Role granted")
    MEMBERSHIP_CHANGED = "membership_changed", _("Role changed")
    MEMBERSHIP_REMOVED = "membership_removed", _("Role removed")
    GRANT_ADDED = "grant_added", _("Read access granted")
    GRANT_CHANGED = "grant_changed", _("Read access changed")
    GRANT_REMOVED = "grant_removed", _("Read access removed")
    USER_FLAGS = "user_flags", _("Account flags changed")
    USER_GROUPS = "user_groups", _("Groups changed")
    USER_PERMISSIONS = "user_permissions", _("Permissions changed")
    DEPLOY = "deploy", _("Process version deployed")
    RETIRE = "retire", _("Process version retired")
    HISTORY_KEY = "history_key", _("History key rotated")
    CHECKPOINT = "checkpoint", _("History checkpoint written")
    OTHER = "other", _("Other")


class AuditEntry(models.Model):
    """One line of the audit log. Rows are only ever inserted (save/delete refuse otherwise),
    chained like a case history (Art. 15(3)): each signs its content and its predecessor's
    hash with the history key (``audit_chain``), and ``AuditHead`` holds the newest."""

    # Set before the row is signed (auto_now_add would set it after).
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("who"),
    )
    # Kept as text too, so the line still names the person if the account goes.
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=30)
    target = models.CharField(_("target"), max_length=300, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # The sign-in name a (failed) login used, lower-cased: the throttle counts by it.
    login_key = models.CharField(max_length=150, blank=True)
    seq = models.PositiveBigIntegerField(null=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    key_id = models.CharField(max_length=16, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["action", "login_key", "at"], name="audit_login_key"),
            models.Index(fields=["action", "ip", "at"], name="audit_login_ip"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("audit entries are never deleted")

    @property
    def action_label(self) -> str:
        return (
            str(AuditAction(self.action).label)
            if self.action in AuditAction.values
            else self.action
        )


class AuditHead(models.Model):
    """The newest line of the audit log's chain (one row), written with each line, so
    deleting the newest lines is seen too; checkpoints keep it outside the database."""

    count = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit log #{self.count}"
