"""Art. 19 unified numbering under parallel issuers, on PostgreSQL with real connections."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from webapp.staff.models import Certificate

from .test_lifecycle_operators import call, case_about, member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_it_never_issues_two_certificates_with_the_same_number(agency, hr):
    assert connection.vendor == "postgresql"
    cases = [case_about(member(agency, seq), hr) for seq in range(1, 9)]
    barrier = threading.Barrier(len(cases))
    errors: list[BaseException] = []

    def issue(case):
        try:
            barrier.wait()
            with transaction.atomic():
                call(case, "certificate_issue")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(case,)) for case in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    numbers = list(Certificate.objects.values_list("serial", flat=True))
    assert sorted(numbers) == list(range(1, 9))
    assert Certificate.objects.values("number").distinct().count() == 8
