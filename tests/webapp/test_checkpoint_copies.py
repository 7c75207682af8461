"""Checkpoints copied into an S3 bucket under Object Lock (Art. 15(3), issue 19): the
production shape's anchor out of reach of whoever can rewrite the checkpoint file.

The bucket is moto's S3-compatible server over HTTP (tests/webapp/s3_support.py), which
enforces Object Lock as MinIO and AWS S3 do: a locked version cannot be deleted.
"""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from webapp.cases.models import Case
from webapp.security import checkpoint_copies

from .flows import APPROVE, CONTRACT, case_at_approval, drive
from .s3_support import s3_endpoint

__all__ = ["s3_endpoint"]

pytestmark = pytest.mark.django_db

KEYS = {"aws_access_key_id": "fuzhi", "aws_secret_access_key": "fuzhi-secret"}


def command(name: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def findings(name: str = "verify_history") -> tuple[int, list[str]]:
    code, out = command(name)
    return code, [line for line in out.splitlines() if line.startswith(("BROKEN", "PROBLEM"))]


def named(lines: list[str], *parts: str) -> bool:
    return any(all(part in line for part in parts) for line in lines)


def client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **KEYS)


def store(endpoint: str) -> dict[str, str]:
    return {
        "endpoint_url": endpoint,
        "access_key": KEYS["aws_access_key_id"],
        "secret_key": KEYS["aws_secret_access_key"],
        "region": "us-east-1",
    }


@pytest.fixture
def bucket(s3_endpoint: str) -> Iterator[str]:
    """A fresh bucket name per test, with settings pointing at it (not yet created)."""
    name = f"fuzhi-checkpoints-{uuid.uuid4().hex[:12]}"
    with override_settings(FUZHI_CHECKPOINT_BUCKET=name, FUZHI_CHECKPOINT_STORE=store(s3_endpoint)):
        yield name


@pytest.fixture
def locked(bucket: str) -> str:
    code, out = command("history_checkpoint", "--ready")
    assert code == 0 and "created with Object Lock" in out, out
    return bucket


@pytest.fixture
def approved(hr: Any, approver: Any, agency: Any, models_deployed: Any) -> Case:
    case = case_at_approval(hr, approver, agency)
    drive(case, [("approve_hire", APPROVE)], hr, approver)
    case.refresh_from_db()
    return case


def test_each_checkpoint_is_copied_once_locked_in_compliance_mode(
    locked: str, approved: Case, hr: Any, s3_endpoint: str
) -> None:
    assert command("history_checkpoint")[0] == 0
    drive(approved, [("sign_contract", CONTRACT)], hr, None)
    assert command("history_checkpoint")[0] == 0

    s3 = client(s3_endpoint)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=locked)["Contents"]]
    assert keys == ["checkpoints/000000001.jsonl", "checkpoints/000000002.jsonl"]
    head = s3.head_object(Bucket=locked, Key=keys[0])
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > timezone.now() + timedelta(days=3600)
    # Nobody deletes a locked version, the bucket's owner included.
    with pytest.raises(ClientError, match="AccessDenied"):
        s3.delete_object(Bucket=locked, Key=keys[0], VersionId=head["VersionId"])
    code, out = command("verify_history")
    assert code == 0 and "0 problems" in out, out


def test_a_case_deleted_and_cut_from_the_file_is_named_from_the_locked_copy(
    locked: str, approved: Case, _checkpoint_file: Path
) -> None:
    """Root on the host and write access to the database: the case deleted, and the
    checkpoint file rewritten without it. The bucket still holds it."""
    assert command("history_checkpoint")[0] == 0
    with connection.cursor() as cursor:
        for table, column in (
            ("cases_caseevent", "case_id"),
            ("cases_humantask", "case_id"),
            ("cases_case", "id"),
        ):
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [approved.pk])
    _checkpoint_file.write_text("")

    code, lines = findings()
    assert code == 1
    assert named(lines, approved.business_key, "deleted", "checkpoint #1"), lines
    assert named(lines, "checkpoint bucket", "#1", "not in the file"), lines


def test_a_checkpoint_rewritten_in_the_file_is_named_against_its_locked_copy(
    locked: str, approved: Case, _checkpoint_file: Path
) -> None:
    assert command("history_checkpoint")[0] == 0
    line = json.loads(_checkpoint_file.read_text())
    line["at"] = "2020-01-01T00:00:00+00:00"  # any change; the signature does not matter here
    _checkpoint_file.write_text(json.dumps(line, ensure_ascii=False) + "\n")

    code, lines = findings()
    assert code == 1
    assert named(lines, "checkpoint bucket", "#1", "differs from its locked copy"), lines


def test_a_copy_written_again_in_the_bucket_is_named_and_its_first_version_counts(
    locked: str, approved: Case, s3_endpoint: str
) -> None:
    assert command("history_checkpoint")[0] == 0
    client(s3_endpoint).put_object(
        Bucket=locked, Key=checkpoint_copies.key(1), Body=b'{"n": 1, "forged": true}\n'
    )
    code, lines = findings()
    assert code == 1
    assert named(lines, "checkpoint bucket", "#1", "written again", "2 versions"), lines
    # The first version is what is checked: the file still matches it.
    assert not named(lines, "differs"), lines


def test_a_bucket_without_object_lock_is_refused_and_the_file_keeps_the_checkpoint(
    bucket: str, approved: Case, s3_endpoint: str, _checkpoint_file: Path
) -> None:
    client(s3_endpoint).create_bucket(Bucket=bucket)  # created without Object Lock
    code, out = command("history_checkpoint", "--ready")
    assert code == 1 and "has no Object Lock" in out, out

    code, out = command("history_checkpoint")
    assert code == 1 and "not copied to the locked bucket" in out, out
    assert json.loads(_checkpoint_file.read_text())["n"] == 1  # the file has it


def test_a_copy_missed_while_the_store_was_down_is_made_by_the_next_checkpoint(
    bucket: str, approved: Case, hr: Any, s3_endpoint: str
) -> None:
    down = {**store(s3_endpoint), "endpoint_url": "http://127.0.0.1:9"}  # nothing listens
    with override_settings(FUZHI_CHECKPOINT_STORE=down):
        code, out = command("history_checkpoint")
        assert code == 1 and "not copied to the locked bucket" in out, out
    assert command("history_checkpoint", "--ready")[0] == 0
    drive(approved, [("sign_contract", CONTRACT)], hr, None)
    assert command("history_checkpoint")[0] == 0

    keys = [o["Key"] for o in client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == ["checkpoints/000000001.jsonl", "checkpoints/000000002.jsonl"]
    code, out = command("verify_history")
    assert code == 0, out
