"""Grading by category and level (分类分级, Art. 18): who may, what is kept."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from tests.fixtures import make_id
from webapp.errors import StepRefused
from webapp.staff.grades import grade_set
from webapp.staff.models import GradeChange, Staff, StaffState

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def member(agency, state=StaffState.ON_DUTY, grade="") -> Staff:
    staff = Staff.objects.create(
        name="成员1",
        id_number=make_id(date(1990, 1, 1), 1),
        birth_date=date(1990, 1, 1),
        education="college",
        agency=agency,
        post="协管员",
        grade=grade,
    )
    Staff.objects.filter(pk=staff.pk).update(state=state)
    return Staff.objects.get(pk=staff.pk)


def test_an_hr_officer_grades_a_member_and_the_archive_keeps_every_change(client, hr, agency):
    staff = member(agency, grade="三级")
    client.login(username=hr.username, password=PASSWORD)
    url = reverse("staff:grade_new", args=[staff.pk])
    client.post(url, {"grade": "二级", "reason": "年度考核优秀"})
    staff.refresh_from_db()
    assert staff.grade == "二级"
    change = GradeChange.objects.get(staff=staff)
    assert (change.grade_before, change.grade_after, change.changed_by) == ("三级", "二级", hr)
    page = client.get(reverse("staff:detail", args=[staff.pk])).content.decode()
    assert "三级 → 二级" in page and "年度考核优秀" in page


def test_an_approver_cannot_grade_and_nothing_changes(client, approver, agency):
    staff = member(agency, grade="三级")
    client.login(username=approver.username, password=PASSWORD)
    response = client.post(
        reverse("staff:grade_new", args=[staff.pk]), {"grade": "一级", "reason": "x"}, follow=True
    )
    assert "Art. 18" in response.content.decode()
    staff.refresh_from_db()
    assert staff.grade == "三级" and not GradeChange.objects.exists()


def test_a_member_of_another_agency_is_not_found(client, stranger, agency):
    staff = member(agency)
    client.login(username=stranger.username, password=PASSWORD)
    response = client.post(
        reverse("staff:grade_new", args=[staff.pk]), {"grade": "一级", "reason": "x"}
    )
    assert response.status_code == 404
    assert not GradeChange.objects.exists()


@pytest.mark.parametrize(
    ("state", "grade", "reason", "says"),
    [
        (StaffState.SEPARATED, "一级", "升级", "can no longer be graded"),
        (StaffState.ON_DUTY, "三级", "同级", "already has the grade"),
        (StaffState.ON_DUTY, "一级", "   ", "reason"),
    ],
)
def test_refusals_save_nothing(hr, agency, state, grade, reason, says):
    staff = member(agency, state=state, grade="三级")
    with translation.override("en"), pytest.raises(StepRefused, match=says):
        grade_set(staff=staff, user=hr, grade=grade, reason=reason)
    assert Staff.objects.get(pk=staff.pk).grade == "三级"
    assert not GradeChange.objects.exists()
