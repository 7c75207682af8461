"""Backup, then restore into a fresh database: every case is back and every chain verifies.

SQLite through the sqlite3 backup API; PostgreSQL through pg_dump/pg_restore (the same
commands, `manage.py backup` / `restore`), whichever database the suite runs on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import ROOT
from webapp.cases.models import Case

from .flows import APPROVE, CONTRACT, case_at_approval, drive
from .test_integrity_faults import database_url

pytestmark = pytest.mark.django_db(transaction=True)

SNAPSHOT = (
    "import json; from webapp.cases.models import Case; "
    "print(json.dumps(sorted(Case.objects.values_list('business_key','event_count','head_hash'))))"
)


def manage(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind as the suite's, never migrated."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    name = f"fuzhi_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        # template0: nobody is ever connected to it, so the copy never waits or fails.
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    base = database_url().rsplit("/", 1)[0]
    yield f"{base}/{name}"
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_a_fresh_database_with_every_chain_intact(
    tmp_path, fresh_database, hr, approver, agency, models_deployed
):
    hired = case_at_approval(hr, approver, agency)
    drive(hired, [("approve_hire", APPROVE), ("sign_contract", CONTRACT)], hr, approver)
    case_at_approval(hr, approver, agency, seq=2)
    expected = sorted(
        [list(row) for row in Case.objects.values_list("business_key", "event_count", "head_hash")]
    )
    assert len(expected) == 2 and all(count > 5 for _, count, _ in expected)
    file = tmp_path / ("fuzhi.sqlite3" if connection.vendor == "sqlite" else "fuzhi.dump")
    call_command("backup", str(file))
    assert file.stat().st_size > 0
    connection.close()

    restored = manage(fresh_database, "restore", "--yes", str(file))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "2 cases, 0 problems" in restored.stdout
    snapshot = manage(fresh_database, "shell", "-c", SNAPSHOT)
    assert json.loads(snapshot.stdout.strip().splitlines()[-1]) == expected
    for command in ("verify_history", "check_integrity"):
        checked = manage(fresh_database, command)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "2 cases checked, 0 problems" in checked.stdout
    # The restored database is fully migrated: it can serve as it is.
    pending = manage(fresh_database, "migrate", "--check")
    assert pending.returncode == 0, pending.stdout + pending.stderr


def test_a_file_that_is_not_a_backup_is_refused_and_changes_nothing(tmp_path, hr):
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_bytes(b"not a database at all" * 100)
    before = Case.objects.count()
    result = manage(database_url(), "restore", "--yes", str(bogus))
    assert result.returncode != 0
    assert "not a readable SQLite database" in result.stderr or "pg_restore failed" in result.stderr
    assert Case.objects.count() == before
    missing = manage(database_url(), "restore", "--yes", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "does not exist" in missing.stderr
