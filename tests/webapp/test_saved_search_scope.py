"""Sharing a saved search is scoped to an agency (Art. 4, issue 19): a search the city
bureau's HR officer shares with "HR officer", its criteria naming a person and an ID
number, is not listed to another agency's HR officer; readers whose grants cover the
agency see what is shared with their role there."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from webapp.accounts.models import Agency, Grant, Membership
from webapp.accounts.roles import Role
from webapp.audit.models import SavedSearch

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

CRITERIA = {"q": "340101199001011234"}


def user(name: str, agency: Agency, role: str, *, grant: Agency | None = None) -> Any:
    person = get_user_model().objects.create_user(name, password=PASSWORD, last_name=name)
    Membership.objects.create(user=person, agency=agency, role=role)
    if grant is not None:
        Grant.objects.create(user=person, agency=grant)
    return person


def signed_in(person: Any) -> Client:
    client = Client()
    client.force_login(person)
    return client


def listed(person: Any) -> list[str]:
    response = signed_in(person).get(reverse("audit:search"))
    return [s.name for s in response.context["saved"]]


def save(person: Any, **fields: str) -> Any:
    data = {"name": "查张三", "shared_role": Role.HR_OFFICER, **CRITERIA, **fields}
    return signed_in(person).post(reverse("audit:saved_new"), data)


def test_a_search_shared_with_hr_officers_stays_in_its_agency(
    hr: Any, stranger: Any, agency: Agency, models_deployed: Any
) -> None:
    save(hr)
    search = SavedSearch.objects.get(owner=hr)
    assert search.shared_agency == agency and search.params == CRITERIA
    second_hr = user("hr2", agency, Role.HR_OFFICER)

    assert listed(second_hr) == ["查张三"]
    assert listed(stranger) == [], "another agency's HR officer"
    run = signed_in(stranger).get(reverse("audit:saved_run", args=[search.pk]))
    assert run.status_code == 404


def test_readers_whose_grants_cover_the_agency_see_what_is_shared_with_their_role(
    hr: Any, city: Agency, agency: Agency, other_agency: Agency, models_deployed: Any
) -> None:
    save(hr, shared_role=Role.AUDITOR)
    city_auditor = user("city_auditor", city, Role.AUDITOR, grant=city)
    district_auditor = user("district_auditor", other_agency, Role.AUDITOR, grant=other_agency)

    assert listed(city_auditor) == ["查张三"]
    assert listed(district_auditor) == []


def test_a_search_cannot_be_shared_within_an_agency_its_owner_does_not_see(
    hr: Any, other_agency: Agency, models_deployed: Any
) -> None:
    save(hr, shared_agency=str(other_agency.pk))
    assert not SavedSearch.objects.filter(owner=hr).exists()
