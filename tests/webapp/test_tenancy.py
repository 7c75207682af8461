"""Art. 4: nobody sees or acts on another agency's cases, per role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from webapp.cases.openings import recruitment_open
from webapp.cases.services import task_claim, task_complete
from webapp.errors import NotPermitted

from .conftest import PASSWORD
from .flows import APPROVE, application, case_at_approval, open_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


@pytest.fixture
def case(hr, approver, agency):
    return case_at_approval(hr, approver, agency)


def pages(case):
    task = open_task(case, "approve_hire")
    return [
        reverse("cases:detail", args=[case.pk]),
        reverse("inbox:task", args=[task.pk]),
        reverse("staff:detail", args=[case.subject_id]),
    ]


def test_it_hides_a_foreign_agencys_pages_from_every_role(client, case, stranger):
    client.login(username=stranger.username, password=PASSWORD)
    for url in pages(case):
        assert client.get(url).status_code == 404, url
    for url in (reverse("inbox:index"), reverse("cases:list"), reverse("staff:list")):
        body = client.get(url).content.decode()
        assert case.business_key not in body and case.subject.name not in body


def test_it_refuses_a_foreign_agencys_task_actions(client, case, stranger):
    task = open_task(case, "approve_hire")
    client.login(username=stranger.username, password=PASSWORD)
    for name in ("inbox:claim", "inbox:release"):
        assert client.post(reverse(name, args=[task.pk])).status_code == 404
    assert (
        client.post(reverse("inbox:task", args=[task.pk]), {"decision": "approve"}).status_code
        == 404
    )
    with pytest.raises(NotPermitted):
        task_complete(task_id=task.pk, user=stranger, data=APPROVE)
    with pytest.raises(NotPermitted):
        task_claim(task_id=task.pk, user=stranger)


def test_it_refuses_starting_a_case_in_a_foreign_agency(stranger, agency):
    with pytest.raises(NotPermitted):
        recruitment_open(user=stranger, fields=application(agency))


def test_it_lets_a_granted_auditor_read_but_not_act(client, case, auditor):
    client.login(username=auditor.username, password=PASSWORD)
    for url in pages(case):
        assert client.get(url).status_code == 200, url
    task = open_task(case, "approve_hire")
    with pytest.raises(NotPermitted):
        task_complete(task_id=task.pk, user=auditor, data=APPROVE)
    assert case.business_key not in client.get(reverse("inbox:index")).content.decode()


def test_it_requires_a_login_for_every_page(client, case):
    for url in pages(case):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
