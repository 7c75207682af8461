"""How the inbox reads to a person: a task's due date as time left or overdue."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def due_hint(due_at: datetime | None, now: datetime) -> str:
    """ "逾期 3 天", "还剩 5 小时", "还剩 2 天": what a due date means from now."""
    if due_at is None:
        return ""
    left = due_at - now
    if left < timedelta(0):
        if -left < DAY:
            return _("%(n)d hour(s) overdue") % {"n": max(int(-left / HOUR), 1)}
        return _("%(n)d day(s) overdue") % {"n": int(-left / DAY)}
    if left < DAY:
        return _("%(n)d hour(s) left") % {"n": max(int(left / HOUR), 1)}
    return _("%(n)d day(s) left") % {"n": int(left / DAY)}


# A number no row has: reversed once per page, replaced by each row's id (reversing
# three addresses per row was a third of a 50-row page's time, docs/performance.md).
_ANY_ID = 918273645


def row_links() -> dict[str, str]:
    """Each row's addresses as templates with ``{}`` for the row's id, reversed once."""
    names = {
        "task": "inbox:task",
        "case": "cases:detail",
        "claim": "inbox:claim",
        "release": "inbox:release",
    }
    return {
        key: reverse(name, args=[_ANY_ID]).replace(str(_ANY_ID), "{}")
        for key, name in names.items()
    }
