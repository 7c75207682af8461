"""The audit log's chain (Art. 15(3), Art. 22): each line signed like a case event.

Lines are appended one at a time under a lock on ``AuditHead`` (PostgreSQL's row lock;
SQLite's writers are serialised by their IMMEDIATE transactions), so their sequence
numbers have no gaps and each line names its predecessor's hash. An edited, inserted or
deleted line breaks the chain; the newest lines cut off are seen against the head row,
and against the last checkpoint if the head was moved back too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC

from django.db import IntegrityError, transaction

from webapp.cases.history import GENESIS
from webapp.cases.keyring import keyring

from .models import AuditEntry, AuditHead

HEAD_ID = 1


def canonical(entry: AuditEntry) -> bytes:
    payload = {
        "seq": entry.seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "target": entry.target,
        "detail": entry.detail,
        "ip": entry.ip,
        "login_key": entry.login_key,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=HEAD_ID).first()
    if head is not None:
        return head
    # No head row (a fresh or flushed database): start it from the newest line, once even
    # when two writers race (the loser re-reads the winner's row).
    last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").first()
    try:
        with transaction.atomic():
            return AuditHead.objects.create(
                pk=HEAD_ID,
                count=last.seq if last and last.seq else 0,
                head_hash=last.hash if last else "",
            )
    except IntegrityError:
        return AuditHead.objects.select_for_update().get(pk=HEAD_ID)


def append(entry: AuditEntry) -> AuditEntry:
    """Insert ``entry`` as the chain's next line, signed with the current history key."""
    with transaction.atomic():
        head = _locked_head()
        ring = keyring()
        entry.seq = head.count + 1
        entry.prev_hash = head.head_hash or GENESIS
        entry.key_id = ring.current_id
        entry.hash = ring.sign(canonical(entry))
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=HEAD_ID).update(count=entry.seq, head_hash=entry.hash)
    return entry


def breaks() -> Iterator[tuple[int, str]]:
    """(line number, problem) for every place the audit chain breaks; none if intact."""
    ring = keyring()
    prev = GENESIS
    expected = 1
    entries = AuditEntry.objects.order_by("seq", "pk")
    for entry in entries.iterator(chunk_size=2000):
        if entry.seq is None:
            yield 0, f"line id {entry.pk} is outside the chain (inserted)"
            continue
        if entry.seq != expected:
            yield expected, f"lines #{expected}–#{entry.seq - 1} missing (deleted)"
            expected = entry.seq
        if entry.prev_hash != prev:
            yield entry.seq, "does not follow its predecessor (inserted or reordered)"
        if not ring.verifies(canonical(entry), entry.key_id, entry.hash):
            yield entry.seq, "content altered (not signed by the history key)"
        prev = entry.hash
        expected += 1
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    count, head_hash = (head.count, head.head_hash) if head else (0, "")
    if expected - 1 != count or prev != (head_hash or GENESIS):
        yield count, f"newest lines missing or replaced (the head says #{count})"


def head() -> tuple[int, str]:
    """(count, newest hash) of the audit chain, as stored."""
    row = AuditHead.objects.filter(pk=HEAD_ID).first()
    return (row.count, row.head_hash) if row else (0, "")
