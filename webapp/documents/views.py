"""Files and the thread of a case: download, add, comment; a member's photo.

Every address finds its case (or member) through the reader's visibility first, so
another agency's file is a 404. Files go out as downloads (never rendered by the
browser as a page of this site), each checked against its recorded SHA-256 first.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from webapp.cases.models import Case
from webapp.cases.selectors import case_for
from webapp.errors import StepRefused
from webapp.staff.selectors import staff_visible_to

from . import conversation, photos, services
from .models import read_stored
from .responses import file_response
from .selectors import (
    attachment_for,
    case_attachments,
    case_comments,
    current_photo,
    may_contribute,
    photo_bytes,
)


def panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """What the files-and-thread panel shows, for the case page and the task page."""
    return {
        "case": case,
        "attachments": list(case_attachments(case)),
        "comments": list(case_comments(case)),
        "may_contribute": may_contribute(request.user, case),
        "back": request.get_full_path(),
    }


def case_panel(request: HttpRequest, case: Case) -> str:
    """The panel's HTML (registered with the case page, ``cases.panels``)."""
    return render_to_string("documents/_case_panel.html", panel_context(request, case), request)


@login_required
@require_GET
def download(request: HttpRequest, attachment_id: int) -> HttpResponse:
    attachment = attachment_for(request.user, attachment_id)
    data = read_stored(attachment.file.name)
    if data is None or hashlib.sha256(data).hexdigest() != attachment.sha256:
        # Art. 15(3): a file that no longer matches its history is not handed out as if
        # it were the one decided on.
        return HttpResponse(
            _("This file no longer matches the SHA-256 recorded in the case history."),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    return file_response(data, name=attachment.name, content_type=attachment.content_type)


def _back(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


@login_required
@require_POST
def case_upload(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    try:
        added = services.case_attachments_add(
            case_id=case.pk, user=request.user, uploaded=request.FILES.getlist("files")
        )
    except StepRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)d file(s) attached.") % {"count": len(added)})
    return redirect(_back(request, reverse("cases:detail", args=[case.pk])))


@login_required
@require_POST
def comment_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id)
    try:
        conversation.comment_add(
            case_id=case.pk, user=request.user, body=request.POST.get("body", "")
        )
    except StepRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Comment added to the case history."))
    return redirect(_back(request, reverse("cases:detail", args=[case.pk])) + "#thread")


@login_required
@require_POST
def photo_upload(request: HttpRequest, staff_id: int) -> HttpResponse:
    member = staff_visible_to(request.user, staff_id)
    try:
        photos.staff_photo_set(staff=member, user=request.user, uploaded=request.FILES.get("photo"))
    except StepRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Photo saved in the archive."))
    return redirect("staff:detail", staff_id=member.pk)


@login_required
@require_GET
def photo(request: HttpRequest, staff_id: int) -> HttpResponse:
    """The member's photo for their archive page (inline: a re-encoded JPEG)."""
    member = staff_visible_to(request.user, staff_id)
    data = photo_bytes(member)
    if data is None:
        return HttpResponse(status=404)
    current = current_photo(member)
    name = f"{member.name}.jpg" if current else "photo.jpg"
    return file_response(data, name=name, content_type="image/jpeg", inline=True)
