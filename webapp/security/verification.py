"""What the chains alone cannot say, said against the last checkpoint (Art. 15(3)).

``verify_history`` and ``check_integrity`` read every case's chain (``verify_case``);
here: the audit log's chain, and each case and the audit log against the heads the
checkpoint file recorded: a case deleted, events cut off the end, a history recomputed.
Each finding is (where, problem); ``where`` names the case and the events.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Max

from webapp.cases.models import Case, CaseEvent

from . import audit_chain, checkpoints
from .models import AuditEntry

Finding = tuple[str, str]


def audit_findings() -> Iterator[Finding]:
    for seq, problem in audit_chain.breaks():
        yield f"audit log line #{seq}", problem


def checkpoint_findings(fold: checkpoints.Fold | None = None) -> Iterator[Finding]:
    fold = fold if fold is not None else checkpoints.read()
    for problem in fold.problems:
        yield f"checkpoint file {checkpoints.path()}", problem
    rows = Case.objects.values_list("business_key", "pk", "event_count", "head_hash")
    current = {key: (pk, count, head) for key, pk, count, head in rows.iterator(chunk_size=5000)}
    for key, (count, head, number) in sorted(fold.cases.items()):
        row = current.get(key)
        if row is None:
            yield (
                f"case {key}",
                f"deleted: checkpoint #{number} recorded it with {count} events",
            )
        elif (row[1], row[2]) != (count, head):
            yield from _case_against(key, row[0], count, head, number)
    yield from _audit_against(fold.audit)


def _case_against(key: str, case_id: int, count: int, head: str, number: int) -> Iterator[Finding]:
    events = CaseEvent.objects.filter(case_id=case_id)
    stored = events.filter(seq=count).values_list("hash", flat=True).first()
    if stored is None:
        kept = events.filter(seq__lt=count).aggregate(last=Max("seq"))["last"] or 0
        yield (
            f"case {key} events #{kept + 1}–#{count}",
            f"deleted: the history was cut short (checkpoint #{number} recorded {count} events)",
        )
    elif stored != head:
        yield (
            f"case {key} event #{count}",
            f"rewritten: not the event checkpoint #{number} recorded; the history up to it "
            "was recomputed",
        )


def _audit_against(recorded: tuple[int, str, int]) -> Iterator[Finding]:
    count, head, number = recorded
    if not count:
        return
    stored = AuditEntry.objects.filter(seq=count).values_list("hash", flat=True).first()
    if stored is None:
        kept = AuditEntry.objects.filter(seq__lt=count).aggregate(last=Max("seq"))["last"] or 0
        yield (
            f"audit log lines #{kept + 1}–#{count}",
            f"deleted (checkpoint #{number} recorded {count} lines)",
        )
    elif stored != head:
        yield (
            f"audit log line #{count}",
            f"rewritten: not the line checkpoint #{number} recorded",
        )
