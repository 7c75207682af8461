"""The yearly assessment opened in batches (Art. 20): each case as ``case_start`` opens
one, one per member and year, whole batches or nothing, and an interrupted run rerun."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from webapp.accounts.models import Delegation, Membership
from webapp.accounts.roles import Role
from webapp.cases import batches, scheduling
from webapp.cases.definitions import latest_deployed
from webapp.cases.history import verify_case
from webapp.cases.models import Case, CaseEvent, HumanTask
from webapp.cases.services import case_start
from webapp.cases.subjects import staff_case_data
from webapp.security.integrity import check_case, check_staff
from webapp.staff.models import StaffState

from .test_lifecycle_operators import member

pytestmark = pytest.mark.django_db


def on_duty(agency, count: int, first: int = 1):
    return [member(agency, seq, state=StaffState.ON_DUTY) for seq in range(first, first + count)]


def assessments(year: int):
    return Case.objects.filter(definition__process_id="assessment", data__assessment_year=year)


def test_it_opens_each_case_as_a_single_opening_does(agency, models_deployed):
    one, two = on_duty(agency, 2)
    definition = latest_deployed("assessment")
    alone = case_start(
        definition=definition,
        agency=agency,
        title="t",
        data={**staff_case_data(one), "assessment_year": 2030},
        actor=None,
        subject=one,
    )
    scheduling.assessments_open_yearly(year=2031)
    batched = assessments(2031).get(subject=two)
    fields = ("kind", "title", "bpmn_id", "articles", "actor_name", "key_id")
    lines = [e[1:] for e in CaseEvent.objects.filter(case=alone).values_list("title", *fields)]
    batch = [e[1:] for e in CaseEvent.objects.filter(case=batched).values_list("title", *fields)]
    assert [e[0] for e in batch] == ["case_started", "engine_step", "task_created"]
    assert batch[1:] == lines[1:]
    assert batched.business_key.startswith("KH-") and batched.business_key.endswith(
        f"{batched.pk:06d}"
    )
    assert (batched.version, batched.event_count) == (1, 3)
    task = HumanTask.objects.get(case=batched)
    assert (task.bpmn_id, task.role, task.agency_id, task.state) == (
        "rate_member",
        Role.HR_OFFICER,
        agency.pk,
        "open",
    )
    assert batched.state["tasks"] and batched.data["assessment_year"] == 2031


def test_it_opens_one_per_member_and_year_and_nothing_twice(agency, models_deployed, monkeypatch):
    members = on_duty(agency, 5)
    member(agency, 9, state=StaffState.SUSPENDED)
    monkeypatch.setattr(scheduling, "ASSESSMENT_CHUNK", 2)
    assert len(scheduling.assessment_chunks()) == 3
    opened = scheduling.assessments_open_yearly(year=2031)
    assert scheduling.assessments_open_yearly(year=2031) == []
    assert sorted(c.subject_id for c in opened) == [m.pk for m in members]
    assert sorted(assessments(2031).values_list("subject_id", flat=True)) == [m.pk for m in members]
    assert len({c.business_key for c in assessments(2031)}) == 5
    for case in assessments(2031):
        assert check_case(case) == [], case.business_key
    assert check_staff() == []


def test_an_interrupted_run_rerun_opens_every_member_once(agency, models_deployed, monkeypatch):
    members = on_duty(agency, 6)
    started = batches._start
    calls = {"n": 0}

    def dies_at_the_fifth(case, opening):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # the worker stopped mid-batch
        return started(case, opening)

    monkeypatch.setattr(batches, "_start", dies_at_the_fifth)
    chunks = scheduling.assessment_chunks(size=3)
    with pytest.raises(KeyboardInterrupt):
        for first, last in chunks:
            scheduling.assessments_open_chunk(year=2032, first=first, last=last)
    # The first batch landed whole, the second not at all: no half-opened case.
    assert sorted(assessments(2032).values_list("subject_id", flat=True)) == [
        m.pk for m in members[:3]
    ]
    assert HumanTask.objects.filter(case__in=assessments(2032)).count() == 3
    monkeypatch.setattr(batches, "_start", started)
    for first, last in chunks:
        scheduling.assessments_open_chunk(year=2032, first=first, last=last)
    assert sorted(assessments(2032).values_list("subject_id", flat=True)) == [m.pk for m in members]
    for case in assessments(2032):
        assert verify_case(case) == [] and check_case(case) == []


def test_a_batch_skips_a_member_opened_by_hand(agency, models_deployed):
    first, second = on_duty(agency, 2)
    definition = latest_deployed("assessment")
    case_start(
        definition=definition,
        agency=agency,
        title="t",
        data={**staff_case_data(first), "assessment_year": 2033},
        actor=None,
        subject=first,
    )
    opened = scheduling.assessments_open_chunk(year=2033, first=first.pk, last=second.pk)
    assert [c.subject_id for c in opened] == [second.pk]
    assert assessments(2033).count() == 2


def test_a_batch_delegates_as_a_single_opening_does(agency, models_deployed, hr):
    on_duty(agency, 2)
    hr2 = get_user_model().objects.create_user("hr2", last_name="hr2")
    Membership.objects.create(user=hr2, agency=agency, role=Role.HR_OFFICER)
    today = timezone.localdate()
    Delegation.objects.create(
        delegator=hr,
        delegate=hr2,
        agency=agency,
        role=Role.HR_OFFICER,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
    )
    scheduling.assessments_open_yearly(year=2034)
    for task in HumanTask.objects.filter(case__in=assessments(2034)):
        assert (task.state, task.assignee, task.delegated_from) == ("claimed", hr2, hr)
        kinds = list(task.case.events.values_list("kind", flat=True))
        assert kinds == ["case_started", "engine_step", "task_created", "task_delegated"]
        assert verify_case(task.case) == []


def test_a_batch_costs_the_same_statements_for_more_members(agency, models_deployed):
    def statements(first_seq: int, count: int, year: int) -> int:
        members = on_duty(agency, count, first_seq)
        with CaptureQueriesContext(connection) as queries:
            scheduling.assessments_open_chunk(year=year, first=members[0].pk, last=members[-1].pk)
        assert assessments(year).count() == count
        return len(queries)

    few, many = statements(1, 2, 2035), statements(10, 12, 2036)
    assert few == many
    # lock the members, read who is assessed, the definition, and then the batch:
    # cases, routing, tasks, history, the cases' final columns (and the savepoints).
    assert few <= 12
