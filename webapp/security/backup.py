"""Backup and restore of the whole database (docs/reliability.md).

SQLite: the sqlite3 online backup API, a consistent copy taken while the app keeps
running (a plain file copy could catch a half-written page or miss the WAL).
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore``, from PATH.
After a restore the history chain of every case is verified.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connection


class BackupError(Exception):
    pass


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    settings: dict[str, Any] = connection.settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    return env, [*args, "--dbname", str(settings["NAME"])]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not on PATH (install the PostgreSQL client tools)")
    return path


def backup(target: Path) -> Path:
    """Write a consistent copy of the database to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = connection.connection
        partial = target.with_suffix(target.suffix + ".partial")
        partial.unlink(missing_ok=True)
        with sqlite3.connect(partial) as dest:
            source.backup(dest)
        dest.close()
        partial.replace(target)  # a crash mid-backup never leaves a file that looks whole
        return target
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args],
            env=env,
            check=True,
            capture_output=True,
        )
        return target
    raise BackupError(f"no backup method for {connection.vendor}")


def _check_sqlite_file(path: Path) -> None:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (result,) = db.execute("PRAGMA integrity_check").fetchone()
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    finally:
        db.close()
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    if "cases_case" not in tables:
        raise BackupError(f"{path} is not a Fuzhi backup (no cases table)")


def restore(source: Path) -> None:
    """Replace the database's content with the backup at ``source``."""
    if not source.exists():
        raise BackupError(f"{source} does not exist")
    if connection.vendor == "sqlite":
        _check_sqlite_file(source)
        connection.ensure_connection()
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_db:
            backup_db.backup(connection.connection)
        backup_db.close()
        return
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        connection.close()
        result = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(source),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:2000]}")
        return
    raise BackupError(f"no restore method for {connection.vendor}")
