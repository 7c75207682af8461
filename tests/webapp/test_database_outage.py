"""A database outage answers 503 with Retry-After in the user's language, on the pages and
the API, logged as one line, not 500 with a traceback (issue 19)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_down(transactional_db: None) -> Iterator[None]:
    """The database stops answering: its file or server cannot be reached."""
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-fuzhi-dir/fuzhi.sqlite3"
    else:
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": "1"})
    yield
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def no_traceback(caplog: pytest.LogCaptureFixture) -> bool:
    return not any(record.exc_info for record in caplog.records)


def test_a_page_answers_503_in_chinese(
    database_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        response = Client().get("/registry/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "请在 30 秒后重试" in response.content.decode()
    assert no_traceback(caplog)


def test_a_signed_in_page_answers_503_in_english_when_asked(
    hr: Any, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(hr)
    request.getfixturevalue("database_down")
    with caplog.at_level(logging.WARNING):
        response = client.get("/inbox/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "try again in 30 seconds" in response.content.decode()
    assert no_traceback(caplog)


def test_the_api_answers_503_json(database_down: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        response = Client().get("/api/public/registry/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    body = response.json()
    assert body["error"] == "unavailable" and "30 秒" in body["message"]
    assert no_traceback(caplog)
