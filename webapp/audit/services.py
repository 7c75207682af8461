"""Writes of the audit section. They touch only the auditor's own records (saved searches,
integrity runs), never a case, a staff member or an archive record."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from webapp.accounts.models import Agency, Membership
from webapp.accounts.selectors import visible_agency_ids
from webapp.cases.history import verify_case
from webapp.cases.selectors import visible_cases
from webapp.errors import StepRefused

from .models import IntegrityRun, SavedSearch

# Up to this many cases the verification runs while the auditor waits; beyond it a Celery
# worker does it and the page shows the run when it finishes.
SYNC_LIMIT = 200


def saved_search_create(
    *,
    owner: Any,
    name: str,
    criteria: dict[str, Any],
    shared_role: str = "",
    shared_agency: Agency | None = None,
) -> SavedSearch:
    """Keep a search; shared with a role, it is shared within one agency the owner sees
    (Art. 4), by default the owner's own."""
    agency = _sharing_scope(owner, shared_agency) if shared_role else None
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(
                owner=owner,
                name=name.strip(),
                params=criteria,
                shared_role=shared_role,
                shared_agency=agency,
            )
    except IntegrityError:
        raise StepRefused(
            _("You already have a saved search named “%(name)s”.") % {"name": name}
        ) from None


def _sharing_scope(owner: Any, agency: Agency | None) -> Agency:
    visible = visible_agency_ids(owner)
    if agency is None:
        own = Membership.objects.filter(user_id=owner.pk).order_by("pk").first()
        agency = own.agency if own is not None else None
    if agency is None or agency.pk not in visible:
        raise StepRefused(
            _("A search is shared within an agency you see (Art. 4); choose one."),
            article="Art. 4",
            field="shared_agency",
        )
    return agency


def saved_search_delete(*, owner: Any, search_id: int) -> None:
    """Only its owner deletes a search; a colleague it was shared with cannot."""
    deleted, _rows = SavedSearch.objects.filter(pk=search_id, owner_id=owner.pk).delete()
    if not deleted:
        raise Http404


def integrity_run_start(*, user: Any) -> IntegrityRun:
    """Verify every case history the user may see: now for modest counts, else in the
    background (the run is recorded either way, with the broken cases named)."""
    count = visible_cases(user).count()
    run = IntegrityRun.objects.create(requested_by=user, in_background=count > SYNC_LIMIT)
    if run.in_background:
        # Imported here to break a cycle: the task module imports this one, the task
        # being a thin call of integrity_run_execute (as the styleguide's tasks are).
        from .tasks import verify_histories

        transaction.on_commit(lambda: verify_histories.delay(run.pk))
        return run
    return integrity_run_execute(run_id=run.pk)


def integrity_run_execute(*, run_id: int) -> IntegrityRun:
    run = IntegrityRun.objects.select_related("requested_by").get(pk=run_id)
    if run.status == "succeeded":
        return run  # a redelivered message finds the work done; a failed run may be retried
    try:
        checked, breaks = _verify_all(run.requested_by)
    except Exception as exc:
        IntegrityRun.objects.filter(pk=run.pk).update(
            status="failed", error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    IntegrityRun.objects.filter(pk=run.pk).update(
        status="succeeded", checked=checked, breaks=breaks, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def _verify_all(user: Any) -> tuple[int, list[dict[str, Any]]]:
    checked = 0
    breaks: list[dict[str, Any]] = []
    for case in visible_cases(user).order_by("pk").iterator(chunk_size=200):
        checked += 1
        breaks += [
            {"case_id": case.pk, "business_key": b.business_key, "seq": b.seq, "problem": b.problem}
            for b in verify_case(case)
        ]
    return checked, breaks
