"""Tenancy matrix: every URL pattern × every role × a record of a foreign agency → denied.

The URL patterns come from walking the resolver, so pages and API endpoints added later
are covered without editing this file. For a pattern that names a record (task, case,
member, certificate) the record belongs to another agency: GET and POST must be refused
(403/404; anonymous callers are sent to sign in or get 401/403) and the POST must change
nothing. A pattern that names no record must not show the foreign agency's data. The
public pages (registry, certificate verification, complaints) are exempt by design.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import NoReverseMatch, reverse

from webapp.accounts.models import Grant, Membership
from webapp.accounts.roles import Role
from webapp.cases.models import Case, CaseEvent, HumanTask
from webapp.records.models import UsagePlan
from webapp.staff.lifecycle import certificate_issue
from webapp.staff.models import Certificate, Staff

from .conftest import PASSWORD
from .flows import APPROVE, CONTRACT, TO_APPROVAL, application, drive, open_task
from .security_support import Route, body_text, routes

pytestmark = pytest.mark.django_db

# Public by design (Art. 19 registry and verification, Art. 18 complaints) or the
# sign-in machinery itself.
PUBLIC_NAMESPACES = {"public"}
PUBLIC_NAMES = {
    "login",
    "logout",
    "set_language",
    "api:schema",
    "api:docs",
    "api:token",
}
# The operator's schedule (timers, deadlines, job runs) is city-wide by design: the process
# designer runs the installation. It may show a foreign case's business key and due
# time, never personal data (names, ID numbers, certificate numbers are still checked).
OPERATOR_PAGES = {("schedule", "designer")}
TENANT_PARAMS = {"task_id", "case_id", "staff_id", "certificate_id"}
DENIED = {401, 403, 404, 405}


def is_public(route: Route) -> bool:
    return (
        route.namespace in PUBLIC_NAMESPACES
        or route.name in PUBLIC_NAMES
        or route.name.startswith("api:public")
    )


@pytest.fixture
def foreign(other_agency, stranger, models_deployed) -> dict[str, Any]:
    """金安区's records: a case waiting for approval, a hired member with a certificate."""
    UsagePlan.objects.create(
        agency=other_agency, post="城管协管员", headcount=5, employment_mode="unit", approved=True
    )
    boss = get_user_model().objects.create_user("foreign_boss", password=PASSWORD)
    Membership.objects.create(user=boss, agency=other_agency, role=Role.APPROVER)
    from webapp.cases.openings import recruitment_open
    from webapp.cases.scheduling import wake_due_cases

    cases = []
    for seq, name in ((7, "外局甲某"), (8, "外局乙某")):
        fields = application(other_agency, seq, name=name, notice_period="PT0S")
        case = recruitment_open(user=stranger, fields=fields)
        drive(case, TO_APPROVAL, stranger, boss)
        cases.append(case)
    wake_due_cases()
    drive(cases[1], [("approve_hire", APPROVE), ("sign_contract", CONTRACT)], stranger, boss)
    member = Staff.objects.get(pk=Case.objects.get(pk=cases[1].pk).subject_id)
    certificate = certificate_issue(member)
    task = open_task(cases[0], "approve_hire")
    return {
        "task_id": task.pk,
        "case_id": cases[0].pk,
        "staff_id": member.pk,
        "certificate_id": certificate.pk,
        "number": certificate.number,
        "keys": [Case.objects.get(pk=c.pk).business_key for c in cases],
        "markers": [
            "外局甲某",
            "外局乙某",
            member.id_number,
            certificate.number,
        ],
    }


