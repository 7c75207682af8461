"""Schemathesis against the API's own OpenAPI schema, in process through WSGI, on the demo
data and the real engine: no request gets a 5xx, and every answer (status code, content
type, body) matches the schema. Bounded and derandomised so CI gets the same run each time.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings, strategies
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from webapp.accounts.models import Grant, Membership
from webapp.audit.models import IntegrityRun
from webapp.cases.models import Case, HumanTask
from webapp.demo.seed import seed_demo
from webapp.staff.models import Certificate, Staff

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation and mode: ~16 operations x (12 + 6) requests stay well under a
# minute on one core.
POSITIVE_EXAMPLES = 12
NEGATIVE_EXAMPLES = 6
BUDGET_SECONDS = 110


@pytest.fixture
def wsgi_app() -> Any:
    """Django's WSGI handler as the test client runs it: the request's end must not close
    the test's database connection (the test runs inside one transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def demo(models_deployed: Any, settings: Any) -> dict[str, Any]:
    settings.FUZHI_API_RATES = {"user": "100000/min", "anon": "100000/min"}
    scopes = ("complaint", "receipt", "read")
    settings.FUZHI_PUBLIC_LIMITS = {scope: (100000, 60) for scope in scopes}
    cache.clear()
    seed_demo()
    from django.contrib.auth import get_user_model

    from webapp.accounts.selectors import visible_agency_ids

    users = get_user_model().objects
    hr = users.get(username="hr_cg")
    admin = users.create_superuser("fuzz_admin", password="x" * 12)
    return {
        "hr": Token.objects.create(user=hr).key,
        "approver": Token.objects.create(user=users.get(username="approver_cg")).key,
        "admin": Token.objects.create(user=admin).key,
        "member": Token.objects.create(user=users.get(username="member_ja")).key,
        "agencies": visible_agency_ids(hr),
    }


def _ids(agencies: set[int]) -> dict[str, list[Any]]:
    """Real ids for the path parameters (the acting users' agency, plus one that does not
    exist), so the fuzzer reaches records, not only 404s."""
    tasks = HumanTask.objects.filter(agency_id__in=agencies, state__in=["open", "claimed"])
    cases = Case.objects.filter(agency_id__in=agencies)
    staff = Staff.objects.filter(agency_id__in=agencies)
    certificates = Certificate.objects.filter(staff__agency_id__in=agencies)
    complaints = Case.objects.filter(definition__process_id="complaint")
    return {
        "task_id": [*tasks.order_by("pk").values_list("pk", flat=True)[:40], 0],
        "case_id": [*cases.order_by("pk").values_list("pk", flat=True)[:40], 0],
        "staff_id": [*staff.order_by("pk").values_list("pk", flat=True)[:40], 0],
        "certificate_id": [*certificates.values_list("pk", flat=True)[:20], 0],
        "number": [*Certificate.objects.values_list("number", flat=True)[:10], "X-1"],
        "receipt": [*complaints.values_list("data__receipt_number", flat=True)[:5], "TS2026"],
        "run_id": [*IntegrityRun.objects.values_list("pk", flat=True)[:5], 0],
        "user_id": [*get_user_model().objects.values_list("pk", flat=True)[:10], 0],
        "membership_id": [*Membership.objects.values_list("pk", flat=True)[:10], 0],
        "grant_id": [*Grant.objects.values_list("pk", flat=True)[:10], 0],
    }


def _bodies(agencies: set[int]) -> dict[str, list[dict[str, Any]]]:
    """Fields that make a POST body meet real records: a process the member's state allows,
    a real unit for a complaint (the fuzzer's own values fill the rest)."""
    from webapp.cases.subjects import startable_processes

    appealed = list(
        Case.objects.filter(definition__process_id__in=["assessment", "discipline"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    starts = [
        {"process": process, "staff": member.pk}
        for member in Staff.objects.filter(agency_id__in=agencies).order_by("pk")[:20]
        for process, _name in startable_processes(member)[:1]
    ]
    return {
        "/api/cases/": starts,
        "/api/public/complaints/": [{"agency": pk} for pk in sorted(agencies)[:3]],
        "/api/usage-plans/": [{"agency": pk} for pk in sorted(agencies)[:3]],
        "/api/recruitments/": [{"agency": pk} for pk in sorted(agencies)[:3]],
        "/api/correction-orders/": [{"agency": pk} for pk in sorted(agencies)[:3]],
        "/api/measures-filings/": [{"agency": pk} for pk in sorted(agencies)[:3]],
        "/api/me/appeals/": [{"decision": pk} for pk in appealed[:3]],
    }


def _with_real_records(strategy: Any, operation: Any, ids: dict[str, Any]) -> Any:
    names = [p.name for p in operation.path_parameters]
    picks = strategies.fixed_dictionaries({n: strategies.sampled_from(ids[n]) for n in names})
    bodies = ids["bodies"].get(operation.path) if operation.method.upper() == "POST" else None
    body = strategies.sampled_from(bodies) if bodies else strategies.just({})

    def pick(drawn: tuple[Any, bool, dict[str, Any], dict[str, Any]]) -> Any:
        case, use_real, chosen, fields = drawn
        if use_real:
            case.path_parameters = {**(case.path_parameters or {}), **chosen}
            if fields and isinstance(case.body, dict):
                case.body = {**case.body, **fields}
        return case

    return strategies.tuples(strategy, strategies.booleans(), picks, body).map(pick)


def _run(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    headers: dict[str, str],
    ids: Any,
    statuses: Counter[int],
) -> None:
    @given(case=_with_real_records(operation.as_strategy(generation_mode=mode), operation, ids))
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        check()
    except Unsatisfiable:
        # Negative mode on an operation with nothing that can be made invalid (no
        # parameters, a body of optional strings): there is nothing to send.
        assert mode == GenerationMode.NEGATIVE, operation.label


def test_the_api_answers_every_fuzzed_request_as_its_schema_says(
    demo: dict[str, Any], wsgi_app: Any
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    started = time.monotonic()
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    for index, operation in enumerate(operations):
        # Alternate the acting user so both the HR and the approver lanes are reached; the
        # administration and the member's own operations go to those who may use them.
        token = demo["hr"] if index % 2 else demo["approver"]
        if operation.path.startswith("/api/admin/"):
            token = demo["admin"]
        elif operation.path.startswith("/api/me/"):
            token = demo["member"]
        headers = {"Authorization": f"Token {token}", "Accept-Language": "zh-hans"}
        ids = {**_ids(demo["agencies"]), "bodies": _bodies(demo["agencies"])}
        _run(operation, GenerationMode.POSITIVE, POSITIVE_EXAMPLES, headers, ids, statuses)
        _run(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, headers, ids, statuses)
    elapsed = time.monotonic() - started
    calls = sum(statuses.values())
    print(f"schemathesis: {len(operations)} operations, {calls} requests in {elapsed:.1f} s")
    print(f"schemathesis: answers by status {sorted(statuses.items())}")
    assert calls >= len(operations) * POSITIVE_EXAMPLES
    assert not [code for code in statuses if code >= 500]
    # The fuzzer reached real records and completed real steps, not only refusals.
    assert statuses[200] > 50 and statuses[201] > 0
    assert elapsed < BUDGET_SECONDS
