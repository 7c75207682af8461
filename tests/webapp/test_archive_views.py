"""The member pages (webapp/archive): opening a case from a member's archive."""

from __future__ import annotations

import pytest
from django.urls import reverse

from webapp.cases.models import Case
from webapp.staff.models import StaffState

from .conftest import PASSWORD
from .test_lifecycle_operators import member

pytestmark = pytest.mark.django_db


def test_it_opens_a_case_the_members_state_allows(client, hr, agency, models_deployed):
    staff = member(agency, 7, state=StaffState.HIRED)
    client.login(username=hr.username, password=PASSWORD)
    response = client.post(reverse("staff:case_new", args=[staff.pk]), {"process": "training"})
    case = Case.objects.get(subject=staff)
    assert case.definition.process_id == "training"
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=[case.pk])


@pytest.mark.parametrize("process", ["usage_plan", "complaint", "recruitment"])
def test_it_refuses_a_process_that_is_not_about_a_member(
    client, hr, agency, models_deployed, process
):
    staff = member(agency, 7, state=StaffState.ON_DUTY)
    client.login(username=hr.username, password=PASSWORD)
    response = client.post(
        reverse("staff:case_new", args=[staff.pk]), {"process": process}, follow=True
    )
    assert not Case.objects.exists()
    assert "不针对在册人员开立" in response.content.decode()
