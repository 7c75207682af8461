"""Auditors and the justice bureau read across their granted agencies and change nothing.

Every named address of the site (pages, forms, the API) is called by each read-only role
with every method and a body that would be valid for the usual forms; the database's
business tables must be byte-for-byte the same afterwards. The same harness, run for the
agency's own approver, does change them, so the fingerprint can tell.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from webapp.accounts.models import Grant, Membership
from webapp.accounts.roles import Role
from webapp.audit.models import SavedSearch
from webapp.cases.models import JobRun
from webapp.cases.services import task_claim, task_complete
from webapp.errors import NotPermitted

from .conftest import PASSWORD, make_id
from .flows import APPROVE, case_at_approval, open_task

pytestmark = pytest.mark.django_db

# Tables a read-only user may write without touching the business: their session, the
# security log of their own requests, their own saved searches and integrity runs, their
# own API token.
OWN_TABLES = {"sessions", "admin", "contenttypes", "security", "audit", "authtoken"}
# Addresses open to anyone by design: the public complaint form (Art. 18), and signing out
# (which would end the test's session).
OPEN_TO_ANYONE = {"public", "api:public_complaints", "logout"}
SKIP_NAMESPACES = {"admin"}  # Django's admin needs is_staff, which no read-only role has


@pytest.fixture
def world(models_deployed, hr, approver, agency, auditor, city, django_user_model):
    """A case waiting for the approver, its member, a failed job, a search shared by HR."""
    case = case_at_approval(hr, approver, agency)
    task = open_task(case, "approve_hire")
    run = JobRun.objects.create(name="wake_due_cases", status="failed", error="boom")
    shared = SavedSearch.objects.create(owner=hr, name="hr", params={}, shared_role="auditor")
    justice = django_user_model.objects.create_user("justice", password=PASSWORD)
    Membership.objects.create(user=justice, agency=city, role=Role.JUSTICE_BUREAU)
    Grant.objects.create(user=justice, agency=city)
    return {"case": case, "task": task, "run": run, "shared": shared, "agency": agency}


def kwargs_values(world) -> dict[str, str]:
    case = world["case"]
    return {
        "case_id": str(case.pk),
        "task_id": str(world["task"].pk),
        "staff_id": str(case.subject_id),
        "run_id": str(world["run"].pk),
        "search_id": str(world["shared"].pk),
        "process_id": "recruitment",
        "number": "LA-CG-2026-0001",
        "receipt": "x",
        "name": "recruitment.bpmn",
        "pk": str(case.pk),
    }


def form_body(world) -> dict[str, str]:
    """One body that fills the usual forms: a step's decision, a new applicant, a duty..."""
    today = date.today()
    return {
        **{k: str(v) for k, v in APPROVE.items()},
        "comment": "auditor was here",
        "agency": str(world["agency"].pk),
        "process": "commendation",
        "duty": "clerical",
        "officer_name": "执法员",
        "name": "审计员新增",
        "id_number": make_id(date(1990, 1, 1), 77),
        "education": "bachelor",
        "post": "城管协管员",
        "required_education": "college",
        "complainant_name": "市民",
        "complainant_contact": "13800000000",
        "complaint_text": "投诉内容",
        "staff": str(world["case"].subject_id),
        "role": Role.APPROVER,
        "delegate": "1",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=3)).isoformat(),
    }


def named_routes(
    patterns: list[URLPattern | URLResolver] | None = None, namespace: str = ""
) -> Iterator[tuple[str, list[str]]]:
    """(name with namespace, parameter names) of every named address."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in SKIP_NAMESPACES:
                continue
            parent = _params(entry.pattern)
            for name, params in named_routes(entry.url_patterns, inner):
                yield name, parent + params
        elif entry.name:
            yield f"{namespace}{entry.name}", _params(entry.pattern)


def _params(pattern: object) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def fingerprint() -> str:
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.app_label in OWN_TABLES:
            continue
        rows = [
            # PostgreSQL hands binary columns back as memoryview, whose repr is an address.
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model._base_manager.order_by("pk").values_list()
        ]
        digest.update(f"{model._meta.label}{rows!r}".encode())
    return digest.hexdigest()


def call_everything(client, world) -> Iterator[tuple[str, str]]:
    """Call each address with every method; yield (name, url) after each one."""
    values = kwargs_values(world)
    body = form_body(world)
    for name, params in sorted(set((n, tuple(p)) for n, p in named_routes())):
        if name in OPEN_TO_ANYONE or name.split(":")[0] in OPEN_TO_ANYONE:
            continue
        url = reverse(name, kwargs={p: values.get(p, "1") for p in params})
        client.get(url)
        client.post(url, body)
        for method in (client.post, client.put, client.patch, client.delete):
            method(url, json.dumps(body), content_type="application/json")
        yield name, url


@pytest.mark.parametrize("username", ["auditor", "justice"])
def test_every_address_refuses_a_read_only_role_to_change_anything(client, world, username):
    assert client.login(username=username, password=PASSWORD)
    before = fingerprint()
    called = []
    for name, url in call_everything(client, world):
        called.append(name)
        assert fingerprint() == before, f"{username} changed data through {name} ({url})"
    # The walk really reached the write addresses that matter.
    assert {"inbox:task", "inbox:claim", "staff:duty_new", "cases:complaint_new"} <= set(called)
    assert {"staff:recruitment_new", "delegations", "api:task_complete"} <= set(called)


def test_the_same_calls_by_the_agencys_approver_do_change_data(client, world):
    """The control: the fingerprint sees a write when the harness makes one."""
    assert client.login(username="approver", password=PASSWORD)
    before = fingerprint()
    client.post(reverse("inbox:claim", args=[world["task"].pk]), form_body(world))
    assert fingerprint() != before


@pytest.mark.parametrize("username", ["auditor", "justice"])
def test_the_services_refuse_a_read_only_role(world, username, django_user_model):
    user = django_user_model.objects.get(username=username)
    with pytest.raises(NotPermitted):
        task_claim(task_id=world["task"].pk, user=user)
    with pytest.raises(NotPermitted):
        task_complete(task_id=world["task"].pk, user=user, data=APPROVE)


def test_a_read_only_role_reads_every_granted_agency(client, world, other_agency, stranger):
    from webapp.cases.openings import recruitment_open

    from .flows import application

    foreign = recruitment_open(user=stranger, fields=application(other_agency, 5))
    for username in ("auditor", "justice"):
        client.login(username=username, password=PASSWORD)
        for case in (world["case"], foreign):
            assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
            assert client.get(reverse("cases:diagram", args=[case.pk])).status_code == 200
            assert client.get(reverse("audit:case_pdf", args=[case.pk])).status_code == 200
