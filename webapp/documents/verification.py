"""Does every stored file still match the SHA-256 its case's history recorded?

The history line written when a file was added (``attachment_added``) is covered by the
case's hash chain; this check recomputes each stored file's SHA-256 and compares it with
that line. A file replaced in the store, a row whose recorded hash was edited, a file
gone from the store or a row no history line vouches for is a break, reported with the
chain's own breaks by ``verify_case`` (and so by ``verify_history``, ``check_integrity``,
the case page and the exports).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils.translation import gettext_lazy as _

from webapp.cases.history import ChainBreak
from webapp.cases.models import Case, CaseEvent

from .models import Attachment, Comment, file_storage

CHUNK = 1 << 20
FILE_BREAK_LABELS = {
    "file replaced": _("a stored file no longer matches the SHA-256 in the history"),
    "file missing": _("a file recorded in the history is missing from the store"),
    "file not recorded": _("a file is kept that no history line records"),
    "comment altered": _("a comment no longer matches its line in the history"),
}


class FileBreak(ChainBreak):
    """A break between the history and a stored file."""

    @property
    def label(self) -> str:
        kind = next((k for k in FILE_BREAK_LABELS if self.problem.startswith(k)), "")
        return str(FILE_BREAK_LABELS.get(kind, self.problem))


def recorded_files(case: Case) -> dict[int, tuple[int, str]]:
    """Attachment id -> (event seq, SHA-256) as the case's history lines record them."""
    events = CaseEvent.objects.filter(case=case, kind="attachment_added").order_by("seq")
    recorded: dict[int, tuple[int, str]] = {}
    for seq, data in events.values_list("seq", "data_after"):
        item: Any = (data or {}).get("attachment") or {}
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            recorded[item["id"]] = (seq, str(item.get("sha256", "")))
    return recorded


def stored_sha256(attachment: Attachment) -> str | None:
    """The SHA-256 of the bytes in the store now, or None if the file is gone."""
    storage = file_storage()
    name = attachment.file.name
    if not name or not storage.exists(name):
        return None
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def attachment_breaks(case: Case) -> list[ChainBreak]:
    """Every stored file of ``case`` checked against its history line."""
    recorded = recorded_files(case)
    key = case.business_key
    breaks: list[ChainBreak] = []
    attachments = list(Attachment.objects.filter(case=case).order_by("pk"))
    for gone in sorted(set(recorded) - {a.pk for a in attachments}):
        breaks.append(FileBreak(key, recorded[gone][0], f"file missing: attachment {gone}"))
    for attachment in attachments:
        seq, sha256 = recorded.get(attachment.pk, (attachment.event_seq, ""))
        where = f"{attachment.name} (attachment {attachment.pk})"
        if not sha256:
            breaks.append(FileBreak(key, seq, f"file not recorded in the history: {where}"))
            continue
        actual = stored_sha256(attachment)
        if actual is None:
            breaks.append(FileBreak(key, seq, f"file missing from the store: {where}"))
        elif actual != sha256 or attachment.sha256 != sha256:
            breaks.append(FileBreak(key, seq, f"file replaced (SHA-256 mismatch): {where}"))
    return breaks


def comment_breaks(case: Case) -> list[ChainBreak]:
    """Each comment of the thread against the history line written with it: the thread
    shows the comment rows, so an edited row is a break like an edited event."""
    said = dict(
        CaseEvent.objects.filter(case=case, kind="comment_added").values_list("seq", "comment")
    )
    rows = Comment.objects.filter(case=case).values_list("pk", "event_seq", "body")
    return [
        FileBreak(case.business_key, seq, f"comment altered: comment {pk}")
        for pk, seq, body in rows
        if said.get(seq) != body
    ]
