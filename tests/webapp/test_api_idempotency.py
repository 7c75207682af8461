"""API writes accept an Idempotency-Key (issue 19): a retry with the same key gets the
first answer back and never takes a second step; the same key for another request is
refused; a refused write is not remembered, so its retry runs again."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from webapp.api.idempotency import WRITES
from webapp.cases.models import Case, CaseEvent, HumanTask

from .flows import APPROVE, case_at_approval, open_task

pytestmark = pytest.mark.django_db


def auth(user: Any) -> dict[str, str]:
    token, _ = Token.objects.get_or_create(user=user)
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def complete(user: Any, task: HumanTask, key: str | None, body: dict[str, Any]) -> Any:
    headers = {**auth(user), **({"HTTP_IDEMPOTENCY_KEY": key} if key else {})}
    return Client().post(
        f"/api/tasks/{task.pk}/complete/",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def approval(hr: Any, approver: Any, agency: Any, models_deployed: Any) -> HumanTask:
    return open_task(case_at_approval(hr, approver, agency), "approve_hire")


def completions(task: HumanTask) -> int:
    return CaseEvent.objects.filter(task=task, kind="task_completed").count()


def test_a_retry_with_the_same_key_gets_the_first_answer(
    approval: HumanTask, approver: Any
) -> None:
    body = {"data": APPROVE, "comment": "同意"}
    first = complete(approver, approval, "retry-1", body)
    again = complete(approver, approval, "retry-1", body)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert completions(approval) == 1
    # Without the key, the client could not tell its own step from someone else's:
    assert complete(approver, approval, None, body).status_code == 409


def test_the_same_key_for_another_request_is_refused(approval: HumanTask, approver: Any) -> None:
    assert complete(approver, approval, "k", {"data": APPROVE, "comment": ""}).status_code == 200
    other = complete(approver, approval, "k", {"data": APPROVE, "comment": "改了"})
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    assert completions(approval) == 1


def test_a_refused_write_is_not_remembered(
    approval: HumanTask, approver: Any, colleague: Any
) -> None:
    Client().post(f"/api/tasks/{approval.pk}/claim/", **auth(colleague))
    body = {"data": APPROVE, "comment": ""}
    assert complete(approver, approval, "k2", body).status_code == 409  # claimed by another
    Client().post(f"/api/tasks/{approval.pk}/release/", **auth(colleague))

    assert complete(approver, approval, "k2", body).status_code == 200
    assert completions(approval) == 1


def test_keys_belong_to_their_caller(
    hr: Any, approver: Any, colleague: Any, agency: Any, models_deployed: Any
) -> None:
    first = open_task(case_at_approval(hr, approver, agency, seq=1), "approve_hire")
    second = open_task(case_at_approval(hr, approver, agency, seq=2), "approve_hire")
    body = {"data": APPROVE, "comment": ""}
    assert complete(approver, first, "same", body).status_code == 200
    assert complete(colleague, second, "same", body).status_code == 200
    assert completions(first) == completions(second) == 1


def test_a_public_complaint_sent_twice_with_one_key_opens_one_case(
    agency: Any, models_deployed: Any
) -> None:
    body = {"agency": agency.pk, "description": "执勤时态度恶劣。"}

    def send() -> Any:
        return Client().post(
            "/api/public/complaints/",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="complaint-1",
        )

    first, again = send(), send()
    assert first.status_code == again.status_code == 201
    assert again.json()["receipt"] == first.json()["receipt"]
    assert Case.objects.filter(definition__process_id="complaint").count() == 1


def test_a_malformed_key_is_refused(approval: HumanTask, approver: Any) -> None:
    response = complete(approver, approval, "x" * 201, {"data": APPROVE, "comment": ""})
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["fields"]
    assert completions(approval) == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_copies_sent_at_once_take_one_step(approval: HumanTask, approver: Any) -> None:
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://…"
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def send() -> None:
        try:
            barrier.wait()
            codes.append(
                complete(approver, approval, "race", {"data": APPROVE, "comment": ""}).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert codes == [200, 200]
    assert completions(approval) == 1


def test_the_schema_documents_the_key_on_every_write(client: Any) -> None:
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [p["name"] for p in operation.get("parameters", [])]
            assert ("Idempotency-Key" in names) == (method.upper() in WRITES), (method, path)
