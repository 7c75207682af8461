"""XSS: markup typed into names, comments, form fields and BPMN names/documentation is
shown escaped on every page.

The payloads go in through the real services (an applicant's name, a step's comment
and reason, a user's name, a deployed model's task name and documentation, a public
complaint); then every GET route from the URL resolver is rendered for the people who
may see them, with its parameters pointing at those records, and no HTML page may
carry a payload as live markup.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from django.test import Client
from django.urls import reverse

from webapp.accounts.models import Notification
from webapp.cases.definitions import definition_deploy
from webapp.cases.services import case_start
from webapp.staff.lifecycle import certificate_issue
from webapp.staff.models import Staff

from .flows import APPROVE, CONTRACT, application, case_at_approval, drive, open_task
from .security_support import live_markup, routes

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
ATTR = "' onmouseover='alert(3)"
# What must never appear in an HTML page: the payloads as markup. Checked twice: as text,
# and parsed as a browser would (an event handler attribute, an <img src=x>, a script
# that runs alert); the single-quote payload is only dangerous as an attribute, so only
# the parser judges it (inside a JSON data block it is plain text).
LIVE = ("<script>alert(1)", "<img src=x onerror")
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;")

BASE = Path(__file__).resolve().parents[1] / "hostile" / "base" / "model.bpmn"


def hostile_model() -> dict[str, bytes]:
    text = BASE.read_text()
    text = text.replace('name="Hostile base"', f'name="{escape(SCRIPT, {chr(34): "&quot;"})}"')
    text = text.replace(
        'name="Review">',
        f'name="{escape(IMG, {chr(34): "&quot;"})}"><bpmn:documentation>{escape(SCRIPT + ATTR)}'
        " (Art. 10)</bpmn:documentation>",
    )
    return {"model.bpmn": text.encode()}


@pytest.fixture
def world(agency, city, hr, approver, auditor, models_deployed):
    from django.contrib.auth import get_user_model

    from webapp.accounts.models import Membership
    from webapp.accounts.roles import Role

    hr.last_name = ATTR
    hr.first_name = SCRIPT
    hr.save()
    designer = get_user_model().objects.create_user("xss_designer", password="x")
    Membership.objects.create(user=designer, agency=city, role=Role.DESIGNER)
    # An applicant named with markup, approved with a reason and a comment of markup.
    case = case_at_approval(hr, approver, agency)
    Staff.objects.filter(pk=case.subject_id).update(name=SCRIPT)  # the column holds 50
    task = open_task(case, "approve_hire")
    from webapp.cases.services import task_complete

    task_complete(
        task_id=task.pk, user=approver, data={**APPROVE, "reason": SCRIPT + IMG}, comment=IMG + ATTR
    )
    drive(case, [("sign_contract", CONTRACT)], hr, approver)
    member = Staff.objects.get(pk=case.subject_id)
    certificate = certificate_issue(member)
    # A model whose task name and documentation carry markup, with a case waiting there.
    definition = definition_deploy(files=hostile_model(), user=designer)
    model_case = case_start(
        definition=definition, agency=agency, title=SCRIPT, data={"note": IMG}, actor=hr
    )
    waiting = open_task(model_case, "review")
    Notification.objects.create(user=hr, title=SCRIPT, body=IMG)
    # The designer's editor on that model (its files carry the markup).
    from webapp.designer.services import draft_open

    draft = draft_open(process_id=definition.process_id, user=designer)
    # A second applicant with a markup name straight through the service.
    second = case_at_approval(hr, approver, agency, seq=2)
    return {
        "users": {"hr": hr, "approver": approver, "auditor": auditor, "designer": designer},
        "params": {
            "case_id": model_case.pk,
            "task_id": waiting.pk,
            "staff_id": member.pk,
            "certificate_id": certificate.pk,
            "number": certificate.number,
            "definition_id": definition.pk,
            "process_id": definition.process_id,
            "draft_id": draft.pk,
        },
        "alt_params": {"case_id": case.pk, "task_id": open_task(second, "approve_hire").pk},
    }


def url_for(route, params) -> str | None:
    kwargs = {}
    for param in route.params:
        if param not in params:
            return None
        kwargs[param] = params[param]
    return reverse(route.name, kwargs=kwargs)


def test_markup_is_escaped_on_every_page(world, client):
    pages = 0
    escaped_on: set[str] = set()
    problems: list[str] = []
    callers = {"anonymous": Client()}
    for name, user in world["users"].items():
        callers[name] = Client()
        callers[name].force_login(user)
    for route in routes():
        for params in (world["params"], {**world["params"], **world["alt_params"]}):
            url = url_for(route, params)
            if url is None:
                continue
            for who, caller in callers.items():
                response = caller.get(url)
                if response.status_code != 200 or "text/html" not in response.get(
                    "Content-Type", ""
                ):
                    continue
                pages += 1
                html = response.content.decode()
                problems += [f"{url} as {who}: {live!r}" for live in LIVE if live in html]
                problems += [f"{url} as {who}: {live}" for live in live_markup(html)]
                if any(e in html for e in ESCAPED):
                    escaped_on.add(route.name)
    assert not problems, "\n".join(problems)
    # The payloads did reach the pages that show them (shown, escaped).
    shown = {"inbox:index", "inbox:task", "cases:detail", "staff:detail", "staff:list"}
    assert shown | {"designer:index", "designer:edit"} <= (escaped_on), escaped_on
    assert pages > 40, pages


def test_a_public_complaint_with_markup_is_shown_back_escaped(world, client):
    response = client.get(reverse("public:complaint_new"))
    assert response.status_code == 200
    assert not any(live in response.content.decode() for live in LIVE)
    # No agency chosen: the form comes back with what was typed, which must be inert.
    posted = client.post(
        reverse("public:complaint_new"),
        {"description": SCRIPT, "staff_hint": IMG, "name": ATTR, "contact": IMG},
    )
    html = posted.content.decode()
    assert not any(live in html for live in LIVE), html[:2000]
    assert ESCAPED[0] in html


def test_the_recruitment_form_shows_a_refused_markup_name_escaped(world, agency):
    client = Client()
    client.force_login(world["users"]["hr"])
    fields = application(agency, 5, name=SCRIPT)
    fields["agency"] = agency.pk
    response = client.post(reverse("staff:recruitment_new"), {**fields, "id_number": IMG})
    html = response.content.decode()
    assert response.status_code in (200, 400)
    assert not any(live in html for live in LIVE)
    assert ESCAPED[1] in html  # the bad ID number is shown back, escaped


def test_the_detector_finds_live_markup_and_ignores_inert_text():
    assert live_markup(f"<a title='{ATTR}'>x</a>") == ["<a onmouseover='alert(3)'>"]
    assert live_markup(f"<p>{SCRIPT}</p>") == ["<script>alert(1)"]
    assert sorted(live_markup(f'<p title="{IMG}">')) == ["<img onerror='alert(2)'>", "<img src=x>"]
    inert = f'<script type="application/json">{{"a": "{ATTR}"}}</script><p>&lt;script&gt;</p>'
    assert live_markup(inert) == []
