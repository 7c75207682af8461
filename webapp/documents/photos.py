"""A staff member's photo in their archive (一人一档), for the certificate and the public
verification page (Art. 18, 19): a citizen compares it with the person in front of them."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role
from webapp.errors import NotPermitted
from webapp.security.models import AuditAction
from webapp.security.services import audit_record
from webapp.staff.models import Staff

from . import files
from .models import StaffPhoto, file_storage
from .services import kept_only_on_success


def staff_photo_set(*, staff: Staff, user: Any, uploaded: Any) -> StaffPhoto:
    """An HR officer of the member's agency gives the archive a new photo; the older ones
    stay in the archive, the newest is the one printed and shown."""
    if not has_role(user, Role.HR_OFFICER, staff.agency_id):
        raise NotPermitted(
            _("Only an HR officer of %(agency)s can change a member's photo.")
            % {"agency": staff.agency.name}
        )
    if uploaded is None:
        raise files.FileRefused(_("Choose the photo to upload."), field="photo")
    upload = files.photo(uploaded)
    with kept_only_on_success() as saved, transaction.atomic():
        name = file_storage().save(
            f"photos/{staff.pk}/{uuid.uuid4().hex}.jpg", ContentFile(upload.data)
        )
        saved.append(name)
        photo = StaffPhoto(
            staff=staff,
            size=upload.size,
            sha256=upload.sha256,
            uploaded_by=user,
            uploaded_at=timezone.now(),
        )
        photo.file.name = name
        photo.save()
        audit_record(
            user,
            AuditAction.STAFF_PHOTO,
            target=f"{staff.name} ({staff.pk})",
            detail={"staff": staff.pk, "sha256": upload.sha256, "size": upload.size},
        )
    return photo
