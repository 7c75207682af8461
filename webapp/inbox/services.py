"""Saving and deleting named inbox filters."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import QueryDict
from django.utils.translation import gettext as _

from webapp.accounts.models import Agency
from webapp.accounts.selectors import acting_agency_ids
from webapp.errors import NotPermitted, StepRefused

from .models import SavedFilter

# The inbox's filter parameters; anything else in a saved query is dropped.
FILTER_KEYS = ("q", "process", "kind", "agency", "due", "mine", "sort")


def saved_filter_create(
    *, owner: Any, name: str, query: str, agency: Agency | None = None
) -> SavedFilter:
    """Save the inbox's current filters under a name, for the owner or (``agency``) for
    everyone acting in that agency."""
    acting = acting_agency_ids(owner)
    if not acting:
        raise NotPermitted(_("Only someone with tasks to do keeps inbox filters."))
    if agency is not None and agency.pk not in acting:
        raise NotPermitted(_("A filter is shared only within an agency you act in (Art. 4)."))
    name = name.strip()
    if not name:
        raise StepRefused(_("Give the filter a name."), field="name")
    kept = QueryDict(mutable=True)
    for key, value in QueryDict(query).items():
        if key in FILTER_KEYS and value:
            kept[key] = str(value)[:100]
    with transaction.atomic():
        return SavedFilter.objects.create(
            owner=owner, name=name[:60], query=kept.urlencode()[:500], agency=agency
        )


def saved_filter_delete(*, owner: Any, filter_id: int) -> None:
    """The owner deletes their filter (shared ones too); nobody else can."""
    deleted, _rows = SavedFilter.objects.filter(pk=filter_id, owner_id=owner.pk).delete()
    if not deleted:
        raise NotPermitted(_("Only the person who saved a filter may delete it."))
