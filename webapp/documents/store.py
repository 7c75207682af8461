"""The file store's readiness: the bucket exists and a file goes in and comes back.

The production shape keeps files in an S3-compatible bucket (MinIO in
docker-compose.yml); ``store_ready`` creates the bucket on first start (the store holds
no bucket until someone makes one) and then writes, reads and deletes a probe file, so
a store that is down or refuses the app's keys stops the start with a clear message
instead of failing an applicant's upload later.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.base import ContentFile

from .models import file_storage


def _ensure_bucket(storage: Any) -> str:
    """Create the storage's bucket if it is missing; '' for a store with no buckets."""
    name = getattr(storage, "bucket_name", None)
    if not name:
        return ""
    client = storage.connection.meta.client
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    if name not in existing:
        client.create_bucket(Bucket=name)
        return f"bucket {name} created"
    return f"bucket {name} present"


def store_ready() -> list[str]:
    """Make the store ready and prove it works; raises whatever the store raises."""
    storage = file_storage()
    notes = [type(storage).__name__]
    bucket = _ensure_bucket(storage)
    if bucket:
        notes.append(bucket)
    probe = f"probes/{uuid.uuid4().hex}.txt"
    saved = storage.save(probe, ContentFile(b"fuzhi"))
    try:
        with storage.open(saved, "rb") as handle:
            if handle.read() != b"fuzhi":
                raise OSError("the store returned other bytes than were written")
    finally:
        storage.delete(saved)
    notes.append("write, read and delete ok")
    return notes
