"""Case search for auditors: criteria, visibility (Art. 4), paging, saved and shared searches."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from webapp.accounts.models import Grant, Membership
from webapp.accounts.roles import Role
from webapp.audit import views
from webapp.audit.models import SavedSearch
from webapp.cases.models import Case, HumanTask
from webapp.cases.openings import recruitment_open

from .conftest import PASSWORD
from .flows import application

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    return models_deployed


@pytest.fixture
def cases(hr, stranger, agency, other_agency):
    """Two recruitments in 城管局, one in 金安区 (opened by the other agency's HR officer)."""
    first = recruitment_open(user=hr, fields=application(agency, 1, name="王小明"))
    second = recruitment_open(user=hr, fields=application(agency, 2, name="李四"))
    foreign = recruitment_open(user=stranger, fields=application(other_agency, 3, name="赵六"))
    return first, second, foreign


def keys(response):
    return {c.business_key for c in response.context["page"].object_list}


def test_it_finds_cases_by_business_key_staff_name_and_id_number(client, auditor, cases):
    first, second, foreign = cases
    client.login(username="auditor", password=PASSWORD)
    url = reverse("audit:search")
    assert keys(client.get(url, {"q": first.business_key})) == {first.business_key}
    assert keys(client.get(url, {"q": "赵六"})) == {foreign.business_key}
    assert keys(client.get(url, {"q": second.subject.id_number.lower()})) == {second.business_key}
    assert keys(client.get(url)) == {c.business_key for c in cases}


def test_it_filters_by_process_status_agency_and_dates(client, auditor, cases, other_agency):
    first, second, foreign = cases
    Case.objects.filter(pk=first.pk).update(started_at=timezone.now() - timedelta(days=40))
    Case.objects.filter(pk=second.pk).update(status="completed")
    client.login(username="auditor", password=PASSWORD)
    url = reverse("audit:search")
    assert keys(client.get(url, {"process": "recruitment"})) == {c.business_key for c in cases}
    assert keys(client.get(url, {"process": "training"})) == set()
    assert keys(client.get(url, {"status": "completed"})) == {second.business_key}
    assert keys(client.get(url, {"agency": other_agency.pk})) == {foreign.business_key}
    month_ago = (timezone.localdate() - timedelta(days=30)).isoformat()
    assert keys(client.get(url, {"started_to": month_ago})) == {first.business_key}
    assert first.business_key not in keys(client.get(url, {"started_from": month_ago}))


def test_it_finds_only_cases_with_an_overdue_task(client, auditor, cases):
    first, _second, _foreign = cases
    HumanTask.objects.filter(case=first).update(due_at=timezone.now() - timedelta(hours=1))
    client.login(username="auditor", password=PASSWORD)
    response = client.get(reverse("audit:search"), {"overdue": "on"})
    assert keys(response) == {first.business_key}


def test_it_shows_an_hr_officer_only_their_own_agency(client, hr, cases):
    _first, _second, foreign = cases
    client.login(username="hr", password=PASSWORD)
    response = client.get(reverse("audit:search"), {"q": "赵六"})
    assert keys(response) == set()
    assert foreign.business_key not in client.get(reverse("audit:search")).content.decode()
    # Another agency is not even offered as a filter.
    assert client.get(reverse("audit:search"), {"agency": foreign.agency_id}).status_code == 400


def test_the_justice_bureau_reads_every_granted_agency(client, city, cases, django_user_model):
    justice = django_user_model.objects.create_user("justice", password=PASSWORD)
    Membership.objects.create(user=justice, agency=city, role=Role.JUSTICE_BUREAU)
    Grant.objects.create(user=justice, agency=city)
    client.login(username="justice", password=PASSWORD)
    assert keys(client.get(reverse("audit:search"))) == {c.business_key for c in cases}


def test_it_paginates(client, auditor, cases, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.login(username="auditor", password=PASSWORD)
    first_page = client.get(reverse("audit:search"), {"process": "recruitment"})
    second_page = client.get(reverse("audit:search"), {"process": "recruitment", "page": 2})
    assert len(keys(first_page)) == 2 and len(keys(second_page)) == 1
    assert keys(first_page) | keys(second_page) == {c.business_key for c in cases}
    assert 'rel="next"' in first_page.content.decode()
    assert "process=recruitment" in first_page.content.decode()


def test_it_refuses_an_inverted_date_range_with_a_message(client, auditor, cases):
    client.login(username="auditor", password=PASSWORD)
    response = client.get(
        reverse("audit:search"), {"started_from": "2026-05-02", "started_to": "2026-05-01"}
    )
    assert response.status_code == 400
    assert "开始日期晚于结束日期" in response.content.decode()
    assert keys(response) == set()


def test_it_exports_the_results_to_excel(client, auditor, cases, agency):
    client.login(username="auditor", password=PASSWORD)
    response = client.get(reverse("audit:search_export"), {"agency": agency.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "业务编号"
    exported = {row[0]: row for row in rows[1:]}
    first, second, _foreign = cases
    assert set(exported) == {first.business_key, second.business_key}
    assert exported[first.business_key][4] == "王小明"
    assert exported[first.business_key][3] == agency.name


def test_it_saves_a_search_and_runs_it_again(client, auditor, cases):
    first, _second, _foreign = cases
    client.login(username="auditor", password=PASSWORD)
    client.post(
        reverse("audit:saved_new"),
        {"name": "王小明的案件", "q": "王小明", "started_from": "2020-01-01", "shared_role": ""},
    )
    saved = SavedSearch.objects.get(owner=auditor)
    assert saved.params == {"q": "王小明", "started_from": "2020-01-01"}
    response = client.get(reverse("audit:saved_run", args=[saved.pk]), follow=True)
    assert keys(response) == {first.business_key}


def test_a_duplicate_name_is_refused_with_a_message(client, auditor, cases):
    client.login(username="auditor", password=PASSWORD)
    for _ in range(2):
        response = client.post(reverse("audit:saved_new"), {"name": "逾期", "overdue": "on"})
    assert SavedSearch.objects.filter(owner=auditor).count() == 1
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("逾期" in m and "已有" in m for m in messages), messages


def test_a_search_shared_with_a_role_is_listed_for_its_holders_only(
    client, auditor, hr, cases, city, django_user_model
):
    colleague = django_user_model.objects.create_user("auditor2", password=PASSWORD)
    Membership.objects.create(user=colleague, agency=city, role=Role.AUDITOR)
    Grant.objects.create(user=colleague, agency=city)
    shared = SavedSearch.objects.create(
        owner=auditor,
        name="全市招聘",
        params={"process": "recruitment"},
        shared_role="auditor",
        shared_agency=city,
    )
    SavedSearch.objects.create(owner=auditor, name="私人", params={})
    client.login(username="auditor2", password=PASSWORD)
    listed = client.get(reverse("audit:search")).context["saved"]
    assert [s.name for s in listed] == ["全市招聘"]
    # The colleague may run it but not delete it.
    assert client.get(reverse("audit:saved_run", args=[shared.pk])).status_code == 302
    assert client.post(reverse("audit:saved_delete", args=[shared.pk])).status_code == 404
    assert SavedSearch.objects.filter(pk=shared.pk).exists()
    client.login(username="hr", password=PASSWORD)
    assert list(client.get(reverse("audit:search")).context["saved"]) == []
    assert client.get(reverse("audit:saved_run", args=[shared.pk])).status_code == 404


def test_a_shared_search_runs_with_the_viewers_own_visibility(client, auditor, hr, cases):
    shared = SavedSearch.objects.create(
        owner=auditor,
        name="全部",
        params={"process": "recruitment"},
        shared_role="hr_officer",
        shared_agency=hr.memberships.get().agency,
    )
    first, second, _foreign = cases
    client.login(username="hr", password=PASSWORD)
    response = client.get(reverse("audit:saved_run", args=[shared.pk]), follow=True)
    assert keys(response) == {first.business_key, second.business_key}


def test_the_owner_deletes_a_saved_search(client, auditor):
    saved = SavedSearch.objects.create(owner=auditor, name="x", params={})
    client.login(username="auditor", password=PASSWORD)
    client.post(reverse("audit:saved_delete", args=[saved.pk]))
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


def test_the_auditor_pages_speak_english_too(client, auditor, cases):
    client.login(username="auditor", password=PASSWORD)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("audit:search")).content.decode()
    assert "Case search" in body and "Cases found: 3" in body and "Saved searches" in body
    body = client.get(reverse("audit:integrity")).content.decode()
    assert "Verify all histories I may see" in body
    body = client.get(reverse("cases:detail", args=[cases[0].pk])).content.decode()
    assert "Export history (PDF)" in body and "path taken" in body
