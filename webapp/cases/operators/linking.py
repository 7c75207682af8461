"""Operators that reach beyond the case's own member: a linked case, a notification."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from processes.operators import OperatorCall
from webapp.accounts.outbox import mail_enqueue

from .context import Effect, OperatorSpec, StepContext, record_effect


def case_open(call: OperatorCall) -> dict[str, Any]:
    context: StepContext = call.context
    reason = str(call.params.get("reason") or "")
    linked = context.open_linked(
        context.case,
        str(call.params.get("process") or ""),
        reason,
        dict(call.params.get("data") or {}),
    )
    opened = linked.parent_id == context.case.pk
    title = (
        _("Linked case opened: %(key)s %(title)s")
        if opened
        else _("Linked to the running case %(key)s %(title)s")
    )
    context.effects.append(
        Effect(
            kind="case_linked",
            title=title % {"key": linked.business_key, "title": linked.title},
            articles=", ".join(re.findall(r"Art\. ?\d+", reason)),
            data={"business_key": linked.business_key},
        )
    )
    return {"business_key": linked.business_key}


def notify(call: OperatorCall) -> dict[str, Any]:
    """Queue an e-mail in the step's transaction (the outbox sends it after the commit, so
    a step rolled back sends nothing and no case row waits for SMTP)."""
    to = str(call.params.get("to") or "")
    address = ""
    if to == "complainant":
        address = str(call.data.get("complainant_contact") or "")
    queued = None
    if "@" in address:
        context: StepContext = call.context
        queued = mail_enqueue(
            to=[address],
            subject=str(call.params.get("subject") or ""),
            body=str(call.params.get("body") or ""),
            source=f"{context.case.business_key} notify {to}",
        )
    mail_id = queued.pk if queued is not None else None
    record_effect(
        call, _("Notification to %(to)s") % {"to": to}, "", queued=queued is not None, mail=mail_id
    )
    return {"sent": queued is not None}


OPERATORS: tuple[OperatorSpec, ...] = (
    ("case_open", case_open, "Open a linked case about the same subject"),
    ("notify", notify, "Send a notification (e-mail backend)"),
)
