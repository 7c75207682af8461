"""Grading a member by category and level (分类分级, Art. 18).

The regulation lets each agency grade its auxiliary staff; the levels themselves are the
agency's own, so the grade is free text, but every change names who made it and why and
stays in the member's archive.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from webapp.accounts.roles import Role
from webapp.accounts.selectors import has_role
from webapp.errors import StepRefused

from .models import GradeChange, Staff, StaffState

# A member who has left keeps the grade they left with.
GRADABLE_STATES = frozenset({StaffState.HIRED, StaffState.ON_DUTY, StaffState.SUSPENDED})


def grade_set(*, staff: Staff, user: Any, grade: str, reason: str) -> GradeChange:
    """Record a new grade for ``staff``; refused (nothing saved) unless the user is an
    HR officer of the member's agency and the member is employed."""
    if not has_role(user, Role.HR_OFFICER, staff.agency_id):
        raise StepRefused(
            _("Only an HR officer of %(agency)s can grade its staff (Art. 18).")
            % {"agency": staff.agency.name},
            article="Art. 18",
        )
    grade, reason = grade.strip(), reason.strip()
    if not grade or not reason:
        raise StepRefused(_("Give the new grade and the reason for it."), article="Art. 18")
    with transaction.atomic():
        current = Staff.objects.select_for_update().get(pk=staff.pk)
        if current.state not in GRADABLE_STATES:
            raise StepRefused(
                _("%(name)s is %(state)s and can no longer be graded (Art. 18).")
                % {"name": current.name, "state": current.get_state_display()},
                article="Art. 18",
            )
        if current.grade == grade:
            raise StepRefused(
                _("%(name)s already has the grade %(grade)s.")
                % {"name": current.name, "grade": grade}
            )
        change = GradeChange.objects.create(
            staff=current,
            grade_before=current.grade,
            grade_after=grade,
            reason=reason,
            changed_by=user,
        )
        # A queryset update: the grade is not part of the lifecycle state machine.
        Staff.objects.filter(pk=current.pk).update(grade=grade)
    staff.grade = grade
    return change
