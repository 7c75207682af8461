"""Every write of a file to a case: checked first, stored and recorded in one transaction.

Each file is inspected (``files.inspect``) before anything is written, so a refused file
leaves nothing behind. Then, holding the case row's lock, each file is saved to the store,
given its ``Attachment`` row and recorded in the case's hash-chained history with its
SHA-256, name, size, type and uploader (Art. 15(3)). Should the transaction fail after a
file reached the store, the file is deleted again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.attachments import AttachmentSpec, attachment_fields
from webapp.accounts.names import display_name
from webapp.cases import services as case_services
from webapp.cases.definitions import parsed
from webapp.cases.history import append_event
from webapp.cases.models import Case, HumanTask
from webapp.cases.openings import recruitment_open
from webapp.cases.steps import save_case
from webapp.errors import NotPermitted, StepRefused, articles_in

from . import files
from .files import FileRefused, Upload
from .models import Attachment, Purpose, file_storage
from .selectors import may_contribute

# The documents an HR officer attaches when registering an applicant (Art. 10): the
# application form, the diploma, the ID card... as PDF or photos.
APPLICATION_SPEC = AttachmentSpec(accept=("pdf", "jpeg", "png"), max_files=5, max_size=0)
CASE_SPEC = AttachmentSpec(accept=("pdf", "jpeg", "png"), max_files=5, max_size=0)


@dataclass(frozen=True)
class Incoming:
    """A checked file on its way into a case, with the form field it answers."""

    upload: Upload
    field: str = ""


def inspected(uploaded: Sequence[Any], spec: AttachmentSpec, field: str = "") -> list[Incoming]:
    """Check every file of one field against its limits; the first refusal stops all."""
    if len(uploaded) > spec.max_files:
        raise FileRefused(
            _("At most %(count)d files may be attached here.") % {"count": spec.max_files},
            field=field,
        )
    return [
        Incoming(
            files.inspect(item, accept=spec.accept, max_size=spec.max_size, field=field), field
        )
        for item in uploaded
    ]


@contextmanager
def kept_only_on_success() -> Iterator[list[str]]:
    """Names saved to the store inside the block are deleted if the block fails (wrap
    the transaction in it: a step refused after its files were stored keeps none)."""
    saved: list[str] = []
    try:
        yield saved
    except BaseException:
        storage = file_storage()
        for name in saved:
            storage.delete(name)
        raise


def store(
    case: Case,
    incoming: Sequence[Incoming],
    *,
    actor: Any,
    purpose: str,
    saved: list[str],
    task: HumanTask | None = None,
    articles: str = "",
) -> list[Attachment]:
    """Save each file and record it in the history. The caller holds the case row's
    lock, runs inside a transaction and saves the case afterwards."""
    return [
        _store_one(
            case, item, actor=actor, purpose=purpose, saved=saved, task=task, articles=articles
        )
        for item in incoming
    ]


def _store_one(
    case: Case,
    item: Incoming,
    *,
    actor: Any,
    purpose: str,
    saved: list[str],
    task: HumanTask | None,
    articles: str,
) -> Attachment:
    upload = item.upload
    # A random name: the uploader's name is kept in the row, never used as a path.
    path = f"attachments/{case.pk}/{uuid.uuid4().hex}{upload.extension}"
    path = file_storage().save(path, ContentFile(upload.data))
    saved.append(path)
    person = actor if actor is not None and actor.is_authenticated else None
    attachment = Attachment(
        case=case,
        task=task,
        field=item.field,
        purpose=purpose,
        name=upload.name,
        content_type=upload.content_type,
        size=upload.size,
        sha256=upload.sha256,
        original_sha256=upload.original_sha256,
        uploaded_by=person,
        uploaded_by_name=display_name(person) if person else _("the public"),
        uploaded_at=timezone.now(),
        event_seq=case.event_count + 1,
    )
    attachment.file.name = path
    attachment.save()
    _record(case, attachment, actor=person, task=task, articles=articles)
    return attachment


def _record(
    case: Case, attachment: Attachment, *, actor: Any, task: HumanTask | None, articles: str
) -> None:
    append_event(
        case,
        kind="attachment_added",
        title=_("Attachment %(name)s (%(kind)s, %(size)s) SHA-256 %(sha256)s")
        % {
            "name": attachment.name,
            "kind": files.kind_label(attachment.content_type),
            "size": files.size_text(attachment.size),
            "sha256": attachment.sha256,
        },
        actor=actor,
        actor_role=task.role if task is not None else "",
        task=task,
        bpmn_id=task.bpmn_id if task is not None else "",
        data_after={"attachment": reference(attachment, full=True)},
        articles=articles,
    )


def reference(attachment: Attachment, *, full: bool = False) -> dict[str, Any]:
    """The file as the case data and the history name it (``processes.attachments``)."""
    ref: dict[str, Any] = {
        "attachment": attachment.pk,
        "name": attachment.name,
        "sha256": attachment.sha256,
        "size": attachment.size,
        "type": attachment.content_type,
    }
    if full:
        ref = {
            "id": attachment.pk,
            **{k: v for k, v in ref.items() if k != "attachment"},
            "purpose": attachment.purpose,
            "field": attachment.field,
            "uploaded_by": attachment.uploaded_by_name,
            "original_sha256": attachment.original_sha256,
        }
    return ref


def _locked_case(case_id: int) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("definition").get(pk=case_id)


def case_attachments_add(*, case_id: int, user: Any, uploaded: Sequence[Any]) -> list[Attachment]:
    """Someone acting on the case adds files to it (outside any form)."""
    if not uploaded:
        raise FileRefused(_("Choose the files to attach."), field="files")
    incoming = inspected(uploaded, CASE_SPEC, "files")
    with kept_only_on_success() as saved, transaction.atomic():
        case = _locked_case(case_id)
        if not may_contribute(user, case):
            raise NotPermitted(_("Only those who act on this case may add files to it (Art. 4)."))
        attachments = store(case, incoming, actor=user, purpose=Purpose.CASE, saved=saved)
        save_case(case)
    return attachments


def form_files(task: HumanTask, uploaded: Mapping[str, Sequence[Any]]) -> list[Incoming]:
    """Check the files posted for each attachment field of the task's form."""
    definition = parsed(task.case.definition)
    schema = definition.forms.get(task.form_name) or {}
    incoming: list[Incoming] = []
    for name, spec in attachment_fields(schema).items():
        incoming += inspected(list(uploaded.get(name) or []), spec, name)
    return incoming


