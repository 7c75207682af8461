"""Signed checkpoints of every case's head and the audit log's head (Art. 15(3)).

The chains show an edited, inserted or deleted event, but not what leaves a consistent
chain behind: a whole case deleted with its events, the newest events cut off with the
case's head moved back, or (by someone holding the key) a chain recomputed. So, every
``FUZHI_CHECKPOINT_MINUTES`` (Celery beat) and on demand (``manage.py
history_checkpoint``), the heads are written, signed, to a file the database's users
cannot rewrite: ``FUZHI_CHECKPOINT_FILE``, only ever appended to (in production on
storage that refuses anything else: ``chattr +a``, or a WORM mount; docs/reliability.md).

A checkpoint records only what moved since the one before, after checking that each
case moved forward: its new events follow on from the head last recorded and are signed
with the history key. A case that went back (fewer events, another head) is not
recorded again, so the file keeps the evidence, and the job fails naming it.

One JSON line per part of a checkpoint::

    {"n": 7, "part": 0, "last": true, "at": "...", "key_id": "k1", "prev": "<sig of
     the previous line>", "cases": {"ZP-2026-000001": [12, "<head>"]}, "audit": [40,
     "<head>"], "sig": "<HMAC of the line without sig>"}
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from webapp.cases.history import GENESIS, event_signed
from webapp.cases.keyring import keyring
from webapp.cases.models import Case, CaseEvent

from . import audit_chain
from .models import AuditEntry

CASES_PER_LINE = 2000


@dataclass
class Fold:
    """Everything the checkpoint file says, folded: the newest record of each case."""

    cases: dict[str, tuple[int, str, int]] = field(default_factory=dict)  # count, head, n
    audit: tuple[int, str, int] = (0, "", 0)
    number: int = 0
    at: str = ""
    last_sig: str = GENESIS
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Written:
    number: int
    cases: int
    refused: list[str]

    def __str__(self) -> str:
        text = f"checkpoint #{self.number}: {self.cases} cases recorded"
        return text + (f", {len(self.refused)} refused" if self.refused else "")


class CheckpointRefused(Exception):
    """Some heads went back since the last checkpoint; the message names them."""


def path() -> Path:
    return Path(settings.FUZHI_CHECKPOINT_FILE)


def _payload(line: dict[str, Any]) -> bytes:
    body = {k: v for k, v in line.items() if k != "sig"}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _read(handle: Any) -> Fold:
    """Fold the file read from ``handle``: signatures and links checked, line by line."""
    fold = Fold()
    ring = keyring()
    handle.seek(0)
    for number, raw in enumerate(handle.read().decode().splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except ValueError:
            fold.problems.append(f"line {number} is not a checkpoint (cut short?)")
            continue
        if not ring.verifies(_payload(line), str(line.get("key_id")), str(line.get("sig"))):
            fold.problems.append(f"line {number} is not signed by the history key")
            continue
        if line.get("prev") != fold.last_sig:
            fold.problems.append(f"line {number} does not follow the line before it")
        _apply(fold, line)
    return fold


def _apply(fold: Fold, line: dict[str, Any]) -> None:
    n = int(line["n"])
    if line.get("rebase"):
        # An acknowledged restore: what the file said before no longer binds (it stays
        # in the file, with the reason, for whoever reads it).
        fold.cases, fold.audit = {}, (0, "", 0)
    for key, (count, head) in line.get("cases", {}).items():
        fold.cases[key] = (int(count), str(head), n)
    if line.get("audit"):
        count, head = line["audit"]
        fold.audit = (int(count), str(head), n)
    fold.last_sig = str(line["sig"])
    if line.get("last"):
        fold.number, fold.at = n, str(line["at"])


def read() -> Fold:
    """The checkpoint file folded (an empty fold if none was written yet)."""
    if not path().exists():
        return Fold()
    with path().open("rb") as handle:
        return _read(handle)


def _moved_forward(case_id: int, since: tuple[int, str, int] | None, count: int, head: str) -> bool:
    """The case's events after the recorded head follow on from it, signed, up to ``head``."""
    start_count, prev = (since[0], since[1]) if since else (0, GENESIS)
    if count < start_count:
        return False
    events = CaseEvent.objects.filter(case_id=case_id, seq__gt=start_count).order_by("seq")
    expected = start_count + 1
    for event in events.select_related("case").iterator(chunk_size=500):
        if event.seq != expected or event.prev_hash != prev or not event_signed(event):
            return False
        prev, expected = event.hash, expected + 1
    return expected - 1 == count and prev == (head or GENESIS)


