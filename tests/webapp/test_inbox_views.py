"""The inbox pages over HTTP: list, task form with field errors, completion, 409."""

from __future__ import annotations

import pytest
from django.urls import reverse

from webapp.cases.models import CaseEvent, HumanTask, TaskState
from webapp.cases.openings import recruitment_open
from webapp.inbox.selectors import task_form_initial, task_form_schema
from webapp.staff.models import Staff

from .conftest import PASSWORD
from .flows import APPROVE, application, case_at_approval, open_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_it_lists_the_roles_tasks_and_hides_others(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    page = login(client, approver).get(reverse("inbox:index"))
    assert page.status_code == 200
    assert case.business_key in page.content.decode()
    assert "录用审批" in page.content.decode()
    hr_page = login(client, hr).get(reverse("inbox:index"))
    assert case.business_key not in hr_page.content.decode()


def test_it_lists_overdue_tasks_first(client, hr, approver, agency):
    from datetime import timedelta

    from django.utils import timezone

    first = case_at_approval(hr, approver, agency, seq=1)
    second = case_at_approval(hr, approver, agency, seq=2)
    late = open_task(second, "approve_hire")
    HumanTask.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    body = login(client, approver).get(reverse("inbox:index")).content.decode()
    assert body.index(second.business_key) < body.index(first.business_key)
    assert 'class="overdue"' in body


def test_it_shows_field_errors_and_saves_nothing(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    events = CaseEvent.objects.filter(case=case).count()
    page = login(client, approver).post(
        reverse("inbox:task", args=[task.pk]), {"decision": "reject", "reason": ""}
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert 'data-field="reason"' in body and "field-error" in body
    assert CaseEvent.objects.filter(case=case).count() == events
    assert HumanTask.objects.get(pk=task.pk).state == TaskState.OPEN


def test_it_completes_a_task_with_a_comment_in_one_post(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    page = login(client, approver).post(
        reverse("inbox:task", args=[task.pk]),
        {"decision": "approve", "reason": "", "_comment": "材料齐全，同意录用"},
    )
    assert page.status_code == 302
    event = CaseEvent.objects.get(case=case, kind="task_completed", task=task)
    assert event.comment == "材料齐全，同意录用"
    assert event.data_after["decision"] == "approve" and "decision" not in event.data_before
    assert ("decision", None, "approve") in event.changes
    assert event.actor == approver and "Art." in event.articles


def test_it_answers_409_to_a_late_second_completion(client, hr, approver, colleague, agency):
    from webapp.cases.services import task_complete

    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    task_complete(task_id=task.pk, user=colleague, data=APPROVE)
    page = login(client, approver).post(
        reverse("inbox:task", args=[task.pk]),
        {"decision": "approve"},
        HTTP_ACCEPT="application/json",
    )
    assert page.status_code == 409
    assert "colleague" in page.json()["error"]


def test_it_rejects_a_wrong_id_number_on_the_application_form(client, hr, agency):
    fields = application(agency)
    fields["agency"] = agency.pk
    fields["id_number"] = fields["id_number"][:-2] + "9Y"
    page = login(client, hr).post(reverse("staff:recruitment_new"), fields)
    assert page.status_code == 400
    assert 'data-field="id_number"' in page.content.decode()
    assert not Staff.objects.exists()


def test_it_opens_a_recruitment_case_from_the_form(client, hr, agency):
    fields = application(agency)
    fields["agency"] = agency.pk
    page = login(client, hr).post(reverse("staff:recruitment_new"), fields)
    assert page.status_code == 302
    staff = Staff.objects.get()
    assert staff.cases.get().tasks.get().bpmn_id == "review_application"


def test_it_masks_personal_data_for_roles_that_do_not_need_it(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    staff = case.subject
    task = open_task(case, "approve_hire")
    as_approver = (
        login(client, approver).get(reverse("inbox:task", args=[task.pk])).content.decode()
    )
    assert staff.id_number not in as_approver and staff.id_masked in as_approver
    as_hr = login(client, hr).get(reverse("staff:detail", args=[staff.pk])).content.decode()
    assert staff.id_number in as_hr


def test_it_narrows_the_inbox_by_staff_name(client, hr, approver, agency):
    first = case_at_approval(hr, approver, agency, seq=1)
    second = case_at_approval(hr, approver, agency, seq=2)
    body = login(client, approver).get(reverse("inbox:index"), {"q": "申请人2"}).content.decode()
    assert second.business_key in body and first.business_key not in body


def test_it_speaks_chinese_by_default_and_english_on_request(client, hr):
    login(client, hr)
    chinese = client.get(reverse("inbox:index")).content.decode()
    assert "待办" in chinese and 'lang="zh-hans"' in chinese
    english = client.get(reverse("inbox:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">Inbox<" in english and 'lang="en"' in english


def test_it_shows_the_case_data_under_the_forms_labels(client, hr, approver, agency):
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    body = login(client, approver).get(reverse("inbox:task", args=[task.pk])).content.decode()
    facts = body[body.index('data-testid="facts"') :]
    assert "笔试成绩" in facts and "<dd>80</dd>" in facts  # scores.json title, value
    assert "体检合格" in facts and "<dd>是</dd>" in facts  # a boolean in words


def test_it_ranks_equal_scores_with_veterans_first(client, hr, approver, agency):
    from webapp.cases.openings import recruitment_open

    from .flows import CLEAN_REVIEW, drive

    for seq, veteran in ((1, False), (2, True)):
        case = recruitment_open(user=hr, fields=application(agency, seq, veteran=veteran))
        drive(
            case,
            [
                ("review_application", CLEAN_REVIEW),
                ("record_scores", {"exam_score": 80, "interview_score": 80}),
            ],
            hr,
            approver,
        )
    body = login(client, hr).get(reverse("staff:ranking")).content.decode()
    assert body.index("申请人2") < body.index("申请人1")


def test_the_inbox_pages_fifty_tasks_at_a_time_overdue_first(client, approver, agency):
    from datetime import timedelta

    from django.utils import timezone

    from webapp.cases.models import Case, Definition, HumanTask

    definition = Definition.objects.create(process_id="p", version=1, name="p", content_hash="h")
    case = Case.objects.create(
        business_key="P-1", title="t", definition=definition, agency=agency, state={}
    )
    now = timezone.now()
    HumanTask.objects.bulk_create(
        HumanTask(
            case=case,
            engine_task_id=f"e{i}",
            bpmn_id="approve",
            name=f"task {i:02d}",
            role="approver",
            agency=agency,
            due_at=now - timedelta(days=1) if i == 60 else now + timedelta(days=i + 1),
        )
        for i in range(61)
    )
    client.force_login(approver)
    first = client.get(reverse("inbox:index"))
    assert len(first.context["tasks"]) == 50 and first.context["total"] == 61
    assert first.context["tasks"][0].name == "task 60"  # the overdue one leads
    assert first.context["overdue"] == 1
    second = client.get(reverse("inbox:index"), {"page": 2})
    assert len(second.context["tasks"]) == 11
    shown = {t.pk for t in first.context["tasks"]} | {t.pk for t in second.context["tasks"]}
    assert len(shown) == 61


def test_a_tasks_form_is_its_steps_schema_and_a_finished_task_is_not_prefilled(
    hr, approver, agency
):
    case = case_at_approval(hr, approver, agency)
    task = HumanTask.objects.get(case=case, state=TaskState.OPEN)
    definition, schema = task_form_schema(task)
    assert task.form_name and schema == definition.forms[task.form_name]
    HumanTask.objects.filter(pk=task.pk).update(state=TaskState.DONE)
    task.refresh_from_db()
    assert task_form_initial(task, definition, schema) == {}


def test_claiming_returns_to_a_page_of_this_site_only(client, hr, agency, models_deployed):
    case = recruitment_open(user=hr, fields=application(agency))
    task = open_task(case, "review_application")
    client.login(username=hr.username, password=PASSWORD)
    claim = reverse("inbox:claim", args=[task.pk])
    release = reverse("inbox:release", args=[task.pk])
    own = reverse("inbox:task", args=[task.pk])
    assert client.post(claim, {"next": own}).url == own
    assert client.post(release, {"next": "https://evil.example/"}).url == reverse("inbox:index")
    assert client.post(claim, {"next": "//evil.example/x"}).url == reverse("inbox:index")