def task_complete_with_files(
    *,
    task_id: int,
    user: Any,
    data: Mapping[str, Any],
    comment: str = "",
    uploaded: Mapping[str, Sequence[Any]] | None = None,
) -> Case:
    """Complete a task whose form has attachment fields: the files are stored and
    recorded first, then the step runs with each field naming its files by SHA-256, all
    in one transaction (a refused step keeps no file)."""
    task = HumanTask.objects.select_related("case__definition").get(pk=task_id)
    incoming = form_files(task, uploaded or {})
    if not incoming:
        return case_services.task_complete(task_id=task_id, user=user, data=data, comment=comment)
    with kept_only_on_success() as saved, transaction.atomic():
        # task_complete checks who may act; refused, the whole block rolls back.
        case = _locked_case(task.case_id)
        stored = store(
            case,
            incoming,
            actor=user,
            purpose=Purpose.FORM,
            saved=saved,
            task=task,
            articles=articles_in(task.documentation),
        )
        save_case(case)
        values = {k: v for k, v in data.items() if k not in {i.field for i in incoming}}
        for item, attachment in zip(incoming, stored, strict=True):
            values.setdefault(item.field, []).append(reference(attachment))
        return case_services.task_complete(task_id=task_id, user=user, data=values, comment=comment)


def recruitment_open_with_documents(
    *, user: Any, fields: dict[str, Any], uploaded: Sequence[Any]
) -> Case:
    """Register an applicant with their documents (diploma, ID card...; Art. 10)."""
    incoming = inspected(uploaded, APPLICATION_SPEC, "documents")
    with kept_only_on_success() as saved, transaction.atomic():
        case = recruitment_open(user=user, fields=fields)
        if incoming:
            case = _locked_case(case.pk)
            store(
                case,
                incoming,
                actor=user,
                purpose=Purpose.APPLICATION,
                saved=saved,
                articles="Art. 10",
            )
            save_case(case)
    return case


def evidence_attach(case: Case, incoming: Sequence[Incoming], saved: list[str]) -> None:
    """The complainant's photos or PDF, inside the transaction that opened the complaint
    (Art. 18); ``saved`` collects the stored names for the caller's clean-up."""
    locked = _locked_case(case.pk)
    store(locked, incoming, actor=None, purpose=Purpose.EVIDENCE, saved=saved, articles="Art. 18")
    save_case(locked)


def refuse_forged_references(task: HumanTask, data: Mapping[str, Any]) -> None:
    """An API caller may not name files in an attachment field: only a file stored with
    this case through an upload gets a reference, so nothing can be claimed unseen."""
    schema = parsed(task.case.definition).forms.get(task.form_name) or {}
    for name in attachment_fields(schema):
        if data.get(name):
            raise StepRefused(
                _("Files are attached on the task page; %(field)s cannot be given here.")
                % {"field": schema["properties"][name].get("title", name)},
                field=name,
            )
