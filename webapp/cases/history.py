"""The case history: an append-only, keyed chain per case (Art. 15(3)).

Each event's hash is an HMAC-SHA256, under a key kept outside the database
(``keyring``), of its content and the previous event's hash; the event names the key
that signed it. The case row keeps the newest hash and the count, so an edited,
inserted or deleted row breaks the chain, and without the key nobody can recompute it;
``verify_case`` names every event where it breaks. What the database alone cannot
show (a whole case deleted, the newest events cut off with the head moved back, a chain
recomputed by someone holding the key) the signed checkpoints outside the database do
(``webapp/security/checkpoints.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webapp.accounts.names import display_name

from .keyring import keyring
from .models import Case, CaseEvent, HumanTask

GENESIS = "0" * 64


def _canonical(event: CaseEvent) -> bytes:
    payload = {
        "case": event.case.business_key,
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "kind": event.kind,
        "task": event.task_id,
        "bpmn_id": event.bpmn_id,
        "title": event.title,
        "data_before": event.data_before,
        "data_after": event.data_after,
        "comment": event.comment,
        "articles": event.articles,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: CaseEvent) -> str:
    """The event's signature under the key it names (the current key if it names none)."""
    return keyring().sign(_canonical(event), event.key_id or None)


def event_signed(event: CaseEvent) -> bool:
    """True when the stored hash is the signature of the stored content by a known key.
    An event naming no key (or an unknown one) is not signed: the unkeyed SHA-256 chain
    of before is never accepted, so nobody can downgrade an event to it."""
    return bool(event.key_id) and keyring().verifies(_canonical(event), event.key_id, event.hash)


def new_event(
    case: Case,
    *,
    kind: str,
    title: str,
    actor: Any = None,
    actor_role: str = "",
    task: HumanTask | None = None,
    bpmn_id: str = "",
    data_before: dict[str, Any] | None = None,
    data_after: dict[str, Any] | None = None,
    comment: str = "",
    articles: str = "",
) -> CaseEvent:
    """The next event of the case's chain, signed, and the case's head moved onto it
    (not yet written). The caller holds the case row lock and saves the case after."""
    event = CaseEvent(
        case=case,
        seq=case.event_count + 1,
        at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=_display_name(actor),
        actor_role=actor_role,
        kind=kind,
        task=task,
        bpmn_id=bpmn_id,
        title=title[:300],
        data_before=data_before or {},
        data_after=data_after or {},
        comment=comment,
        articles=articles,
        prev_hash=case.head_hash or GENESIS,
        key_id=keyring().current_id,
    )
    event.hash = event_hash(event)
    case.event_count = event.seq
    case.head_hash = event.hash
    return event


def append_event(case: Case, **fields: Any) -> CaseEvent:
    """Append one event now (``new_event``'s fields)."""
    event = new_event(case, **fields)
    event.save(force_insert=True)
    return event


def stage_event(case: Case, **fields: Any) -> CaseEvent:
    """Sign the next event and keep it on the case until ``write_staged``: a step writes
    its history lines in one statement instead of one each. The chain is the same."""
    event = new_event(case, **fields)
    case.__dict__.setdefault("_staged_events", []).append(event)
    return event


def write_staged(case: Case) -> list[CaseEvent]:
    """Insert the case's staged events in one statement (``save_case`` calls it before the
    case row, in the same transaction). They are kept on the case as the step's events."""
    staged: list[CaseEvent] = case.__dict__.pop("_staged_events", [])
    if staged:
        CaseEvent.objects.bulk_create(staged)
    case.__dict__["_step_events"] = staged
    return staged


def write_staged_many(cases: list[Case]) -> None:
    """``write_staged`` for a batch of cases: one statement for all their lines."""
    staged = {case.pk: case.__dict__.pop("_staged_events", []) for case in cases}
    CaseEvent.objects.bulk_create([event for events in staged.values() for event in events])
    for case in cases:
        case.__dict__["_step_events"] = staged[case.pk]


def staged_events(case: Case) -> list[CaseEvent]:
    """Events signed in this step and not yet written."""
    return list(case.__dict__.get("_staged_events", []))


def step_events(case: Case) -> list[CaseEvent] | None:
    """The events the case's last ``write_staged`` wrote (None: not stepped here)."""
    return case.__dict__.get("_step_events")


def _display_name(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "系统"  # the engine itself (timers, service tasks)
    return display_name(actor)


BREAK_LABELS = {
    "event missing": _("an event was deleted"),
    "does not follow": _("an event was inserted or reordered"),
    "content altered": _("an event's content was altered"),
    "newest events": _("the newest events were deleted or replaced"),
}


@dataclass(frozen=True)
class ChainBreak:
    business_key: str
    seq: int
    problem: str

    def __str__(self) -> str:
        return f"case {self.business_key} event #{self.seq}: {self.problem}"

    @property
    def label(self) -> str:
        """The break in the user's language, for the case page."""
        kind = next((k for k in BREAK_LABELS if self.problem.startswith(k)), "")
        return str(BREAK_LABELS.get(kind, self.problem))


# What else a history vouches for, checked with its chain: each stored file against the
# SHA-256 its event recorded (webapp/documents registers it in its AppConfig.ready()).
CONTENT_CHECKS: list[Callable[[Case], list[ChainBreak]]] = []


def verify_case(case: Case) -> list[ChainBreak]:
    """Recompute the chain; an empty list means the history is intact."""
    breaks: list[ChainBreak] = []
    prev = GENESIS
    expected_seq = 1
    events = CaseEvent.objects.filter(case=case).select_related("case").order_by("seq")
    for event in events:
        if event.seq != expected_seq:
            breaks.append(ChainBreak(case.business_key, expected_seq, "event missing (deleted)"))
            expected_seq = event.seq
        if event.prev_hash != prev:
            breaks.append(
                ChainBreak(
                    case.business_key,
                    event.seq,
                    "does not follow its predecessor (inserted or reordered)",
                )
            )
        if not event_signed(event):
            breaks.append(
                ChainBreak(
                    case.business_key,
                    event.seq,
                    "content altered (not signed by the history key)",
                )
            )
        prev = event.hash
        expected_seq += 1
    if expected_seq - 1 != case.event_count or prev != (case.head_hash or GENESIS):
        breaks.append(
            ChainBreak(case.business_key, case.event_count, "newest events missing or replaced")
        )
    for check in CONTENT_CHECKS:
        breaks.extend(check(case))
    return breaks
