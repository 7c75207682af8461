"""The public API without a login: registry search, certificate verification, complaint
submission and its receipt (Art. 18, 19), on the real complaint process."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from webapp.cases.models import Case

from .test_lifecycle_operators import call, case_about, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deployed(models_deployed):
    cache.clear()  # throttle counters
    return models_deployed


@pytest.fixture
def serving(agency, hr):
    staff = member(agency, 1)
    call(case_about(staff, hr), "certificate_issue")
    staff.refresh_from_db()
    return staff


def test_it_finds_a_serving_member_and_publishes_nothing_personal(client, serving):
    body = client.get("/api/public/registry/", {"q": serving.name}).json()
    assert body["count"] == 1
    entry = body["results"][0]
    assert set(entry) == {"name", "unit", "certificate_number", "valid"}
    assert entry["name"] == serving.name and entry["valid"] is True
    assert serving.id_number not in str(body)


def test_it_refuses_a_registry_query_beyond_the_limits(client):
    response = client.get("/api/public/registry/", {"limit": 1000})
    assert response.status_code == 400 and "limit" in response.json()["fields"]


def test_it_verifies_a_certificate_number(client, serving):
    number = serving.certificates.get().number
    valid = client.get(f"/api/public/certificates/{number}/").json()
    assert valid["status"] == "valid" and valid["entry"]["name"] == serving.name
    unknown = client.get("/api/public/certificates/LA-CG-1999-9999/").json()
    assert unknown == {"number": "LA-CG-1999-9999", "status": "unknown", "entry": None}


def test_it_takes_a_complaint_and_shows_its_stage_by_receipt(client, agency):
    response = client.post(
        "/api/public/complaints/",
        {
            "agency": agency.pk,
            "description": "协管员态度粗暴，推搡摊主。",
            "contact": "13800000000",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    receipt = response.json()["receipt"]
    case = Case.objects.get(data__receipt_number=receipt)
    assert case.agency == agency and case.definition.process_id == "complaint"
    status = client.get(f"/api/public/complaints/{receipt}/").json()
    assert status["stage"] == "received" and status["unit"] == agency.name
    assert "13800000000" not in str(status)
    assert client.get("/api/public/complaints/TS20990101ABCDEF/").status_code == 404


def test_it_refuses_a_complaint_with_a_clear_message_and_opens_nothing(
    client, agency, other_agency, serving
):
    short = client.post(
        "/api/public/complaints/",
        {"agency": agency.pk, "description": "差"},
        content_type="application/json",
    )
    assert short.status_code == 400 and short.json()["error"] == "refused"
    number = serving.certificates.get().number
    wrong_unit = client.post(
        "/api/public/complaints/",
        {
            "agency": other_agency.pk,
            "description": "证件号与单位不符的投诉",
            "certificate_number": number,
        },
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong_unit.status_code == 400
    assert wrong_unit.json()["article"] == "Art. 18"
    assert "belongs to" in wrong_unit.json()["message"]
    no_unit = client.post(
        "/api/public/complaints/",
        {"agency": 10**30, "description": "没有单位的投诉内容"},
        content_type="application/json",
    )
    assert no_unit.status_code == 400 and "agency" in no_unit.json()["fields"]
    assert not Case.objects.filter(definition__process_id="complaint").exists()


def test_it_limits_complaints_per_address(client, agency, settings):
    settings.FUZHI_PUBLIC_LIMITS = {**settings.FUZHI_PUBLIC_LIMITS, "complaint": (2, 3600)}
    body = {"agency": agency.pk, "description": "重复提交的投诉内容"}
    codes = [
        client.post("/api/public/complaints/", body, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Case.objects.filter(definition__process_id="complaint").count() == 2


def test_it_answers_404_for_ids_beyond_any_column_and_wrong_addresses(client, approver):
    from rest_framework.authtoken.models import Token

    key = Token.objects.create(user=approver).key
    huge = 10**30
    for url in (f"/api/tasks/{huge}/", f"/api/cases/{huge}/history/", f"/api/staff/{huge}/"):
        response = client.get(url, HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 404, url
    wrong = client.post("/api/nowhere/", {}, content_type="application/json")
    assert wrong.status_code == 404 and wrong.json()["error"] == "not_found"
