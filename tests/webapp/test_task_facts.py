"""Each decision shows its facts: the model names what the decider sees, labelled and
formatted, with its warnings (over quota by N, Art. 9); no code, key or Python literal
reaches the task page, the case page or the exports."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from processes.catalog import read_directory
from processes.errors import ModelError
from webapp.cases.definitions import definition_deploy
from webapp.cases.openings import case_open_for_staff, complaint_open, usage_plan_open
from webapp.cases.services import task_complete

from .conftest import PASSWORD
from .flows import APPROVE_PLAN, PLAN, case_at_approval, drive, open_task
from .test_consequences import POOR, trained

pytestmark = pytest.mark.django_db

# What must never reach a person: a Python literal, a bare boolean, or a code of the
# models (snake_case words such as eligibility_reason, within_quota, no_breach).
RAW = re.compile(r"[{\[]'|\bTrue\b|\bFalse\b|\bNone\b|\b[a-z]+_[a-z_]+\b")


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


def page(client, user, url):
    assert client.login(username=user.username, password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def between(body, start, end):
    return body[body.index(start) : body.index(end, body.index(start))]


def visible_text(body):
    """What a reader sees: no tags, attributes, scripts or styles."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_approver_sees_the_quota_and_a_warning_before_agreeing_to_an_over_quota_plan(
    client, agency, hr, approver
):
    # The fixture agency's approved plans already fill its quota of 5: two more exceed it.
    case = usage_plan_open(agency=agency, actor=hr)
    task_complete(task_id=open_task(case, "draft_plan").pk, user=hr, data=PLAN)
    task = open_task(case, "approve_plan")
    body = page(client, approver, reverse("inbox:task", args=[task.pk]))
    facts = between(body, 'data-testid="task-facts"', "</dl>")
    assert "核定数量（Art. 9）</dt><dd>5</dd>" in facts
    assert "已批准的计划数</dt><dd>5</dd>" in facts
    assert "计划聘用人数</dt><dd>2</dd>" in facts
    assert "用工方式</dt><dd>单位聘用</dd>" in facts  # a choice by its name
    warning = between(body, 'data-testid="warnings"', "</div>")
    assert "超出核定数量 2 人" in warning and "Art. 9" in warning
    assert body.index('data-testid="task-facts"') < body.index('data-testid="task-form"')


def test_a_plan_within_the_quota_carries_no_warning(client, agency, hr, approver):
    agency.quota = 10
    agency.save()
    case = usage_plan_open(agency=agency, actor=hr)
    task_complete(task_id=open_task(case, "draft_plan").pk, user=hr, data=PLAN)
    body = page(client, approver, reverse("inbox:task", args=[open_task(case, "approve_plan").pk]))
    assert 'data-testid="warnings"' not in body


def test_the_staffing_office_sees_the_quota_check_by_name(client, agency, hr, approver, staffing):
    case = usage_plan_open(agency=agency, actor=hr)
    drive(case, [("draft_plan", PLAN), ("approve_plan", APPROVE_PLAN)], hr, approver)
    body = page(client, staffing, reverse("inbox:task", args=[open_task(case, "review_quota").pk]))
    facts = between(body, 'data-testid="task-facts"', "</dl>")
    assert "可用数</dt><dd>0</dd>" in facts and "在核定数量以内</dt><dd>否</dd>" in facts
    assert "即使同意也不能通过" in between(body, 'data-testid="warnings"', "</div>")


def test_the_approver_sees_the_grade_they_are_asked_to_agree_to(
    client, agency, hr, approver, trainer
):
    staff, _ = trained(agency, hr, approver, trainer)
    case = case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    drive(case, [("rate_member", POOR)], hr, approver)
    body = page(client, approver, reverse("inbox:task", args=[open_task(case, "confirm_grade").pk]))
    facts = between(body, 'data-testid="task-facts"', "</dl>")
    assert "评定的考核等次</dt><dd>不合格</dd>" in facts
    assert "四项评分合计</dt><dd>7</dd>" in facts
    assert "incompetent" not in visible_text(body)
    assert "启动解聘审查" in between(body, 'data-testid="warnings"', "</div>")


def test_complaint_handlers_read_the_complaint_and_who_made_it(client, agency, hr, approver):
    case = complaint_open(
        agency=agency,
        actor=hr,
        complainant_name="市民甲",
        complainant_contact="13900000000",
        complaint_text="执勤时态度粗暴，推搡摊主",
    )
    for bpmn_id, data in (
        ("triage", {"triage_decision": "accept"}),
        ("investigate_complaint", None),
    ):
        task = open_task(case, bpmn_id)
        body = page(client, hr, reverse("inbox:task", args=[task.pk]))
        facts = between(body, 'data-testid="task-facts"', "</dl>")
        assert "投诉举报内容</dt><dd>执勤时态度粗暴，推搡摊主</dd>" in facts
        assert "投诉人</dt><dd>市民甲</dd>" in facts and "13900000000" in facts
        if data:
            task_complete(task_id=task.pk, user=hr, data=data)
    case_page = page(client, hr, reverse("cases:detail", args=[case.pk]))
    assert "执勤时态度粗暴，推搡摊主" in case_page


def test_no_code_or_literal_reaches_the_case_page_or_the_exports(client, agency, hr, approver):
    case = case_at_approval(hr, approver, agency)
    task_complete(
        task_id=open_task(case, "approve_hire").pk,
        user=approver,
        data={"decision": "approve", "reason": "同意"},
    )
    body = page(client, hr, reverse("cases:detail", args=[case.pk]))
    shown = visible_text(between(body, 'id="case-timeline"', "</section>"))
    shown += visible_text(between(body, 'data-testid="facts"', "</dl>"))
    assert not RAW.findall(shown), RAW.findall(shown)
    assert "符合《办法》第十条" in shown  # eligibility_reason, under its label
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("audit:case_xlsx", args=[case.pk])).content)
    )
    # The timeline's last two columns are references for auditors: the diagram element
    # and the hash.
    rows = list(workbook.worksheets[1].iter_rows(values_only=True))[1:]
    cells = " ".join(str(cell) for row in rows for cell in row[:-2] if cell is not None)
    facts = " ".join(
        str(v) for row in workbook.worksheets[0].iter_rows(values_only=True) for v in row if v
    )
    found = RAW.findall(cells) + RAW.findall(facts.split("SHA-256")[0])
    assert not found, found


def test_a_deploy_refuses_a_fact_with_no_label_and_a_warning_that_does_not_compile(bpmn_dir):
    files = read_directory(bpmn_dir / "usage_plan")
    facts = b'name="facts" value="agency_name, '
    unlabelled = dict(files)
    unlabelled["usage_plan.bpmn"] = files["usage_plan.bpmn"].replace(
        facts, facts + b"secret_sauce, ", 1
    )
    with pytest.raises(ModelError, match="fact 'secret_sauce' has no title"):
        definition_deploy(files=unlabelled)
    broken = dict(files)
    broken["forms/case_data.json"] = files["forms/case_data.json"].replace(
        b'"when": "planned_headcount', b'"when": "__import__(\'os\') or planned_headcount', 1
    )
    with pytest.raises(ModelError, match="warning"):
        definition_deploy(files=broken)
