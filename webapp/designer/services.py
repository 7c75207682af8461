"""Writes of the process designer: open, import, save (optimistic), deploy; and the test
run, which replays a draft in memory and writes nothing.

Only the process designer role edits and deploys. Every import, deploy and case
migration is recorded in the designer's log and in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from processes import catalog, forms, trial_run, xmlsafe
from processes.definition import content_hash
from processes.errors import HostileInput, ModelError
from processes.jsonsafe import JsonRefused, load_json
from webapp.accounts.names import display_name
from webapp.cases.definitions import definition_deploy, latest_deployed
from webapp.cases.models import Definition, DefinitionState
from webapp.cases.operators import REGISTRY
from webapp.cases.steps import ENGINE_HELPERS
from webapp.errors import NotPermitted, StepRefused, TaskConflict
from webapp.security.services import audit_record

from . import checking, problem_texts
from .models import DesignerEvent, Draft
from .selectors import is_designer

FILE_NAME = re.compile(r"^(?:forms/[\w.\-]+\.json|[\w.\-]+\.(?:bpmn|dmn|xml))$")
MAX_FILES = 40


class DraftConflict(TaskConflict):
    """The draft was saved by someone else since this editor loaded it (HTTP 409)."""

    def __init__(self, message: str, *, draft: Draft) -> None:
        self.draft = draft
        super().__init__(message)


class NewerVersionDeployed(StepRefused):
    """The draft was started from a version older than the newest one: deploying it
    would silently undo what the newer version changed, so the designer confirms."""

    status = 409


class HostileFile(StepRefused):
    """A file was refused before anything else read it (entities, external refs, size)."""


def assert_designer(user: Any) -> None:
    if not is_designer(user):
        raise NotPermitted(_("Only a process designer can edit and deploy process models."))


def audit(actor: Any, action: str, process_id: str, version: int | None, **detail: Any) -> None:
    """The designer's log, and the audit log."""
    DesignerEvent.objects.create(
        actor=actor, action=action, process_id=process_id, version=version, detail=detail
    )
    # The audit log records deploys itself (on the Definition's state change).
    if action != "deployed":
        target = f"{process_id} v{version}" if version else process_id
        audit_record(actor, f"designer.{action}", target, detail)


# ------------------------------------------------------------------ files in, files out


def clean_files(files: Any) -> dict[str, str]:
    """The bundle as {name: text}, refusing odd names, too many files and hostile XML."""
    if not isinstance(files, dict) or not files:
        raise StepRefused(_("A model needs at least one file."))
    if len(files) > MAX_FILES:
        raise StepRefused(_("A model has at most %(n)d files.") % {"n": MAX_FILES})
    cleaned: dict[str, str] = {}
    for name, text in files.items():
        if not isinstance(name, str) or not FILE_NAME.match(name) or not isinstance(text, str):
            raise StepRefused(
                _("“%(name)s” is not a model file name (.bpmn, .dmn, or forms/….json).")
                % {"name": str(name)[:80]}
            )
        if "\x00" in text:
            # No XML or JSON file holds a NUL, and PostgreSQL cannot store one in text.
            raise HostileFile(
                _("Refused: %(name)s contains a NUL character, which no model file may hold.")
                % {"name": name}
            )
        cleaned[name] = text
    refuse_hostile(cleaned)
    return cleaned


def refuse_hostile(files: Mapping[str, str]) -> None:
    for name, text in files.items():
        if name.endswith(xmlsafe.XML_SUFFIXES):
            try:
                xmlsafe.parse_model_xml(text.encode("utf-8"), name)
            except ModelError as exc:
                if isinstance(exc, HostileInput):
                    raise HostileFile(
                        _("Refused: %(problem)s") % {"problem": problem_texts.located(exc)}
                    ) from None
    encoded = {name: text.encode("utf-8") for name, text in files.items()}
    hostile = checking.hostile(forms.parse_forms(encoded)[1])  # oversized, external $ref
    if hostile:
        raise HostileFile(
            _("Refused: %(problem)s") % {"problem": problem_texts.located(hostile[0])}
        )


_UTF16_DECLARATION = re.compile(r"""(<\?xml[^>]*encoding=["'])UTF-16(?:LE|BE)?(["'])""", re.I)


def decode_upload(name: str, data: bytes) -> str:
    if len(data) > xmlsafe.MAX_MODEL_BYTES:
        raise HostileFile(
            _("Refused: %(name)s is over the %(limit)s-byte limit.")
            % {"name": name, "limit": f"{xmlsafe.MAX_MODEL_BYTES:,}"}
        )
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) and name.endswith(xmlsafe.XML_SUFFIXES):
            # UTF-16 XML (which bpmn_check reads) is kept as UTF-8, its declaration too.
            text = data.decode("utf-16")
            return _UTF16_DECLARATION.sub(r"\1UTF-8\2", text, count=1)
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StepRefused(_("%(name)s is not UTF-8 text.") % {"name": name}) from None


