"""Reads of files and comments, always through the case's visibility (Art. 4)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from webapp.accounts.selectors import acting_agency_ids, visible_agency_ids
from webapp.cases.models import Case
from webapp.staff.models import Staff

from .models import Attachment, Comment, StaffPhoto, read_stored


def may_contribute(user: Any, case: Case) -> bool:
    """Who may comment on a case and add files to it: whoever acts (not only reads) in
    its agency or in an agency one of its tasks went to (the staffing office...)."""
    agencies = acting_agency_ids(user)
    if case.agency_id in agencies:
        return True
    return case.tasks.filter(agency_id__in=agencies).exists()


def case_attachments(case: Case) -> QuerySet[Attachment]:
    return Attachment.objects.filter(case=case).select_related("task").order_by("uploaded_at", "pk")


def case_comments(case: Case) -> QuerySet[Comment]:
    return Comment.objects.filter(case=case).order_by("created_at", "pk")


def attachment_for(user: Any, attachment_id: int) -> Attachment:
    """The file if its case is one the user may see; 404 otherwise (another agency's
    file does not exist for them)."""
    attachment = (
        Attachment.objects.select_related("case")
        .filter(pk=attachment_id, case__agency_id__in=visible_agency_ids(user))
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def current_photo(staff: Staff) -> StaffPhoto | None:
    return StaffPhoto.objects.filter(staff=staff).order_by("-uploaded_at", "-pk").first()


def photo_bytes(staff: Staff) -> bytes | None:
    """The member's current photo as JPEG bytes, or None."""
    photo = current_photo(staff)
    return read_stored(photo.file.name) if photo is not None else None