@pytest.fixture
def role_users(agency, city, hr, approver, legal, trainer) -> dict[str, Any]:
    """One user per role, all of the home agency (readers granted the home agency only)."""
    users = {"hr_officer": hr, "approver": approver, "legal_reviewer": legal, "trainer": trainer}
    for role, where, grant in (
        (Role.STAFFING_OFFICE, agency, False),
        (Role.HRSS, agency, False),
        (Role.AUDITOR, agency, True),
        (Role.JUSTICE_BUREAU, agency, True),
        (Role.DESIGNER, city, False),
    ):
        user = get_user_model().objects.create_user(f"m_{role}", password=PASSWORD)
        Membership.objects.create(user=user, agency=where, role=role)
        if grant:
            Grant.objects.create(user=user, agency=agency)
        users[str(role)] = user
    return users


def fill(route: Route, foreign: dict[str, Any]) -> str:
    kwargs: dict[str, Any] = {}
    for param in route.params:
        if param in foreign:
            kwargs[param] = foreign[param]
        elif param in ("process_id",):
            kwargs[param] = "recruitment"
        elif param in ("name", "receipt"):
            kwargs[param] = "x"
        else:
            kwargs[param] = 999999  # a record that does not exist (saved search, draft...)
    try:
        return reverse(route.name, kwargs=kwargs)
    except NoReverseMatch:
        # A converter this file does not know yet (uuid, slug...): a value it accepts.
        text = {k: "00000000-0000-0000-0000-000000000000" for k in kwargs}
        return reverse(route.name, kwargs=text)


def foreign_state(foreign: dict[str, Any]) -> tuple:
    case = Case.objects.get(pk=foreign["case_id"])
    return (
        case.version,
        CaseEvent.objects.filter(case__agency=case.agency).count(),
        sorted(HumanTask.objects.filter(agency=case.agency).values_list("pk", "state")),
        sorted(Staff.objects.filter(agency=case.agency).values_list("pk", "state")),
        sorted(Certificate.objects.filter(agency=case.agency).values_list("pk", "state")),
    )


def test_every_route_denies_every_role_a_foreign_record(foreign, role_users):
    checked = Counter()
    failures: list[str] = []
    frozen = foreign_state(foreign)
    clients: dict[str, Client] = {"anonymous": Client()}
    for role, user in role_users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    for route in routes():
        if is_public(route):
            continue
        url = fill(route, foreign)
        names_record = bool(TENANT_PARAMS & set(route.params))
        for role, client in clients.items():
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                checked[method] += 1
                status = response.status_code
                where = f"{method.upper()} {url} ({route.name}) as {role}: {status}"
                if status >= 500:
                    failures.append(f"{where} server error")
                elif role == "anonymous":
                    to_login = status == 302 and "login" in response.get("Location", "")
                    if not (to_login or status in DENIED):
                        failures.append(f"{where} not refused to an anonymous caller")
                elif names_record and status not in DENIED:
                    failures.append(f"{where} a foreign record was not refused")
                elif status == 200:
                    text = body_text(response)
                    markers = foreign["markers"]
                    if (route.name, role) not in OPERATOR_PAGES:
                        markers = [*markers, *foreign["keys"]]
                    leaked = [m for m in markers if m in text]
                    if leaked:
                        failures.append(f"{where} shows foreign data {leaked}")
                if foreign_state(foreign) != frozen:
                    failures.append(f"{where} changed a foreign record")
                    frozen = foreign_state(foreign)
    assert not failures, "\n".join(failures)
    # The matrix is not empty: dozens of routes, ten callers, two methods.
    assert checked["get"] > 300, checked


def test_the_foreign_records_are_reachable_by_their_own_agency(foreign, stranger):
    """The control: the same URLs do work for the agency the records belong to."""
    client = Client()
    client.force_login(stranger)
    for name, param in (
        ("cases:detail", "case_id"),
        ("inbox:task", "task_id"),
        ("staff:detail", "staff_id"),
    ):
        url = reverse(name, kwargs={param: foreign[param]})
        assert client.get(url).status_code == 200, url
    # ...and the markers the matrix looks for do show on their own agency's lists.
    cases = body_text(client.get(reverse("cases:list")))
    assert all(key in cases for key in foreign["keys"])
    assert "外局乙某" in body_text(client.get(reverse("staff:list")))
