"""The public pages without login: registry, verification, complaints and their limits
(Art. 18)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from webapp.cases.models import Case

from .flows import drive
from .test_public_selectors import leave, number_of, serving

pytestmark = pytest.mark.django_db

COMPLAINTS = reverse("public:complaint_new")
STATUS = reverse("public:complaint_status")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def complaint_cases():
    return Case.objects.filter(definition__process_id="complaint")


def test_it_serves_the_registry_without_login_and_without_the_staff_menu(client, agency, hr):
    serving(agency, hr, 1, "王小明")
    response = client.get(reverse("public:registry"))
    html = response.content.decode()
    assert response.status_code == 200 and "王小明" in html
    assert "Art. 18" in html or "第十八条" in html
    assert reverse("inbox:index") not in html and reverse("staff:list") not in html
    assert reverse("set_language") in html


def test_it_shows_only_the_four_published_columns(client, agency, hr):
    staff = serving(agency, hr, 1)
    html = client.get(reverse("public:registry"), {"q": staff.name}).content.decode()
    assert staff.name in html and number_of(staff) in html and agency.name in html
    assert staff.id_number not in html and staff.id_masked not in html and staff.post not in html


def test_it_drops_staff_who_left_from_the_registry(client, agency, hr):
    gone = serving(agency, hr, 1, "离职者")
    leave(gone)
    assert "离职者" not in client.get(reverse("public:registry")).content.decode()


def test_it_speaks_english_when_asked(client, agency, hr):
    serving(agency, hr, 1)
    client.post(reverse("set_language"), {"language": "en", "next": "/registry/"})
    html = client.get(reverse("public:registry")).content.decode()
    assert "Registry of auxiliary law-enforcement staff (Art. 18)" in html


def test_it_verifies_a_number_and_says_valid(client, agency, hr):
    staff = serving(agency, hr, 1, "王小明")
    response = client.get(reverse("public:verify", args=[number_of(staff)]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="valid"' in html and "王小明" in html and agency.name in html
    assert staff.id_number not in html


def test_it_says_revoked_expired_or_unknown_without_a_name(client, agency, hr):
    gone, fired = serving(agency, hr, 1, "离职者"), serving(agency, hr, 2, "解聘者")
    leave(gone)
    leave(fired, revoke=True)
    for number, status in [
        (number_of(gone), "expired"),
        (number_of(fired), "revoked"),
        ("LA-CG-1999-0001", "unknown"),
    ]:
        html = client.get(reverse("public:verify", args=[number])).content.decode()
        assert f'data-status="{status}"' in html
        assert "离职者" not in html and "解聘者" not in html


def test_it_sends_the_verify_box_to_the_stable_address(client):
    response = client.get(reverse("public:verify_lookup"), {"number": " la-cg-2026-0001 "})
    assert response.url == "/registry/verify/LA-CG-2026-0001/"


def test_it_escapes_what_it_shows_back(client, agency, hr):
    html = client.get("/registry/verify/%3Cscript%3Ealert(1)/").content
    assert b"<SCRIPT>ALERT" not in html and b"&lt;SCRIPT&gt;ALERT(1)" in html
    html = client.get(reverse("public:registry"), {"q": "<img src=x onerror=1>"}).content
    assert b"<img src=x" not in html and b"&lt;img src=x" in html


def submit(client: Client, **fields: str):
    return client.post(COMPLAINTS, fields)


def test_it_takes_a_complaint_and_gives_a_receipt(client, models_deployed, agency):
    response = submit(
        client, agency=str(agency.pk), description="<b>推搡</b>摊主，态度恶劣。", contact="a@b.cn"
    )
    assert response.status_code == 302 and response.url == reverse("public:complaint_submitted")
    case = complaint_cases().get()
    page = client.get(response.url).content.decode()
    assert case.data["receipt_number"] in page
    # Shown back escaped, never as markup.
    assert "&lt;b&gt;推搡&lt;/b&gt;" in page and "<b>推搡</b>" not in page
    assert case.tasks.get().bpmn_id == "triage"


def test_it_refuses_a_complaint_with_no_subject_in_the_users_language(
    client, models_deployed, agency
):
    response = submit(client, description="态度恶劣，推搡摊主。")
    assert response.status_code == 400
    assert "Art. 18" in response.content.decode()
    assert "态度恶劣，推搡摊主。" in response.content.decode()  # nothing typed is lost
    assert not complaint_cases().exists()


def test_it_refuses_an_unknown_certificate_number(client, models_deployed, agency):
    response = submit(client, certificate_number="LA-CG-1999-0001", description="态度恶劣。")
    assert response.status_code == 400 and "LA-CG-1999-0001" in response.content.decode()
    assert not complaint_cases().exists()


def test_it_files_a_complaint_about_the_holder_of_a_certificate(
    client, models_deployed, agency, hr
):
    staff = serving(agency, hr, 1)
    form = client.get(COMPLAINTS, {"certificate": number_of(staff)}).content.decode()
    assert f'value="{number_of(staff)}"' in form
    submit(client, certificate_number=number_of(staff), description="执勤时辱骂群众。")
    assert complaint_cases().get().subject == staff


def test_it_ignores_what_a_robot_fills_into_the_hidden_field(client, models_deployed, agency):
    response = submit(
        client, agency=str(agency.pk), description="buy cheap pills now", website="http://spam"
    )
    assert response.status_code == 400 and not complaint_cases().exists()
    html = response.content.decode()
    assert "buy cheap pills now" in html  # a person would lose nothing...
    assert 'name="website" id="id_website" autocomplete="off" tabindex="-1" value=""' in html
    assert "http://spam" not in html  # ...and need not clear a field they cannot see


def test_it_enforces_field_limits(client, models_deployed, agency):
    response = submit(client, agency=str(agency.pk), description="长" * 2001)
    assert response.status_code == 400 and not complaint_cases().exists()
    response = submit(client, agency=str(agency.pk), description="态度恶劣。", contact="1" * 101)
    assert response.status_code == 400 and not complaint_cases().exists()


@override_settings(FUZHI_PUBLIC_MAX_BODY=2048)
def test_it_refuses_an_oversized_body_before_reading_it(client, models_deployed, agency):
    body = urlencode({"agency": str(agency.pk), "description": "x" * 3000})
    response = client.post(COMPLAINTS, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and not complaint_cases().exists()


@override_settings(FUZHI_PUBLIC_UPLOAD_MAX_BODY=4096)
def test_a_form_with_files_has_its_own_bound_and_is_refused_past_it(
    client, models_deployed, agency
):
    # The evidence files' allowance is explicit (FUZHI_PUBLIC_UPLOAD_MAX_BODY), not an
    # open door: past it the multipart body is answered 413 unread and nothing is opened.
    evidence = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"0" * 5000)
    response = client.post(
        COMPLAINTS, {"agency": str(agency.pk), "description": "态度恶劣。", "evidence": evidence}
    )
    assert response.status_code == 413 and not complaint_cases().exists()


@override_settings(FUZHI_PUBLIC_LIMITS={"complaint": (2, 3600)})
def test_it_limits_complaints_per_client_address(client, models_deployed, agency):
    for _ in range(2):
        assert submit(client, agency=str(agency.pk), description="态度恶劣。").status_code == 302
    response = submit(client, agency=str(agency.pk), description="态度恶劣。")
    assert response.status_code == 429 and response["Retry-After"] == "3600"
    assert complaint_cases().count() == 2
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert submit(other, agency=str(agency.pk), description="态度恶劣。").status_code == 302


def test_it_needs_the_csrf_token(models_deployed, agency):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(COMPLAINTS, {"agency": str(agency.pk), "description": "态度恶劣。"})
    assert response.status_code == 403 and not complaint_cases().exists()


def test_it_looks_up_a_complaint_by_receipt_and_shows_the_reply(
    client, models_deployed, agency, hr, approver
):
    submit(client, agency=str(agency.pk), description="态度恶劣。", name="张三", contact="139")
    case = complaint_cases().get()
    receipt = case.data["receipt_number"]
    html = client.post(STATUS, {"receipt": receipt}).content.decode()
    assert 'data-stage="received"' in html and "张三" not in html and "139" not in html
    drive(
        case,
        [
            ("triage", {"triage_decision": "accept", "triage_reason": ""}),
            ("investigate_complaint", {"complaint_findings": "属实", "substantiated": True}),
            ("reply_complainant", {"complaint_reply": "<i>已</i>批评教育。"}),
        ],
        hr,
        approver,
    )
    html = client.post(STATUS, {"receipt": receipt.lower()}).content.decode()
    assert 'data-stage="replied"' in html and "&lt;i&gt;已&lt;/i&gt;批评教育。" in html
    assert "张三" not in html and "属实" not in html


def test_it_says_so_when_no_complaint_has_the_receipt(client, models_deployed):
    response = client.post(STATUS, {"receipt": "TS20260101ABCDEF"})
    assert response.status_code == 400 and "Art. 18" in response.content.decode()


@override_settings(FUZHI_PUBLIC_LIMITS={"receipt": (3, 600)})
def test_it_limits_receipt_lookups_so_guessing_is_hopeless(client, models_deployed):
    codes = [
        client.post(STATUS, {"receipt": f"TS20260101ABCD{i:02d}"}).status_code for i in range(5)
    ]
    assert codes == [400, 400, 400, 429, 429]
