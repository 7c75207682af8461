"""Contract ends raise renewal cases ahead of time (Art. 20), once per contract."""

from __future__ import annotations

from datetime import date

import pytest

from webapp.cases.models import Case
from webapp.cases.scheduling import renewals_open
from webapp.records.models import Assessment
from webapp.staff.models import Staff, StaffState

from .flows import drive
from .test_lifecycle_operators import case_about, member

pytestmark = pytest.mark.django_db


def test_it_opens_one_renewal_per_contract_ending_soon(agency, hr, approver, models_deployed):
    soon = member(agency, 1, state=StaffState.ON_DUTY)
    later = member(agency, 2, state=StaffState.ON_DUTY)
    Staff.objects.filter(pk=soon.pk).update(contract_end=date(2027, 1, 10))
    Staff.objects.filter(pk=later.pk).update(contract_end=date(2028, 1, 10))
    Assessment.objects.create(staff=soon, year=2026, grade="competent", case=case_about(soon, hr))
    opened = renewals_open(today=date(2026, 11, 27))
    assert [case.subject_id for case in opened] == [soon.pk]
    assert opened[0].data["last_grade"] == "competent"
    assert renewals_open(today=date(2026, 11, 28)) == []
    drive(
        opened[0],
        [
            ("propose_renewal", {"renewal_proposal": "renew", "new_contract_end": "2030-01-10"}),
            ("decide_renewal", {"decision_renewal": "approve"}),
        ],
        hr,
        approver,
    )
    assert Staff.objects.get(pk=soon.pk).contract_end == date(2030, 1, 10)
    assert Case.objects.get(pk=opened[0].pk).status == "completed"
