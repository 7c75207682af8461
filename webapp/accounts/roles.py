"""Role codes. A BPMN lane's name is one of these (a test checks every model)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HR_OFFICER = "hr_officer", _("HR officer")
    APPROVER = "approver", _("Approver")
    LEGAL_REVIEWER = "legal_reviewer", _("Legal reviewer")
    TRAINER = "trainer", _("Trainer")
    STAFFING_OFFICE = "staffing_office", _("Staffing office")
    HRSS = "hrss", _("HR & social security")
    JUSTICE_BUREAU = "justice_bureau", _("Justice bureau")
    AUDITOR = "auditor", _("Auditor")
    DESIGNER = "designer", _("Process designer")


# Roles that read across the agencies they are granted and change nothing.
READ_ONLY_ROLES = frozenset({Role.AUDITOR, Role.JUSTICE_BUREAU})
# The departments that oversee agencies (Art. 5, 22, 26): they employ no auxiliary staff of
# their own in this system's sense and are never the unit a complaint is about.
OVERSIGHT_ROLES = frozenset({Role.STAFFING_OFFICE, Role.HRSS, Role.JUSTICE_BUREAU})
LANE_ROLES = frozenset(
    {
        Role.HR_OFFICER,
        Role.APPROVER,
        Role.LEGAL_REVIEWER,
        Role.TRAINER,
        Role.STAFFING_OFFICE,
        Role.HRSS,
        Role.JUSTICE_BUREAU,
    }
)
