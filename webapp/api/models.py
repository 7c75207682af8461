"""What the API keeps of its own: the answers to writes sent with an Idempotency-Key."""

from __future__ import annotations

from django.db import models


class IdempotentRequest(models.Model):
    """The first answer to a write sent with an ``Idempotency-Key`` (``idempotency.py``):
    a retry with the same key gets this answer back instead of a second step."""

    # A hash of the caller's credential (token, session or address) and their key.
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=200)
    # A hash of method, path and body: the same key for another request is refused.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    content = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotent_scope_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.status}"
