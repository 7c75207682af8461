"""Files kept with cases and staff members, and the conversation on a case."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models
from django.utils.translation import gettext_lazy as _

from webapp.cases.models import Case, HumanTask
from webapp.staff.models import Staff


def file_storage() -> Storage:
    """The configured store (local disk or S3: STORAGES["default"]). Django's lazy default,
    which the file fields use too, so one setting decides where every file goes."""
    return default_storage


def read_stored(name: str | None) -> bytes | None:
    """The stored file's bytes, or None when it is not (or no longer) in the store."""
    storage = file_storage()
    if not name or not storage.exists(name):
        return None
    with storage.open(name, "rb") as handle:
        return bytes(handle.read())


class Purpose(models.TextChoices):
    APPLICATION = "application", _("Application document")
    FORM = "form", _("Attached to a step")
    CASE = "case", _("Added to the case")
    EVIDENCE = "evidence", _("Evidence from the complainant")


class Attachment(models.Model):
    """A file kept with a case. Its SHA-256, name, size, type and uploader go into the
    case's hash-chained history when it is added (Art. 15(3)), so a file swapped in the
    store no longer matches the history (``verification``)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    task = models.ForeignKey(
        HumanTask, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(max_length=100, blank=True)  # the form field it answers
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    file = models.FileField(max_length=255)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField("SHA-256", max_length=64)
    original_sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by_name = models.CharField(max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    event_seq = models.PositiveIntegerField()  # the history event that records it

    class Meta:
        ordering = ["case", "uploaded_at", "pk"]
        indexes = [models.Index(fields=["case", "uploaded_at"], name="attachment_case")]

    def __str__(self) -> str:
        return f"{self.name} ({self.sha256[:12]})"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Comment(models.Model):
    """One message in a case's thread; also a line of the case's history."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=150)
    body = models.TextField(_("comment"))
    # The colleagues it mentions (@login), by user id: each was notified.
    mentions = models.JSONField(default=list)
    created_at = models.DateTimeField(_("written at"))
    event_seq = models.PositiveIntegerField()

    class Meta:
        ordering = ["case", "created_at", "pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="comment_case")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"


class StaffPhoto(models.Model):
    """A member's photo in their archive (一人一档); the newest is printed on the
    certificate and shown on its public verification page (Art. 18, 19)."""

    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["staff", "-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["staff", "-uploaded_at"], name="staff_photo_newest")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.sha256[:12]}"
