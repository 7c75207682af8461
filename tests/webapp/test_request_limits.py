"""Malformed, deep, oversized and oddly encoded bodies: 400/413/415 with a clear message in
the caller's language, never a 500, on every route and for every caller (issue 18).

The bodies are the ones that used to answer 500: JSON nested ~950 deep (1.9 KB, a
``RecursionError``), a body over Django's 2.5 MB, a lone surrogate (the message or the
history hash could not be encoded), a charset Python does not know.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from rest_framework.authtoken.models import Token

from webapp.accounts.models import Membership
from webapp.accounts.roles import Role
from webapp.cases.models import Case, CaseEvent, HumanTask
from webapp.designer.services import draft_open

from .conftest import PASSWORD
from .flows import case_at_approval, open_task
from .security_support import routes
from .test_tenancy_matrix import fill

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
DEEP = "[" * 950 + "]" * 950  # 1.9 KB: RecursionError in json.loads before
DEEPER = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"
SHALLOW_DEEP = '{"data": ' + "[" * 40 + "]" * 40 + "}"  # parses, but deeper than allowed

BODIES: dict[str, tuple[bytes, str]] = {
    "deep": (DEEP.encode(), "application/json"),
    "deeper": (DEEPER.encode(), "application/json"),
    "too deep to keep": (SHALLOW_DEEP.encode(), "application/json"),
    "lone surrogate": (
        b'{"data": {"decision": "\\ud800"}, "comment": "\\udfff"}',
        "application/json",
    ),
    "surrogate key": (b'{"\\ud800": 1}', "application/json"),
    "nul": (b'{"data": {"reason": "a\\u0000b"}, "comment": ""}', "application/json"),
    "not utf-8": ('{"comment": "投诉"}'.encode("gb18030"), "application/json"),
    "utf-16": ('{"comment": "x"}'.encode("utf-16"), "application/json; charset=utf-16"),
    "unknown charset": (b'{"comment": "x"}', "application/json; charset=x-no-such-charset"),
    "not json": (b"{'data': nope", "application/json"),
    "huge integer": (b'{"data": {"exam_score": ' + b"9" * 5000 + b"}}", "application/json"),
}
# Form posts a browser would never send: Django's parsers must refuse them, not crash.
FORM_BODIES: dict[str, tuple[bytes, str]] = {
    "form, unknown charset": (
        b"a=%E6%8A%95&b=2",
        "application/x-www-form-urlencoded; charset=x-nope",
    ),
    "form, utf-16": (
        "a=投诉".encode("utf-16"),
        "application/x-www-form-urlencoded; charset=utf-16",
    ),
    "form, broken escapes": (b"a=%ED%A0%80&b=%zz&%", "application/x-www-form-urlencoded"),
    "multipart without boundary": (b"--x\r\n", "multipart/form-data"),
    "multipart garbage": (b"garbage" * 100, "multipart/form-data; boundary=zz"),
    "too many fields": (
        b"&".join(b"f%d=1" % i for i in range(1200)),
        "application/x-www-form-urlencoded",
    ),
}
HUGE = b'{"comment": "' + b"x" * 3_000_000 + b'"}'
# What every route gets (each kind of failure once; the API and designer tests above send
# every body to the endpoints that read them).
SWEEP = {
    name: body
    for name, body in {**BODIES, **FORM_BODIES, "huge": (HUGE, "application/json")}.items()
    if name in ("deeper", "lone surrogate", "not utf-8", "unknown charset", "huge", "nul")
    or name in FORM_BODIES
}


@pytest.fixture(autouse=True)
def _no_throttle_left():
    cache.clear()


def token(user: Any) -> dict[str, str]:
    key, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {key.key}"}


def send(client: Client, url: str, body: bytes, kind: str, **extra: Any) -> Any:
    return client.generic("POST", url, body, content_type=kind, **extra)


def assert_refused(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"error", "message", "article", "fields"}
    text = " ".join([body["message"], *map(str, body["fields"].values())])
    assert CJK.search(text), f"not said in Chinese: {text}"
    return body


@pytest.fixture
def waiting(models_deployed, agency, hr, approver):
    """A recruitment waiting for the approver's decision."""
    case = case_at_approval(hr, approver, agency)
    return open_task(case, "approve_hire")


def test_api_endpoints_refuse_each_hostile_body_with_400_in_chinese(
    client, waiting, hr, approver, auditor
):
    endpoints = [
        ("/api/public/complaints/", None),
        ("/api/cases/", hr),
        ("/api/recruitments/", hr),
        ("/api/usage-plans/", hr),
        (f"/api/tasks/{waiting.pk}/complete/", approver),
    ]
    events = CaseEvent.objects.count()
    for url, user in endpoints:
        for name, (body, kind) in BODIES.items():
            cache.clear()  # the complaint throttle counts every call
            response = send(client, url, body, kind, **(token(user) if user else {}))
            expected = (415,) if "charset" in name else (400,)
            if name == "utf-16":
                expected = (415,)
            refusal = assert_refused(response, *expected)
            assert refusal["error"] in ("parse_error", "unsupported_media_type"), (url, name)
    assert CaseEvent.objects.count() == events
    assert HumanTask.objects.get(pk=waiting.pk).is_active


