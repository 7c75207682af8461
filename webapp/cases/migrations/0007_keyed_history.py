"""Key the case histories (Art. 15(3)): each event signed with HMAC-SHA256 under the
history key (webapp/cases/keyring.py) instead of an unkeyed SHA-256 anyone could redo.

Every existing chain is verified under the old rule first. A case whose old chain does
not verify is never re-signed (that would launder the tampering): the migration stops
and names it, unless FUZHI_HISTORY_KEEP_BROKEN=1, which keys the intact cases and
leaves the broken ones unsigned, so every later verification keeps naming them.

Reversible: backwards, each keyed chain is verified under the key and rewritten as the
unkeyed SHA-256 chain of before. The canonical form is copied here, frozen, so a later
change to webapp/cases/history.py cannot change what this migration computed.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC
from typing import Any

from django.db import migrations, models

GENESIS = "0" * 64
BATCH = 500


def _canonical(event: Any, business_key: str) -> bytes:
    payload = {
        "case": business_key,
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


def _sha256(event: Any, key: str) -> str:
    return hashlib.sha256(_canonical(event, key)).hexdigest()


def _chain_intact(case: Any, events: list[Any], digest: Any) -> bool:
    prev = GENESIS
    for expected, event in enumerate(events, start=1):
        if event.seq != expected or event.prev_hash != prev or digest(event) != event.hash:
            return False
        prev = event.hash
    return len(events) == case.event_count and prev == (case.head_hash or GENESIS)


def _rechain(case: Any, events: list[Any], digest: Any, key_id: str, models_: Any) -> None:
    prev = GENESIS
    for event in events:
        event.prev_hash = prev
        event.key_id = key_id
        event.hash = digest(event)
        prev = event.hash
    for start in range(0, len(events), BATCH):
        models_["event"].objects.bulk_update(
            events[start : start + BATCH], ["prev_hash", "hash", "key_id"]
        )
    models_["case"].objects.filter(pk=case.pk).update(head_hash=prev if events else "")


def _convert(apps: Any, old_digest: Any, new_digest: Any, new_key_id: str, keep: bool) -> None:
    models_ = {"case": apps.get_model("cases", "Case"), "event": apps.get_model("cases", "CaseEvent")}
    broken = []
    for case in models_["case"].objects.order_by("pk").iterator(chunk_size=200):
        events = list(models_["event"].objects.filter(case_id=case.pk).order_by("seq"))
        if not _chain_intact(case, events, lambda e, k=case.business_key: old_digest(e, k)):
            broken.append(case.business_key)
            continue
        _rechain(
            case, events, lambda e, k=case.business_key: new_digest(e, k), new_key_id, models_
        )
    if broken and not keep:
        raise RuntimeError(
            f"{len(broken)} case histories do not verify and were not re-signed: "
            f"{', '.join(broken[:20])}{' ...' if len(broken) > 20 else ''}. Investigate them "
            "(docs/reliability.md), or set FUZHI_HISTORY_KEEP_BROKEN=1 to key the others and "
            "leave these unsigned, so that every verification keeps naming them."
        )


def key_histories(apps: Any, schema_editor: Any) -> None:
    # Imported here: the keyring reads settings, and only this step needs it.
    from webapp.cases.keyring import keyring

    ring = keyring()

    def keyed(event: Any, key: str) -> str:
        return ring.sign(_canonical(event, key), event.key_id)

    keep = os.environ.get("FUZHI_HISTORY_KEEP_BROKEN", "") == "1"
    _convert(apps, _sha256, keyed, ring.current_id, keep)


def unkey_histories(apps: Any, schema_editor: Any) -> None:
    # Imported here: the keyring reads settings, and only this step needs it.
    from webapp.cases.keyring import keyring

    ring = keyring()

    def keyed(event: Any, key: str) -> str:
        if event.key_id not in ring.keys:
            return ""
        return ring.sign(_canonical(event, key), event.key_id)

    _convert(apps, keyed, _sha256, "", keep=False)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_task_queue_unclaimed")]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="key_id",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.RunPython(key_histories, unkey_histories, elidable=False),
    ]