def model_identity(files: Mapping[str, str]) -> tuple[str, str]:
    """(process id, name) a bundle is known by: its first process, else its first decision."""
    for tag in ("process", "decision"):
        for name, text in sorted(files.items()):
            if not name.endswith((".bpmn", ".dmn", ".xml")):
                continue
            try:
                tree = xmlsafe.parse_model_xml(text.encode("utf-8"), name)
            except ModelError:
                continue
            node = next(tree.iter(f"{{*}}{tag}"), None)
            if node is not None and node.get("id"):
                return node.get("id", "")[:64], (node.get("name") or node.get("id", ""))[:200]
    stem = next(iter(sorted(files))).rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return stem[:64], stem[:200]


# ------------------------------------------------------------------------- drafts


def draft_open(*, process_id: str, user: Any, version: int | None = None) -> Draft:
    """The draft of ``process_id`` (the newest one), or a new one from a deployed version."""
    assert_designer(user)
    if version is None:
        existing = Draft.objects.filter(process_id=process_id).order_by("-updated_at").first()
        if existing is not None:
            return existing
        definition = latest_deployed(process_id)
    else:
        definition = Definition.objects.get(process_id=process_id, version=version)
    files = {f.name: bytes(f.content).decode("utf-8") for f in definition.files.all()}
    return Draft.objects.create(
        process_id=process_id,
        name=definition.name,
        files=files,
        based_on=definition,
        problems=checking.report(files),
        updated_at=timezone.now(),
        updated_by=user,
    )


def draft_import(*, user: Any, uploads: Mapping[str, bytes]) -> Draft:
    """A new draft from uploaded .bpmn/.dmn/.json files (refused if any is hostile). A
    conflict download (the editor's files as one JSON object) imports as its files."""
    assert_designer(user)
    uploads = _unpacked(uploads)
    files = clean_files(
        {_upload_name(name): decode_upload(name, data) for name, data in uploads.items()}
    )
    process_id, name = model_identity(files)
    draft = Draft.objects.create(
        process_id=process_id,
        name=name,
        files=files,
        problems=checking.report(files),
        updated_at=timezone.now(),
        updated_by=user,
    )
    audit(user, "imported", process_id, None, files=sorted(files))
    return draft


def _unpacked(uploads: Mapping[str, bytes]) -> Mapping[str, bytes]:
    """The files inside a conflict download (``{"x.bpmn": "<xml…>", "forms/a.json": …}``),
    else the uploads as they are."""
    if len(uploads) != 1:
        return uploads
    [(name, data)] = uploads.items()
    if not name.endswith(".json"):
        return uploads
    try:
        bundle = load_json(data, max_bytes=xmlsafe.MAX_MODEL_BYTES)
    except JsonRefused:
        return uploads
    if not isinstance(bundle, dict) or not bundle:
        return uploads
    named = all(
        isinstance(k, str) and isinstance(v, str) and k.endswith((".bpmn", ".dmn", ".json"))
        for k, v in bundle.items()
    )
    if not named or not any(k.endswith(".bpmn") for k in bundle):
        return uploads  # a form schema, not a bundle
    return {k: v.encode("utf-8") for k, v in bundle.items()}


def draft_discard(*, draft_id: int, user: Any) -> str:
    """Delete a draft (its versions, if any, stay deployed); returns its process id."""
    assert_designer(user)
    draft = Draft.objects.get(pk=draft_id)
    process_id = draft.process_id
    draft.delete()
    audit(user, "discarded", process_id, None, draft=draft_id)
    return process_id


def process_archive(*, process_id: str, user: Any) -> int:
    """Retire every deployed version of a process a designer brought in (no new case
    starts on it; running cases finish on their version). Fuzhi's own processes, which
    ``load_models`` deploys from ``bpmn/``, carry the regulation and are never archived.
    Returns how many versions were retired."""
    assert_designer(user)
    versions = Definition.objects.select_for_update().filter(process_id=process_id)
    with transaction.atomic():
        if any(v.deployed_by_id is None for v in versions):
            raise StepRefused(
                _("%(p)s is one of Fuzhi's own processes; it can be changed, not archived.")
                % {"p": process_id}
            )
        retired = 0
        for version in versions.filter(state=DefinitionState.DEPLOYED):
            version.retire()
            version.save(update_fields=["state"])
            retired += 1
    audit(user, "archived", process_id, None, versions=retired)
    return retired


def _upload_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return f"forms/{base}" if base.endswith(".json") else base


