"""When a task falls due: the model's ``dueIn``, an ISO duration or Chinese working days."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from processes.durations import DurationError, iso_duration
from webapp.errors import StepRefused
from webapp.workdays.services import parse_working_days, working_day_end


def due_at(now: datetime, due_in: str) -> datetime | None:
    """An ISO duration from ``now``, or working days ('5WD') counted on the holiday
    calendar, due at the end of that working day; None without a ``dueIn``. A hint the
    deploy checks would refuse (a model deployed before they did) refuses the step."""
    if not due_in:
        return None
    try:
        working_days = parse_working_days(due_in)
        if working_days is not None:
            return working_day_end(timezone.localdate(now), working_days)
        return now + iso_duration(due_in, start=now)
    except DurationError as exc:
        raise StepRefused(
            _("The model gives a task a due date that cannot be used: %(error)s") % {"error": exc}
        ) from None
