"""How large a request to an upload address may be (explicit settings, docs/documents.md).

The request-size limits of the rest of the app (a few hundred KB for a form or a JSON
call) would refuse a diploma scan; these addresses take files, so each has its own
bounded limit: ``FUZHI_UPLOAD_MAX_BODY`` for signed-in staff, the smaller
``FUZHI_PUBLIC_UPLOAD_MAX_BODY`` for the public complaint form. A request-size
middleware asks ``upload_body_limit(path)`` first and applies its own limit when it
answers None.
"""

from __future__ import annotations

import re

from django.conf import settings

# The addresses that take files, and only these: a task's form, the recruitment form, a
# case's files and a member's photo (the API takes no files: FUZHI_API_MAX_BODY holds).
STAFF_UPLOADS = re.compile(
    r"^/(?:inbox/tasks/\d+/|staff/recruitment/new/"
    r"|documents/cases/\d+/files/|documents/staff/\d+/photo/new/)$"
)
PUBLIC_UPLOADS = re.compile(r"^/complaints/$")


def upload_body_limit(path: str) -> int | None:
    """The largest body, in bytes, an upload address accepts; None for other addresses."""
    if PUBLIC_UPLOADS.match(path):
        return int(settings.FUZHI_PUBLIC_UPLOAD_MAX_BODY)
    if STAFF_UPLOADS.match(path):
        return int(settings.FUZHI_UPLOAD_MAX_BODY)
    return None


def is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"
