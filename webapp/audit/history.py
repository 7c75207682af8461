"""A case history as rows a person reads: shared by the exports (labels, local times)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.cases.definitions import parsed
from webapp.cases.history import verify_case
from webapp.cases.models import Case
from webapp.cases.presenters import timeline
from webapp.cases.selectors import case_timeline


@dataclass(frozen=True)
class HistoryRow:
    seq: int
    at: str
    actor: str
    role: str
    kind: str
    title: str
    articles: str
    comment: str
    changes: list[tuple[str, str, str]]
    bpmn_id: str
    hash: str

    @property
    def changes_text(self) -> str:
        return "\n".join(f"{label}: {before} → {after}" for label, before, after in self.changes)


def history_rows(case: Case) -> list[HistoryRow]:
    definition = parsed(case.definition)
    return [
        HistoryRow(
            seq=event.seq,
            at=local_time(event.at),
            actor=event.actor_name,
            role=event.role_label,
            kind=event.kind_label,
            title=event.title,
            articles=event.articles,
            comment=event.comment,
            changes=changes,
            bpmn_id=event.bpmn_id,
            hash=event.hash,
        )
        for event, changes in timeline(definition, case_timeline(case))
    ]


def local_time(moment: object) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")  # type: ignore[arg-type]


def integrity_line(case: Case) -> str:
    """One sentence on the case's hash chain, for exports (Art. 15(3))."""
    breaks = verify_case(case)
    if not breaks:
        return _("History integrity verified (signed chain intact).")
    found = "; ".join(f"#{b.seq} {b.label}" for b in breaks)
    return _("History integrity check FAILED:") + " " + found
