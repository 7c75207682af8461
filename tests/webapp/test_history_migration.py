"""Histories written before the chain was keyed move to it only once their old SHA-256
chain verifies (webapp/cases/migrations/0007_keyed_history.py), and back again."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.db import connection

from webapp.cases.history import verify_case
from webapp.cases.keyring import keyring
from webapp.cases.models import Case, CaseEvent

from .flows import case_at_approval

pytestmark = pytest.mark.django_db

migration = importlib.import_module("webapp.cases.migrations.0007_keyed_history")


@pytest.fixture
def two_cases(hr: Any, approver: Any, agency: Any, models_deployed: Any) -> list[Case]:
    cases = [case_at_approval(hr, approver, agency, seq=n) for n in (1, 2)]
    migration.unkey_histories(apps, connection.schema_editor)  # as they were before
    return [Case.objects.get(pk=c.pk) for c in cases]


def key_ids(case: Case) -> set[str]:
    return set(CaseEvent.objects.filter(case=case).values_list("key_id", flat=True))


def test_unkeyed_histories_do_not_verify_until_they_are_migrated(two_cases: list[Case]) -> None:
    assert all(key_ids(c) == {""} for c in two_cases)
    assert all(verify_case(c) for c in two_cases), "the unkeyed chain is never accepted"

    migration.key_histories(apps, connection.schema_editor)

    for case in two_cases:
        case.refresh_from_db()
        assert verify_case(case) == []
        assert key_ids(case) == {keyring().current_id}


def test_a_history_whose_old_chain_is_broken_is_not_re_signed(
    two_cases: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, intact = two_cases
    CaseEvent.objects.filter(case=broken, seq=3).update(comment="改过")

    with pytest.raises(RuntimeError, match=broken.business_key):
        migration.key_histories(apps, connection.schema_editor)

    monkeypatch.setenv("FUZHI_HISTORY_KEEP_BROKEN", "1")
    migration.key_histories(apps, connection.schema_editor)
    intact.refresh_from_db()
    broken.refresh_from_db()
    assert verify_case(intact) == []
    assert key_ids(broken) == {""}
    assert any(b.seq == 3 for b in verify_case(broken)), "still named, never laundered"


def test_the_migration_reverses_to_the_same_unkeyed_chain(two_cases: list[Case]) -> None:
    before = {
        c.pk: list(CaseEvent.objects.filter(case=c).order_by("seq").values_list("hash", flat=True))
        for c in two_cases
    }
    migration.key_histories(apps, connection.schema_editor)
    migration.unkey_histories(apps, connection.schema_editor)
    after = {
        c.pk: list(CaseEvent.objects.filter(case=c).order_by("seq").values_list("hash", flat=True))
        for c in two_cases
    }
    assert after == before