def _audit_moved_forward(since: tuple[int, str, int], count: int, head: str) -> bool:
    ring = keyring()
    expected, prev = since[0] + 1, since[1] or GENESIS
    for entry in AuditEntry.objects.filter(seq__gt=since[0]).order_by("seq").iterator():
        signed = ring.verifies(audit_chain.canonical(entry), entry.key_id, entry.hash)
        if entry.seq != expected or entry.prev_hash != prev or not signed:
            return False
        prev, expected = entry.hash, expected + 1
    return expected - 1 == count and prev == (head or GENESIS)


def _changes(fold: Fold, rebase: bool) -> tuple[dict[str, list[Any]], list[str]]:
    moved: dict[str, list[Any]] = {}
    refused: list[str] = []
    rows = Case.objects.order_by("pk").values_list("pk", "business_key", "event_count", "head_hash")
    for case_id, key, count, head in rows.iterator(chunk_size=5000):
        since = None if rebase else fold.cases.get(key)
        if since is not None and since[0] == count and since[1] == head:
            continue
        if rebase or _moved_forward(case_id, since, count, head):
            moved[key] = [count, head]
        else:
            refused.append(f"case {key}")
    return moved, refused


def _lines(
    fold: Fold, moved: dict[str, list[Any]], audit: list[Any] | None, rebase: str
) -> Iterator[str]:
    ring = keyring()
    number, prev = fold.number + 1, fold.last_sig
    keys = sorted(moved)
    chunks = [keys[i : i + CASES_PER_LINE] for i in range(0, len(keys), CASES_PER_LINE)] or [[]]
    at = timezone.now().isoformat(timespec="seconds")
    for part, chunk in enumerate(chunks):
        last = part == len(chunks) - 1
        line: dict[str, Any] = {
            "n": number,
            "part": part,
            "last": last,
            "at": at,
            "key_id": ring.current_id,
            "prev": prev,
            "cases": {key: moved[key] for key in chunk},
        }
        if rebase and part == 0:
            line["rebase"] = rebase
        if last and audit is not None:
            line["audit"] = audit
        line["sig"] = ring.sign(_payload(line))
        prev = line["sig"]
        yield json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"


def _separator(handle: Any) -> str:
    """A newline if a write was cut short mid-line, so the new lines stand on their own."""
    size = os.fstat(handle.fileno()).st_size
    if not size:
        return ""
    handle.seek(size - 1)
    return "" if handle.read(1) == b"\n" else "\n"


def write(rebase: str = "") -> Written:
    """Append a checkpoint of what moved since the last one; refuse (after writing the
    rest) if any head went back, naming it.

    ``rebase``: after restoring an older backup, record every head as it now is, with
    the reason; what the file said before is kept but no longer checked against."""
    path().parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path(), os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(fd, "rb+") as handle:
        # One writer at a time (beat and a command at once): each line names the one before.
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        fold = _read(handle)
        moved, refused = _changes(fold, bool(rebase))
        count, head = audit_chain.head()
        audit = [count, head] if rebase else None
        if not rebase and (count, head) != fold.audit[:2]:
            if _audit_moved_forward(fold.audit, count, head):
                audit = [count, head]
            else:
                refused.append("the audit log")
        text = "".join(_lines(fold, moved, audit, rebase))
        handle.write((_separator(handle) + text).encode())
        handle.flush()
        os.fsync(handle.fileno())
    written = Written(number=fold.number + 1, cases=len(moved), refused=refused)
    if refused:
        raise CheckpointRefused(
            f"{written}; these went back or were rewritten since the last checkpoint and "
            f"were not recorded again: {', '.join(refused[:50])}"
        )
    return written
