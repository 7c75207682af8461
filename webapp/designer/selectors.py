"""Reads for the designer's pages: processes and their versions, what the panel offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from processes import compare
from webapp.accounts.roles import LANE_ROLES, Role
from webapp.accounts.selectors import has_role
from webapp.cases.definitions import parsed
from webapp.cases.models import CaseStatus, Definition, DefinitionState
from webapp.cases.operators import REGISTRY

from . import problem_texts
from .models import DesignerEvent, Draft


def is_designer(user: Any) -> bool:
    """Art. 26: the process designer role edits, deploys and migrates the models."""
    return has_role(user, Role.DESIGNER)


@dataclass
class ProcessRow:
    process_id: str
    name: str
    versions: list[Definition] = field(default_factory=list)
    drafts: list[Draft] = field(default_factory=list)

    @property
    def archived(self) -> bool:
        """Every version retired and no draft left: kept out of the main list."""
        return (
            bool(self.versions)
            and not self.drafts
            and all(v.state == DefinitionState.RETIRED for v in self.versions)
        )

    @property
    def own(self) -> bool:
        """One of Fuzhi's own processes (``load_models`` deployed a version of it)."""
        return any(v.deployed_by_id is None for v in self.versions)


def process_rows() -> list[ProcessRow]:
    """Every process with its versions (who deployed, when, running cases) and drafts."""
    rows: dict[str, ProcessRow] = {}
    versions = (
        Definition.objects.select_related("deployed_by")
        .annotate(running=Count("cases", filter=Q(cases__status=CaseStatus.RUNNING)))
        .order_by("process_id", "-version")
    )
    for definition in versions:
        row = rows.setdefault(
            definition.process_id, ProcessRow(definition.process_id, definition.name)
        )
        row.versions.append(definition)
    for draft in Draft.objects.select_related("updated_by").order_by("-updated_at"):
        rows.setdefault(draft.process_id, ProcessRow(draft.process_id, draft.name)).drafts.append(
            draft
        )
    return sorted(rows.values(), key=lambda r: r.process_id)


ACTIONS = {
    "imported": gettext_lazy("imported"),
    "deployed": gettext_lazy("deployed"),
    "migrated": gettext_lazy("moved a case"),
    "discarded": gettext_lazy("discarded a draft"),
    "archived": gettext_lazy("archived"),
}


def recent_events(limit: int = 30) -> list[DesignerEvent]:
    events = list(DesignerEvent.objects.select_related("actor")[:limit])
    for event in events:  # the log's action in words, not its code
        event.action_label = str(ACTIONS.get(event.action, event.action))  # type: ignore[attr-defined]
    return events


def panel_choices() -> dict[str, Any]:
    """What the properties panel offers: lane roles, operators, decisions deployed."""
    decisions: set[str] = set()
    for definition in Definition.objects.filter(state=DefinitionState.DEPLOYED):
        decisions.update(parsed(definition).decisions)
    return {
        "roles": [{"code": r, "label": str(Role(r).label)} for r in sorted(LANE_ROLES)],
        "operators": [
            {"name": name, "label": label} for name, label in sorted(REGISTRY.describe().items())
        ],
        "decisions": sorted(decisions),
    }


def main_xml(definition: Definition) -> str:
    """The BPMN file of a version (the one holding its process), for the viewers."""
    files = {f.name: bytes(f.content).decode("utf-8") for f in definition.files.all()}
    for name, text in sorted(files.items()):
        if name.endswith((".bpmn", ".xml")) and f'id="{definition.process_id}"' in text:
            return text
    return next((t for n, t in sorted(files.items()) if n.endswith(".bpmn")), "")


# Sample start data for a test run (a designer edits it before starting).
STAFF_SAMPLE = {
    "staff_name": "张三",
    "staff_state": "on_duty",
    "agency_name": "六安市城市管理局",
    "employment_mode": "unit",
    "post": "城管协管员",
}
SAMPLES: dict[str, dict[str, Any]] = {
    "recruitment": {
        "applicant_name": "李明",
        "id_number": "341502199603080073",
        "birth_date": "1996-03-08",
        "gender": "male",
        "age": 30,
        "education": "bachelor",
        "required_education": "college",
        "education_requirement_reason": "",
        "veteran": False,
        "bravery": False,
        "post": "城管协管员",
    },
    "usage_plan": {"agency_name": "六安市城市管理局", "agency_quota": 5, "headcount_in_use": 2},
    "assessment": {**STAFF_SAMPLE, "assessment_year": 2026},
}


def sample_data(process_id: str) -> dict[str, Any]:
    return SAMPLES.get(process_id, STAFF_SAMPLE)


@dataclass(frozen=True)
class VersionPair:
    """Two versions of a process to compare, and every version to choose from."""

    versions: list[Definition]
    old: Definition
    new: Definition


def version_pair(process_id: str, a: str = "", b: str = "") -> VersionPair | None:
    """Versions ``a`` (old) and ``b`` (new) of a process, by number; by default the newest
    and the one before it. None when the process has no version."""
    versions = list(Definition.objects.filter(process_id=process_id).order_by("-version"))
    if not versions:
        return None
    by_version = {str(v.version): v for v in versions}
    new = by_version.get(b, versions[0])
    old = by_version.get(a, versions[1] if len(versions) > 1 else new)
    return VersionPair(versions, old, new)


def model_changes(old: Definition, new: Definition) -> list[dict[str, str]]:
    """Decision tables and the properties the engine reads, each before and after
    (``processes/compare.py``), in the user's language."""
    changes = compare.bundle_changes(_files(old), _files(new))
    return [
        {
            "kind": c.kind,
            "file": c.file,
            "element": problem_texts.element(c.element),
            "what": problem_texts.compare_word(c.what),
            "before": c.before,
            "after": c.after,
        }
        for c in changes
    ]


def _files(definition: Definition) -> dict[str, bytes]:
    return dict(parsed(definition).files)


def form_changes(old: Definition, new: Definition) -> list[dict[str, str]]:
    """Field-level changes of the forms between two versions (the diagram diff cannot
    see them: forms are JSON files beside the BPMN)."""
    before, after = parsed(old).forms, parsed(new).forms
    changes: list[dict[str, str]] = []
    for form in sorted(set(before) | set(after)):
        if form not in after or form not in before:
            kind = "removed" if form not in after else "added"
            changes.append({"kind": kind, "form": form, "field": "", "detail": ""})
            continue
        changes.extend(_field_changes(form, before[form], after[form]))
    return changes


def _field_changes(form: str, old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, str]]:
    fields_a, fields_b = old.get("properties") or {}, new.get("properties") or {}
    required_a, required_b = set(old.get("required") or []), set(new.get("required") or [])
    changes = []
    for name in sorted(set(fields_a) | set(fields_b)):
        a, b = fields_a.get(name), fields_b.get(name)
        if a is None or b is None:
            kind = "added" if a is None else "removed"
            changes.append({"kind": kind, "form": form, "field": name, "detail": ""})
            continue
        details = [
            f"{key}: {a.get(key)!r} → {b.get(key)!r}"
            for key in sorted(set(a) | set(b))
            if a.get(key) != b.get(key)
        ]
        if (name in required_a) != (name in required_b):
            details.append(f"required: {name in required_a} → {name in required_b}")
        if details:
            changes.append(
                {"kind": "changed", "form": form, "field": name, "detail": "; ".join(details)}
            )
    return changes
