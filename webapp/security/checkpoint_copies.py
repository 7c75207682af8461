"""Each checkpoint copied, once, into an S3 bucket under Object Lock (Art. 15(3)).

The checkpoint file is only ever appended to, and in production it sits on storage that
refuses anything else; someone with root on that host can still rewrite it. So when
``FUZHI_CHECKPOINT_BUCKET`` is set (the production shape: MinIO, or AWS S3), every
checkpoint is also put as one object, ``checkpoints/<n>.jsonl``, into a bucket created
with Object Lock, each version retained in compliance mode for
``FUZHI_CHECKPOINT_RETAIN_DAYS``: until then nobody, the bucket's owner included, can
delete or overwrite that version. A later write to the same key only adds a version; the
first version of each key is the checkpoint, and a second one is itself a finding.

``verify_history`` then folds the bucket's copies, not the file, and names every
checkpoint in which the file and the bucket differ.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.utils import timezone

PREFIX = "checkpoints/"
KEY_RE = re.compile(r"^checkpoints/(\d{9})\.jsonl$")


class CopyFailed(Exception):
    """The bucket refused a copy, or is not a locked bucket; the message says which."""


def enabled() -> bool:
    return bool(settings.FUZHI_CHECKPOINT_BUCKET)


def bucket() -> str:
    return str(settings.FUZHI_CHECKPOINT_BUCKET)


def key(number: int) -> str:
    return f"{PREFIX}{number:09d}.jsonl"


def _client() -> Any:
    store = settings.FUZHI_CHECKPOINT_STORE
    return boto3.client(
        "s3",
        endpoint_url=store["endpoint_url"] or None,
        aws_access_key_id=store["access_key"] or None,
        aws_secret_access_key=store["secret_key"] or None,
        region_name=store["region"],
        # A store that is down must fail the checkpoint job soon, not hold it for minutes.
        config=Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 2}),
    )


def ready(*, create: bool = False) -> str:
    """The bucket exists with Object Lock on, or CopyFailed saying what is wrong.
    ``create``: make it (with Object Lock, which can only be chosen at creation)."""
    client = _client()
    try:
        names = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
        if bucket() not in names:
            if not create:
                raise CopyFailed(f"bucket {bucket()} does not exist")
            client.create_bucket(Bucket=bucket(), ObjectLockEnabledForBucket=True)
            return f"bucket {bucket()} created with Object Lock"
        lock = client.get_object_lock_configuration(Bucket=bucket())
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ObjectLockConfigurationNotFoundError":
            raise CopyFailed(
                f"bucket {bucket()} has no Object Lock; it cannot hold checkpoints (create a "
                "new bucket with Object Lock on: it cannot be turned on afterwards)"
            ) from None
        raise CopyFailed(f"bucket {bucket()}: {exc}") from None
    except BotoCoreError as exc:
        raise CopyFailed(f"bucket {bucket()} cannot be reached: {exc}") from None
    if lock.get("ObjectLockConfiguration", {}).get("ObjectLockEnabled") != "Enabled":
        raise CopyFailed(f"bucket {bucket()} has no Object Lock")
    return f"bucket {bucket()} present with Object Lock"


def copy_missing(texts: dict[int, str]) -> int:
    """Put every checkpoint of ``texts`` (number -> its lines) the bucket does not hold
    yet, locked; returns how many. A copy missed earlier (the store was down) is made
    now, so the bucket catches up with the file."""
    try:
        client = _client()
        held = _numbers(client)
        until = timezone.now() + timedelta(days=settings.FUZHI_CHECKPOINT_RETAIN_DAYS)
        missing = sorted(set(texts) - held)
        for number in missing:
            body = texts[number].encode()
            client.put_object(
                Bucket=bucket(),
                Key=key(number),
                Body=body,
                ContentType="application/x-ndjson",
                # A locked put must carry its digest (S3 refuses it without one).
                ContentMD5=base64.b64encode(hashlib.md5(body).digest()).decode(),  # noqa: S324
                ObjectLockMode="COMPLIANCE",
                ObjectLockRetainUntilDate=until,
            )
    except (ClientError, BotoCoreError) as exc:
        raise CopyFailed(f"bucket {bucket()}: {exc}") from None
    return len(missing)


def _numbers(client: Any) -> set[int]:
    numbers: set[int] = set()
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket(), Prefix=PREFIX)
    for page in pages:
        for item in page.get("Contents", []):
            match = KEY_RE.match(item["Key"])
            if match:
                numbers.add(int(match.group(1)))
    return numbers


def read() -> tuple[dict[int, str], list[str]]:
    """The first version of each checkpoint in the bucket (number -> its lines), and the
    problems seen: a key written again (its first, locked version is what counts)."""
    client = _client()
    firsts: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    try:
        pages = client.get_paginator("list_object_versions").paginate(
            Bucket=bucket(), Prefix=PREFIX
        )
        for page in pages:
            for version in page.get("Versions", []):
                name = version["Key"]
                counts[name] = counts.get(name, 0) + 1
                first = firsts.get(name)
                if first is None or version["LastModified"] <= first["LastModified"]:
                    firsts[name] = version  # listed newest first: the last one seen is first
        texts: dict[int, str] = {}
        for name, version in firsts.items():
            match = KEY_RE.match(name)
            if match:
                body = client.get_object(Bucket=bucket(), Key=name, VersionId=version["VersionId"])
                texts[int(match.group(1))] = body["Body"].read().decode()
    except (ClientError, BotoCoreError) as exc:
        raise CopyFailed(f"bucket {bucket()}: {exc}") from None
    problems = [
        f"checkpoint #{int(KEY_RE.match(name).group(1))} was written again in the bucket "  # type: ignore[union-attr]
        f"({count} versions); its first, locked version is the one checked"
        for name, count in sorted(counts.items())
        if count > 1 and KEY_RE.match(name)
    ]
    return texts, problems
