"""Art. 13, 14, 19: what duty may be assigned to whom, through the duty-scope table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from webapp.errors import NotPermitted, StepRefused
from webapp.staff.duties import duty_assign, duty_scope
from webapp.staff.models import DutyAssignment, StaffState

from .conftest import PASSWORD
from .test_lifecycle_operators import call, case_about, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_duty(agency, hr):
    staff = member(agency, 1)
    call(case_about(staff, hr), "certificate_issue")
    staff.refresh_from_db()
    assert staff.state == StaffState.ON_DUTY
    return staff


def test_it_reads_the_scope_of_each_duty_from_the_table():
    assert duty_scope("clerical")["scope"] == "alone"
    assert duty_scope("inspection_patrol")["scope"] == "with_officer"
    assert duty_scope("case_filing")["scope"] == "never"
    assert duty_scope("make_arrests")["scope"] == "never"


def test_it_assigns_clerical_work_alone(on_duty, hr):
    duty_assign(staff=on_duty, duty="clerical", user=hr)
    assert DutyAssignment.objects.get().scope == "alone"


def test_it_needs_a_named_officer_for_an_inspection(on_duty, hr):
    with pytest.raises(StepRefused) as refused:
        duty_assign(staff=on_duty, duty="inspection_patrol", user=hr)
    assert refused.value.article == "Art. 14" and "Art. 14" in refused.value.message
    assert not DutyAssignment.objects.exists()
    duty_assign(staff=on_duty, duty="inspection_patrol", user=hr, officer_name="王执法")
    assert DutyAssignment.objects.get().officer_name == "王执法"


@pytest.mark.parametrize(
    "duty",
    ["case_filing", "case_acceptance", "legal_review", "coercive_measures", "enforcement_decision"],
)
def test_it_never_assigns_what_art_14_forbids(on_duty, hr, duty):
    with pytest.raises(StepRefused) as refused:
        duty_assign(staff=on_duty, duty=duty, user=hr, officer_name="王执法")
    assert "Art. 14" in refused.value.message
    assert not DutyAssignment.objects.exists()


def test_it_refuses_a_member_not_on_duty(agency, hr):
    hired = member(agency, 2)
    with pytest.raises(StepRefused) as refused:
        duty_assign(staff=hired, duty="clerical", user=hr)
    assert refused.value.article == "Art. 13"


def test_it_refuses_a_member_whose_certificate_is_suspended(on_duty, hr):
    from webapp.staff.models import Certificate

    Certificate.objects.filter(staff=on_duty).update(state="suspended")
    with pytest.raises(StepRefused) as refused:
        duty_assign(staff=on_duty, duty="clerical", user=hr)
    assert refused.value.article == "Art. 19"


def test_it_refuses_another_agencys_officer(on_duty, stranger):
    with pytest.raises(NotPermitted):
        duty_assign(staff=on_duty, duty="clerical", user=stranger)


def test_it_shows_the_refusal_on_the_archive_page(client, on_duty, hr):
    client.login(username=hr.username, password=PASSWORD)
    page = client.post(
        reverse("staff:duty_new", args=[on_duty.pk]),
        {"duty": "site_order", "officer_name": ""},
        follow=True,
    )
    body = page.content.decode()
    assert "Art. 14" in body and 'class="msg error"' in body
    assert not DutyAssignment.objects.exists()