def draft_save(*, draft_id: int, revision: int, files: Any, user: Any) -> Draft:
    """Save a draft if nobody saved it since ``revision``; a model with errors saves too."""
    assert_designer(user)
    cleaned = clean_files(files)
    with transaction.atomic():
        draft = Draft.objects.select_for_update().get(pk=draft_id)
        if draft.revision != revision:
            raise DraftConflict(changed_underneath(draft), draft=draft)
        problems = checking.report(cleaned)
        now = timezone.now()
        updated = Draft.objects.filter(pk=draft.pk, revision=revision).update(
            files=cleaned,
            problems=problems,
            revision=F("revision") + 1,
            updated_at=now,
            updated_by=user,
        )
        if updated != 1:  # SQLite without row locks: the revision check still holds
            draft.refresh_from_db()
            raise DraftConflict(changed_underneath(draft), draft=draft)
    draft.refresh_from_db()
    return draft


def changed_underneath(draft: Draft) -> str:
    who = draft.updated_by
    name = display_name(who) if who else "?"
    when = timezone.localtime(draft.updated_at).strftime("%Y-%m-%d %H:%M:%S")
    return _(
        "This draft was changed underneath you by %(who)s at %(when)s (revision %(rev)d). "
        "Your version was not saved and is kept here: download it or reload and merge."
    ) % {"who": name, "when": when, "rev": draft.revision}


def draft_deploy(
    *, draft_id: int, revision: int, user: Any, over_newer: bool = False
) -> Definition:
    """Deploy the saved draft as the process's next version; refused while it has errors,
    and, unless ``over_newer``, when a newer version than the draft's base was deployed."""
    assert_designer(user)
    draft = Draft.objects.get(pk=draft_id)
    if draft.revision != revision:
        raise DraftConflict(changed_underneath(draft), draft=draft)
    if not over_newer:
        _refuse_over_newer(draft)
    problems = checking.draft_problems(draft.files)
    if problems:
        raise StepRefused(
            _("The model has %(n)d problem(s) and cannot be deployed; the first: %(first)s")
            % {"n": len(problems), "first": problem_texts.located(problems[0])}
        )
    if not any(checking.is_process_file(n, t) for n, t in draft.files.items()):
        raise StepRefused(
            _(
                "Only a process can be deployed; a decision table is deployed with the "
                "process that calls it."
            )
        )
    files = {n: t.encode("utf-8") for n, t in draft.files.items()}
    existing = set(
        Definition.objects.filter(content_hash=content_hash(files)).values_list("pk", flat=True)
    )
    definition = definition_deploy(files=files, user=user)
    if definition.pk in existing:  # the newest version already has exactly these files
        raise StepRefused(
            _("Version %(v)d already has exactly these files; nothing was deployed.")
            % {"v": definition.version}
        )
    Draft.objects.filter(pk=draft.pk).update(based_on=definition, process_id=definition.process_id)
    audit(user, "deployed", definition.process_id, definition.version, draft=draft.pk)
    return definition


def _refuse_over_newer(draft: Draft) -> None:
    base = draft.based_on
    if base is None:
        return
    newest = Definition.objects.filter(process_id=base.process_id).order_by("-version").first()
    if newest is not None and newest.version > base.version:
        raise NewerVersionDeployed(
            _(
                "This draft was started from version %(base)d, but version %(newest)d has "
                "been deployed since; deploying it would undo what version %(newest)d "
                "changed. Compare the two first, or deploy anyway."
            )
            % {"base": base.version, "newest": newest.version}
        )


# ----------------------------------------------------------------------- checks, test run


def files_check(*, files: Any) -> list[dict[str, Any]]:
    """What a deploy of these (unsaved) files would refuse, each tied to its element."""
    return checking.report(clean_files(files))


def draft_test_run(*, user: Any, files: Any, start: Any, inputs: Any) -> trial_run.TrialRun:
    """Replay a test run of ``files`` in memory from ``start`` data with the given task
    inputs; operators only record what they would do, so nothing is stored anywhere.
    Refused while the model has a problem a deploy would refuse."""
    assert_designer(user)
    cleaned = clean_files(files)
    problems = checking.draft_problems(cleaned)
    if problems:
        raise StepRefused(
            _("Fix the model's problems before a test run; the first: %(first)s")
            % {"first": problem_texts.located(problems[0])}
        )
    definition = catalog.load_definition({n: t.encode("utf-8") for n, t in cleaned.items()})
    inputs, start = inputs or [], start or {}
    if not isinstance(inputs, list) or not isinstance(start, dict):
        raise StepRefused(_("The request is not valid JSON."))
    return trial_run.run(
        definition, start, inputs, operators=REGISTRY.names(), helpers=ENGINE_HELPERS
    )
