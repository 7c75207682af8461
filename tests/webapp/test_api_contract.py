"""/api/schema/ says what the server does: requests generated from the schema of every
operation that takes a body. A required field left out is refused naming it; a body of
only the required fields is never refused for leaving out a field the schema calls
optional (its default applies); every enum value the schema lists is accepted and a value
outside it refused on that field; an integer field refuses text."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.fixtures import _user
from webapp.accounts.models import Grant
from webapp.accounts.roles import Role
from webapp.cases.openings import case_open_for_staff
from webapp.staff.accounts import member_account_ensure

from .flows import case_at_approval, drive, open_task
from .test_consequences import POOR, trained

pytestmark = pytest.mark.django_db

METHODS = ("post", "put", "patch")


@pytest.fixture
def world(models_deployed: Any, agency: Any, city: Any, hr: Any, approver: Any) -> dict[str, Any]:
    cache.clear()
    staff, _ = trained(agency, hr, approver, _user("t", agency, Role.TRAINER))
    assessment = case_open_for_staff(process_id="assessment", staff=staff, actor=hr)
    drive(
        assessment,
        [("rate_member", POOR), ("confirm_grade", {"decision": "approve"})],
        hr,
        approver,
    )
    recruitment = case_at_approval(hr, approver, agency, seq=5)
    justice = _user("justice", city, Role.JUSTICE_BUREAU)
    Grant.objects.create(user=justice, agency=city)
    admin = get_user_model().objects.create_superuser("root", password="x" * 12)
    return {
        "ids": {
            "agency": agency.pk,
            "staff": staff.pk,
            "user": hr.pk,
            "decision": assessment.pk,
            "staff_id": staff.pk,
            "task_id": open_task(recruitment, "approve_hire").pk,
            "user_id": hr.pk,
        },
        "users": {
            "hr": hr,
            "approver": approver,
            "justice": justice,
            "admin": admin,
            "member": member_account_ensure(staff).user,
        },
    }


def acting_user(path: str) -> str:
    if path.startswith("/api/admin/"):
        return "admin"
    if path.startswith("/api/me/"):
        return "member"
    if path.startswith("/api/correction-orders/"):
        return "justice"
    if "/tasks/" in path:
        return "approver"
    return "hr"


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return resolve(schema, node["allOf"][0])
    return node


def enum_of(schema: dict[str, Any], prop: dict[str, Any]) -> list[Any]:
    prop = resolve(schema, prop)
    if "enum" in prop:
        return [v for v in prop["enum"] if v not in ("", None)]
    for option in prop.get("oneOf", []):
        found = enum_of(schema, option)
        if found:
            return found
    return []


def sample(schema: dict[str, Any], name: str, prop: dict[str, Any], ids: dict[str, int]) -> Any:
    """A valid value for ``name`` as the schema describes it, a real record for an id."""
    values = enum_of(schema, prop)
    if values:
        return values[0]
    prop = resolve(schema, prop)
    kind, form = prop.get("type"), prop.get("format")
    if kind == "integer":
        return ids.get(name, 1)
    if kind == "boolean":
        return True
    if kind == "object":
        return {}
    if form == "date":
        return (timezone.localdate() + timedelta(days=30)).isoformat()
    if form == "email":
        return "someone@example.com"
    if name == "username":
        return "contract_user"
    return "合同测试文字"


def operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, ops in schema["paths"].items():
        for method in METHODS:
            op = ops.get(method)
            body = (op or {}).get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                found.append((path, method, resolve(schema, body["schema"])))
    return found


def call(client: APIClient, method: str, path: str, ids: dict[str, int], body: Any) -> Any:
    url = path
    for name, value in ids.items():
        url = url.replace("{" + name + "}", str(value))
    cache.clear()  # the public write throttle
    return getattr(client, method)(url, body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")


def field_errors(response: Any) -> set[str]:
    if response.status_code != 400:
        return set()
    return set(response.json().get("fields") or {})


def test_every_body_the_schema_describes_is_taken_as_the_schema_says(client, world):
    api = APIClient()
    schema = api.get("/api/schema/?format=json").json()
    checked = 0
    for path, method, body_schema in operations(schema):
        props = body_schema.get("properties", {})
        required = set(body_schema.get("required", []))
        optional = set(props) - required
        ids = world["ids"]
        api.force_authenticate(world["users"][acting_user(path)])
        base = {n: sample(schema, n, props[n], ids) for n in required}
        where = f"{method.upper()} {path}"
        for name in required:
            left_out = {k: v for k, v in base.items() if k != name}
            answer = call(api, method, path, ids, left_out)
            assert name in field_errors(answer), f"{where}: leaving out {name} was not refused"
        minimal = call(api, method, path, ids, base)
        # An optional field the schema documents as needed in some cases ("Required
        # unless ...", "Required for ...") may be asked for, with the article that asks.
        conditional = {n for n in optional if "Required " in props[n].get("description", "")}
        if minimal.status_code == 400 and minimal.json()["article"]:
            optional -= conditional
        assert not field_errors(minimal) & optional, (
            f"{where}: the server wants {field_errors(minimal) & optional}, which the "
            f"schema calls optional: {minimal.json()}"
        )
        for name, prop in props.items():
            if prop.get("readOnly"):
                continue
            for value in enum_of(schema, prop):
                answer = call(api, method, path, ids, {**base, name: value})
                assert name not in field_errors(answer), f"{where}: {name}={value!r} refused"
            if enum_of(schema, prop):
                answer = call(api, method, path, ids, {**base, name: "not-a-listed-code"})
                assert name in field_errors(answer), f"{where}: {name} outside its enum taken"
            if resolve(schema, prop).get("type") == "integer":
                answer = call(api, method, path, ids, {**base, name: "not a number"})
                assert name in field_errors(answer), f"{where}: {name} took text"
        checked += 1
    assert checked >= 15
