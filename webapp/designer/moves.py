"""Moving running cases onto a newer version of their process.

Which cases can move is decided by ``processes.migration.check`` (their current tasks
exist in the new version with the same type; the steps they took still exist). A move
rewrites the case's workflow state onto the new spec, points the case to the new
Definition, refreshes its open inbox tasks and appends a ``case_migrated`` event to the
case's hash-chained history, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from processes import engine, migration
from webapp.cases.definitions import parsed
from webapp.cases.history import append_event
from webapp.cases.models import Case, CaseStatus, Definition, HumanTask, TaskState
from webapp.errors import StepRefused, TaskConflict

from .services import assert_designer, audit

# processes.migration.REASONS in the user's language.
REASON_TEXTS = {
    "unreadable": gettext_lazy("its stored state cannot be read: %(error)s"),
    "other_process": gettext_lazy("the new version is another process (%(process)s)"),
    "task_missing": gettext_lazy("it is waiting in %(task)s, which the new version does not have"),
    "task_type": gettext_lazy(
        "it is waiting in %(task)s, a %(old)s here but a %(new)s in the new version"
    ),
    "subprocess_missing": gettext_lazy("its sub-process %(name)s is not in the new version"),
    "steps_removed": gettext_lazy("steps it already took are not in the new version: %(tasks)s"),
    "does_not_load": gettext_lazy("the moved state does not load on the new version: %(error)s"),
}


WARNING_TEXTS = {
    "skips_new_step": gettext_lazy(
        "it is already past %(task)s, a step the new version adds, so it will never take it"
    ),
}


def reason_text(reason: migration.Reason) -> str:
    return str({**REASON_TEXTS, **WARNING_TEXTS}[reason.code]) % reason.params


@dataclass(frozen=True)
class CaseMove:
    case: Case
    movability: migration.Movability

    @property
    def reasons(self) -> list[str]:
        return [reason_text(r) for r in self.movability.reasons]

    @property
    def warnings(self) -> list[str]:
        return [reason_text(r) for r in self.movability.warnings]


def movable_cases(target: Definition) -> list[CaseMove]:
    """Running cases on older versions of ``target``'s process, each with its answer."""
    cases = (
        Case.objects.filter(
            definition__process_id=target.process_id,
            definition__version__lt=target.version,
            status=CaseStatus.RUNNING,
        )
        .select_related("definition", "agency")
        .order_by("definition__version", "business_key")
    )
    new = parsed(target)
    return [
        CaseMove(case, migration.check(parsed(case.definition), new, case.state)) for case in cases
    ]


def case_migrate(*, case_id: int, target_id: int, user: Any) -> Case:
    """Move one running case to ``target``; refused with the reason when it cannot move."""
    assert_designer(user)
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("definition").get(pk=case_id)
        target = Definition.objects.get(pk=target_id)
        old = case.definition
        if case.status != CaseStatus.RUNNING or old.process_id != target.process_id:
            raise StepRefused(_("Only a running case of the same process can move."))
        if old.version >= target.version:
            raise StepRefused(_("The case is already on this version or a newer one."))
        try:
            state = migration.migrate(parsed(old), parsed(target), case.state)
        except migration.MigrationRefused as exc:
            why = "; ".join(reason_text(r) for r in exc.reasons)
            raise StepRefused(
                _("%(key)s cannot move: %(why)s") % {"key": case.business_key, "why": why}
            ) from None
        _refresh_tasks(case, target, state)
        append_event(
            case,
            kind="case_migrated",
            title=_("Moved from version %(old)d to version %(new)d of the process")
            % {"old": old.version, "new": target.version},
            actor=user,
            data_before={"definition_version": old.version},
            data_after={"definition_version": target.version},
        )
        updated = Case.objects.filter(pk=case.pk, version=case.version).update(
            definition=target,
            state=state,
            version=F("version") + 1,
            event_count=case.event_count,
            head_hash=case.head_hash,
        )
        if updated != 1:
            raise TaskConflict(_("This case changed while it was being moved; try again."))
        audit(user, "migrated", target.process_id, target.version, case=case.business_key)
    case.refresh_from_db()
    return case


@dataclass
class MoveReport:
    moved: int = 0
    refusals: list[str] = field(default_factory=list)


def cases_migrate(*, case_ids: Iterable[str | int], target_id: int, user: Any) -> MoveReport:
    """Move each case to ``target`` in its own transaction: one refused case (its reason
    in the report) leaves the others to move."""
    report = MoveReport()
    for case_id in case_ids:
        try:
            case_migrate(case_id=int(case_id), target_id=target_id, user=user)
        except (StepRefused, ValueError) as exc:
            report.refusals.append(getattr(exc, "message", str(exc)))
        else:
            report.moved += 1
    return report


def _refresh_tasks(case: Case, target: Definition, state: dict[str, Any]) -> None:
    """Open inbox rows follow the new version's names, forms and lanes (same engine ids)."""
    definition = parsed(target)
    ready = {t.id: t for t in engine.ready_human_tasks(definition, engine.load(definition, state))}
    for task in HumanTask.objects.filter(case=case, state__in=[TaskState.OPEN, TaskState.CLAIMED]):
        spec = ready.get(task.engine_task_id)
        if spec is None:  # cannot happen after a checked move; refuse rather than lose it
            raise StepRefused(
                _("%(key)s cannot move: its task %(task)s would be lost.")
                % {"key": case.business_key, "task": task.name}
            )
        task.name = spec.name
        task.documentation = spec.documentation
        task.form_name = spec.form_name
        task.role = spec.lane
        task.save(update_fields=["name", "documentation", "form_name", "role"])
