"""Operators of the supervision of agencies: correction orders (Art. 22) and the filing of
an agency's detailed measures (Art. 26). Their records feed the Art. 6 report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from processes.errors import OperatorRefused
from processes.operators import OperatorCall
from webapp.accounts.roles import Role
from webapp.accounts.services import notify_user, role_holders
from webapp.records.models import CorrectionOrder, FilingState, MeasuresFiling, OrderState

from ..models import TaskState
from .context import OperatorSpec, record_effect


def _order(call: OperatorCall) -> CorrectionOrder:
    order = CorrectionOrder.objects.select_for_update().filter(case=call.context.case).first()
    if order is None:
        raise OperatorRefused(_("This case registered no correction order (Art. 22)."))
    return order


def correction_order_register(call: OperatorCall) -> dict[str, Any]:
    try:
        deadline = date.fromisoformat(str(call.params.get("deadline") or ""))
    except ValueError:
        raise OperatorRefused(
            _("The correction order needs a deadline (Art. 22)."), field="correction_deadline"
        ) from None
    order = CorrectionOrder.objects.create(
        agency=call.context.case.agency,
        ordered_by=str(call.params.get("ordered_by") or "")[:100],
        findings=str(call.params.get("findings") or ""),
        deadline=deadline,
        case=call.context.case,
    )
    title = _("Correction ordered by %(body)s, due %(deadline)s") % {
        "body": order.ordered_by,
        "deadline": deadline,
    }
    record_effect(call, title, "Art. 22", deadline=deadline.isoformat())
    return {"order": order.pk}


def correction_order_overdue(call: OperatorCall) -> dict[str, Any]:
    order = _order(call)
    CorrectionOrder.objects.filter(pk=order.pk).update(overdue=True)
    reason = str(call.params.get("reason") or "")
    record_effect(call, _("Deadline passed without a report"), "Art. 22", overdue=True)
    case = call.context.case
    for leader in role_holders(case.agency_id, Role.APPROVER):
        notify_user(leader, title=f"{case.title}：{reason}"[:200], body=order.findings)
    return {"overdue": True}


def correction_order_close(call: OperatorCall) -> dict[str, Any]:
    order = _order(call)
    case = call.context.case
    # The reviews done before this one (still open while its step runs) each sent the
    # report back once.
    returned = case.tasks.filter(bpmn_id="review_correction", state=TaskState.DONE).count()
    CorrectionOrder.objects.filter(pk=order.pk).update(
        state=OrderState.CORRECTED,
        report=str(call.params.get("report") or ""),
        rounds=returned,
        closed_at=timezone.now(),
    )
    record_effect(call, _("Correction accepted; order closed"), "Art. 22, Art. 6")
    case.outcome = str(_("Corrected"))
    return {"state": OrderState.CORRECTED}


def measures_filing_register(call: OperatorCall) -> dict[str, Any]:
    filing = MeasuresFiling.objects.create(
        agency=call.context.case.agency,
        title=str(call.params.get("title") or "")[:100],
        case=call.context.case,
    )
    record_effect(
        call, _("Detailed measures submitted: %(title)s") % {"title": filing.title}, "Art. 26"
    )
    return {"filing": filing.pk}


def measures_filing_record(call: OperatorCall) -> dict[str, Any]:
    case = call.context.case
    filing = MeasuresFiling.objects.select_for_update().filter(case=case).first()
    if filing is None:
        raise OperatorRefused(_("This case registered no filing (Art. 26)."))
    returned = case.tasks.filter(bpmn_id="revise_measures", state=TaskState.DONE).count()
    MeasuresFiling.objects.filter(pk=filing.pk).update(
        state=FilingState.FILED, returned=returned, filed_at=timezone.now()
    )
    record_effect(
        call,
        _("Detailed measures filed with the three departments: %(title)s")
        % {"title": filing.title},
        "Art. 26, Art. 6",
    )
    case.outcome = str(_("Filed"))
    return {"state": FilingState.FILED}


OPERATORS: tuple[OperatorSpec, ...] = (
    (
        "correction_order_register",
        correction_order_register,
        "Register a correction order (Art. 22)",
    ),
    (
        "correction_order_overdue",
        correction_order_overdue,
        "Record a missed correction deadline (Art. 22)",
    ),
    (
        "correction_order_close",
        correction_order_close,
        "Close a correction order as corrected (Art. 22)",
    ),
    (
        "measures_filing_register",
        measures_filing_register,
        "Register detailed measures for filing (Art. 26)",
    ),
    ("measures_filing_record", measures_filing_record, "Record the measures as filed (Art. 26)"),
)