def test_api_refuses_a_body_over_its_limit_unread_with_413(client, approver, waiting):
    url = f"/api/tasks/{waiting.pk}/complete/"
    over = b'{"comment": "' + b"x" * 300_000 + b'"}'
    for body in (over, HUGE):
        response = send(client, url, body, "application/json", **token(approver))
        refusal = assert_refused(response, 413)
        assert refusal["error"] == "too_large"
    assert HumanTask.objects.get(pk=waiting.pk).is_active


def test_the_refusal_speaks_english_to_an_english_caller(client, approver, waiting):
    url = f"/api/tasks/{waiting.pk}/complete/"
    response = send(
        client, url, DEEP.encode(), "application/json", HTTP_ACCEPT_LANGUAGE="en", **token(approver)
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["message"]
    surrogate = send(
        client,
        url,
        BODIES["lone surrogate"][0],
        "application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **token(approver),
    )
    assert "lone surrogate" in surrogate.json()["message"]


def test_a_reader_posting_a_hostile_body_is_refused_without_a_500(client, auditor, waiting):
    """Auditors used to reach the parser (and its 500) before the permission check. The
    case-opening endpoints now refuse a reader before reading the body (403 whatever it
    holds); task completion reads at most FUZHI_API_MAX_BODY bytes, bounded, and refuses."""
    events = CaseEvent.objects.count()
    for url in ("/api/recruitments/", "/api/cases/", "/api/usage-plans/"):
        for body, kind in [*BODIES.values(), (HUGE[:200_000], "application/json")]:
            response = send(client, url, body, kind, **token(auditor))
            assert response.status_code == 403, (url, response.status_code)
            assert CJK.search(response.json()["message"])
    complete = f"/api/tasks/{waiting.pk}/complete/"
    for body, kind in BODIES.values():
        response = send(client, complete, body, kind, **token(auditor))
        assert response.status_code in (400, 403, 415), response.status_code
        assert CJK.search(response.json()["message"])
    for url in ("/api/recruitments/", complete):
        assert send(client, url, HUGE, "application/json", **token(auditor)).status_code == 413
    assert CaseEvent.objects.count() == events


@pytest.fixture
def designer_client(city) -> Client:
    user = get_user_model().objects.create_user("limits_designer", password=PASSWORD)
    Membership.objects.create(user=user, agency=city, role=Role.DESIGNER)
    client = Client()
    client.force_login(user)
    return client


def test_designer_calls_refuse_each_hostile_body_with_a_message(designer_client, models_deployed):
    designer = get_user_model().objects.get(username="limits_designer")
    draft = draft_open(process_id="recruitment", user=designer, version=None)
    for action in ("save", "check", "deploy", "test-run"):
        url = f"/designer/drafts/{draft.pk}/{action}/"
        for name, (body, kind) in BODIES.items():
            response = send(designer_client, url, body, kind)
            assert response.status_code == 400, (action, name, response.status_code)
            assert CJK.search(response.json()["error"]), (action, name)
        huge = send(designer_client, url, b"x" * (17 * 1024 * 1024), "application/json")
        assert huge.status_code == 413
        assert CJK.search(huge.content.decode())


def test_pages_answer_an_oversized_post_with_413_before_reading_it(client, hr, waiting):
    client.force_login(hr)
    for url in ("/complaints/", f"/inbox/tasks/{waiting.pk}/", "/staff/recruitment/new/"):
        response = client.generic(
            "POST", url, b"a=" + b"x" * 3_000_000, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 413, (url, response.status_code)
        assert CJK.search(response.content.decode())
    bad_length = client.generic(
        "POST",
        "/complaints/",
        b"a=1",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="lots",
    )
    assert bad_length.status_code == 400


def test_every_route_survives_every_hostile_body_from_every_caller(
    waiting, hr, approver, auditor, designer_client
):
    """Each named route of the project, POSTed each hostile body by an anonymous caller,
    an HR officer, an approver, an auditor and a designer: no 5xx, and nothing changes."""
    records = {"task_id": waiting.pk, "case_id": waiting.case_id}
    clients = {"anonymous": Client(), "designer": designer_client}
    for name, user in (("hr", hr), ("approver", approver), ("auditor", auditor)):
        clients[name] = Client()
        clients[name].force_login(user)
    state = (Case.objects.get(pk=waiting.case_id).version, CaseEvent.objects.count())
    failures = []
    sent = 0
    for route in routes():
        url = fill(route, records)
        for who, client in clients.items():
            for name, (body, kind) in SWEEP.items():
                cache.clear()
                response = send(client, url, body, kind)
                sent += 1
                if response.status_code >= 500:
                    failures.append(f"POST {url} as {who} with {name}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert sent > 1500
    assert (Case.objects.get(pk=waiting.case_id).version, CaseEvent.objects.count()) == state
