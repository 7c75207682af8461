"""The case page for auditors: diagram of the version run, path and waiting tasks, integrity."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from processes import catalog
from webapp.cases.definitions import definition_deploy
from webapp.cases.models import CaseEvent
from webapp.cases.openings import recruitment_open
from webapp.cases.services import task_complete

from .conftest import PASSWORD
from .flows import CLEAN_REVIEW, application, open_task

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


@pytest.fixture
def case(hr, agency):
    case = recruitment_open(user=hr, fields=application(agency, 1))
    task = open_task(case, "review_application")
    return task_complete(task_id=task.pk, user=hr, data=CLEAN_REVIEW, comment="材料齐全")


def marks(response) -> dict:
    found = re.search(
        r'<script id="diagram-marks" type="application/json">(.*?)</script>',
        response.content.decode(),
    )
    assert found, "the page embeds the diagram marks"
    return json.loads(found.group(1))


def test_the_case_page_marks_the_path_taken_and_the_waiting_task(client, auditor, case):
    client.login(username="auditor", password=PASSWORD)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    found = marks(response)
    assert found["active"] == ["record_scores"]
    assert found["done"][0] == "review_application"
    assert {"check_eligibility", "check_disqualification"} <= set(found["done"])
    assert "record_scores" not in found["done"]
    body = response.content.decode()
    assert f'data-xml-url="{reverse("cases:diagram", args=[case.pk])}"' in body
    assert 'data-bpmn="review_application" tabindex="0"' in body


def test_every_timeline_entry_shows_who_in_which_role_when_and_the_article(client, auditor, case):
    client.login(username="auditor", password=PASSWORD)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    step = CaseEvent.objects.get(case=case, kind="task_completed")
    entry = re.search(
        rf'<li class="ev ev-task_completed" data-seq="{step.seq}".*?</li>', body, re.S
    )
    assert entry, "the completed step is on the timeline"
    text = entry.group(0)
    assert "hr · 人事专员" in text and "材料齐全" in text and "Art. 10" in text
    assert step.at.astimezone().strftime("%Y-%m-%d") in text
    assert "办理前" in text or "前后" in text  # the before/after table is labelled
    assert "具有中华人民共和国国籍" in text  # a form label, not the variable name


def test_the_diagram_is_the_bpmn_of_the_version_the_case_runs_on(client, auditor, case, hr):
    files = catalog.read_directory(catalog_dir("recruitment"))
    files["recruitment.bpmn"] = files["recruitment.bpmn"].replace(
        b'name="\xe6\x8b\x9b\xe8\x81\x98"', 'name="招聘（第二版）"'.encode()
    )
    newer = definition_deploy(files=files)
    assert newer.version == 2 and case.definition.version == 1
    client.login(username="auditor", password=PASSWORD)
    response = client.get(reverse("cases:diagram", args=[case.pk]))
    assert response["Content-Type"].startswith("application/xml")
    served = response.content
    original = bytes(case.definition.files.get(name="recruitment.bpmn").content)
    assert "第二版".encode() not in served
    assert served.count(b"<bpmn:userTask") == original.count(b"<bpmn:userTask")
    # Its lanes show the roles' names, not their codes.
    assert b'name="hr_officer"' in original and b'name="hr_officer"' not in served
    assert 'name="人事专员"'.encode() in served
    later = recruitment_open(user=hr, fields=application(case.agency, 2))
    assert "第二版".encode() in client.get(reverse("cases:diagram", args=[later.pk])).content


def catalog_dir(process: str):
    from tests.conftest import BPMN_DIR

    return BPMN_DIR / process


def test_the_diagram_is_guarded_like_the_case(client, stranger, case):
    url = reverse("cases:diagram", args=[case.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.login(username="stranger", password=PASSWORD)
    assert client.get(url).status_code == 404


def test_the_case_page_says_whether_its_history_verifies(client, auditor, case):
    client.login(username="auditor", password=PASSWORD)
    assert "完整性校验通过" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    CaseEvent.objects.filter(case=case, seq=3).update(comment="改过的意见")
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "完整性校验未通过" in body and "#3" in body
