"""Every lane in bpmn/ names a role; staff transitions are guarded."""

from __future__ import annotations

from datetime import date

import pytest
from django_fsm import TransitionNotAllowed

from processes import catalog
from webapp.accounts.roles import LANE_ROLES
from webapp.staff.models import Staff, StaffState

from .conftest import make_id


def test_it_finds_a_role_for_every_lane_in_bpmn(bpmn_dir):
    process_dirs = [p for p in bpmn_dir.iterdir() if p.is_dir() and any(p.glob("*.bpmn"))]
    assert process_dirs
    for path in process_dirs:
        lanes = catalog.load_directory(path).lanes
        assert lanes, path
        assert lanes <= LANE_ROLES, f"{path.name}: unknown lanes {lanes - LANE_ROLES}"


@pytest.mark.django_db
def test_it_refuses_an_illegal_staff_transition(agency):
    staff = Staff.objects.create(
        name="甲",
        id_number=make_id(date(1990, 1, 1)),
        birth_date=date(1990, 1, 1),
        education="college",
        agency=agency,
        post="协管员",
    )
    staff.reject()
    staff.save()
    with pytest.raises(TransitionNotAllowed):
        staff.certify()
    assert Staff.objects.get(pk=staff.pk).state == StaffState.REJECTED


@pytest.mark.django_db
def test_it_refuses_assigning_the_state_field_directly(agency):
    staff = Staff.objects.create(
        name="乙",
        id_number=make_id(date(1990, 1, 2)),
        birth_date=date(1990, 1, 2),
        education="college",
        agency=agency,
        post="协管员",
    )
    with pytest.raises(AttributeError):
        staff.state = StaffState.ON_DUTY
