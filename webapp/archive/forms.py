"""The application form with the applicant's documents (Art. 10)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from webapp.documents.forms import AttachmentField
from webapp.documents.services import APPLICATION_SPEC
from webapp.staff.forms import ApplicationForm


class ApplicationWithDocumentsForm(ApplicationForm):
    documents = AttachmentField(
        APPLICATION_SPEC,
        label=_("Application documents (diploma, ID card, application form...)"),
        required=False,
        help_text=_("Art. 10: kept with the case, each with its SHA-256 in the history."),
    )
