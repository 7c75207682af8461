"""The production shape's store: attachments in an S3-compatible bucket (MinIO in
docker-compose.yml). The tests run django-storages' S3 backend against a real
S3-compatible server on this machine (moto's server mode, over HTTP), not a mocked client:
files land in the bucket, come back through the app, and a file swapped in the bucket
behind the app's back is found by the history check (Art. 15(3))."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from webapp.cases.history import verify_case
from webapp.cases.models import Case
from webapp.documents.models import Attachment
from webapp.errors import StepRefused

from .conftest import PASSWORD
from .documents_support import jpeg_with_gps, pdf_bytes, upload, zip_bytes
from .s3_support import s3_endpoint
from .test_documents import case, complete_health

__all__ = [
    "case",
    "s3_endpoint",
]  # the recruitment waiting for its health check, from test_documents

KEYS = {"aws_access_key_id": "fuzhi", "aws_secret_access_key": "fuzhi-secret"}


def s3_storage(endpoint: str, name: str) -> dict[str, Any]:
    """settings.py's STORAGES when FUZHI_S3_BUCKET is set, for this server and bucket."""
    storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": name,
            "endpoint_url": endpoint,
            "access_key": KEYS["aws_access_key_id"],
            "secret_key": KEYS["aws_secret_access_key"],
            "region_name": "us-east-1",
            "addressing_style": "path",
            "default_acl": None,
            "file_overwrite": False,
        },
    }
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    return {"default": storage, "staticfiles": static}


@pytest.fixture
def bucket(s3_endpoint: str) -> Iterator[Any]:
    """A fresh bucket, and the app's default storage pointed at it."""
    name = f"fuzhi-{uuid.uuid4().hex[:12]}"
    s3 = boto3.resource("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    s3.create_bucket(Bucket=name)
    with override_settings(STORAGES=s3_storage(s3_endpoint, name)):
        yield s3.Bucket(name)


def keys(bucket: Any) -> list[str]:
    return sorted(item.key for item in bucket.objects.all())


def test_a_file_lands_in_the_bucket_and_comes_back_through_the_app(
    client: Any, bucket: Any, case: Case, hr: Any
) -> None:
    data = pdf_bytes("体检报告")
    case = complete_health(case, hr, upload("体检报告.pdf", data))
    attachment = Attachment.objects.get(case=case)
    assert keys(bucket) == [attachment.file.name]
    assert attachment.file.name.startswith(f"attachments/{case.pk}/")
    stored = bucket.Object(attachment.file.name).get()["Body"].read()
    assert (
        hashlib.sha256(stored).hexdigest() == attachment.sha256 == hashlib.sha256(data).hexdigest()
    )
    assert verify_case(case) == []
    client.login(username="hr", password=PASSWORD)
    response = client.get(reverse("documents:download", args=[attachment.pk]))
    assert response.status_code == 200 and response.content == data
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_photo_goes_to_the_bucket_without_its_gps(bucket: Any, case: Case, hr: Any) -> None:
    from_phone = jpeg_with_gps()
    case = complete_health(case, hr, upload("report.jpg", from_phone))
    [key] = keys(bucket)
    stored = bucket.Object(key).get()["Body"].read()
    assert stored != from_phone and b"Exif" not in stored and b"PhoneMaker" not in stored


def test_a_file_swapped_in_the_bucket_is_found_and_not_handed_out(
    client: Any, bucket: Any, case: Case, hr: Any
) -> None:
    case = complete_health(case, hr, upload("report.pdf", pdf_bytes()))
    attachment = Attachment.objects.get(case=case)
    # Someone with the bucket's keys replaces the object behind the app's back.
    bucket.put_object(Key=attachment.file.name, Body=pdf_bytes("a forged report"))
    breaks = verify_case(case)
    assert [b.seq for b in breaks] == [attachment.event_seq]
    assert "file replaced" in breaks[0].problem
    client.login(username="hr", password=PASSWORD)
    assert client.get(reverse("documents:download", args=[attachment.pk])).status_code == 409
    bucket.Object(attachment.file.name).delete()
    assert "file missing from the store" in verify_case(case)[0].problem


def test_a_refused_file_leaves_nothing_in_the_bucket(bucket: Any, case: Case, hr: Any) -> None:
    with pytest.raises(StepRefused):
        complete_health(case, hr, upload("a.pdf", pdf_bytes()), upload("b.zip", zip_bytes()))
    assert keys(bucket) == [] and not Attachment.objects.exists()


def test_store_ready_makes_the_bucket_on_first_start_and_probes_it(s3_endpoint: str) -> None:
    name = f"fuzhi-{uuid.uuid4().hex[:12]}"
    s3 = boto3.resource("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    with override_settings(STORAGES=s3_storage(s3_endpoint, name)):
        first, again = io.StringIO(), io.StringIO()
        call_command("store_ready", stdout=first)
        call_command("store_ready", stdout=again)
    assert f"bucket {name} created" in first.getvalue() and "ok" in first.getvalue()
    assert f"bucket {name} present" in again.getvalue()
    assert list(s3.Bucket(name).objects.all()) == [], "the probe is deleted"
    with (
        override_settings(STORAGES=s3_storage("http://127.0.0.1:9", name)),
        pytest.raises(CommandError, match="not ready"),
    ):
        call_command("store_ready")
