"""Shared fixtures. Only the world outside the machine is mocked (mail); never the DB or engine.

Lanes are pytest markers (declared in pyproject.toml). `make test` runs every lane;
`make test-fast` leaves out the slow ones (the Makefile's FAST_LANES). A test's lanes come
from the fixtures it uses, or, for the few no fixture gives away, from their location.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.celery_broker import use_broker

ROOT = Path(__file__).resolve().parent.parent
BPMN_DIR = ROOT / "bpmn"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"

MARKERS_BY_FIXTURE = {
    "browser": "browser",  # Playwright driving Debian's chromium (tests/browser)
    "live_server": "live_server",  # pytest-django's threaded server
    "redis_url": "celery_worker",  # a Redis server, and mostly a Celery worker on it
}
# What no fixture gives away: tests that start gunicorn themselves, or fuzz the API. A
# moved module or renamed test here stops the collection, so it cannot slip into the fast
# lane. product_hashers: gunicorn runs the product's settings in another process, so it
# can verify only passwords hashed with them.
MARKERS_BY_LOCATION = {
    "tests/webapp/test_load.py": ("load", "live_server", "product_hashers"),
    "tests/webapp/test_api_schema.py": ("api_fuzz",),
    "tests/webapp/test_hostile.py"
    "::test_a_live_server_refuses_or_stops_the_whole_corpus_and_keeps_serving": (
        "live_server",
        "product_hashers",
    ),
    "tests/webapp/test_resource_attacks.py": ("live_server", "product_hashers"),
    # It asserts what the product hashes with, so it hashes as the product does.
    "tests/webapp/test_security.py"
    "::test_passwords_are_hashed_with_argon2_and_old_hashes_upgrade_at_sign_in": (
        "product_hashers",
    ),
}

# The product hashes with Argon2 (webapp/config/settings.py), slow on purpose: the few
# hundred users the fixtures make would spend most of two minutes in it. Tests hash with
# MD5 unless marked product_hashers.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _check_locations(items)
    for item in items:
        path, _, name = item.nodeid.partition("::")
        fixtures = getattr(item, "fixturenames", ())
        markers = [marker for fixture, marker in MARKERS_BY_FIXTURE.items() if fixture in fixtures]
        markers += MARKERS_BY_LOCATION.get(path, ())
        markers += MARKERS_BY_LOCATION.get(f"{path}::{name.partition('[')[0]}", ())
        for marker in dict.fromkeys(markers):
            item.add_marker(marker)


def _check_locations(items: list[pytest.Item]) -> None:
    modules = {item.nodeid.partition("::")[0]: getattr(item, "module", None) for item in items}
    for location in MARKERS_BY_LOCATION:
        path, _, name = location.partition("::")
        module = modules.get(path)
        if not (ROOT / path).is_file() or (name and module and not hasattr(module, name)):
            raise pytest.UsageError(f"tests/conftest.py MARKERS_BY_LOCATION: no {location}")


@pytest.fixture(autouse=True)
def _password_hashers(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("product_hashers"):
        yield  # webapp/config/settings.py's own PASSWORD_HASHERS
        return
    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture(scope="session", autouse=True)
def _broker_in_memory() -> Iterator[None]:
    # A step's mail is queued for a Celery worker after it commits: outside the tests
    # that start a worker (tests/fixtures.py), the message stays in memory, not in var/.
    previous = use_broker("memory://")
    yield
    use_broker(previous)


@pytest.fixture(scope="session", autouse=True)
def _subprocess_checkpoint_file(tmp_path_factory: pytest.TempPathFactory) -> None:
    # A manage.py the tests start reads no checkpoint file of the worktree's var/.
    path = tmp_path_factory.mktemp("subprocess-checkpoints") / "history.jsonl"
    os.environ["FUZHI_CHECKPOINT_FILE"] = str(path)


@pytest.fixture(autouse=True)
def _checkpoint_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Each test its own signed checkpoint file (webapp/security/checkpoints.py)."""
    path = tmp_path_factory.mktemp("checkpoints") / "history.jsonl"
    with override_settings(FUZHI_CHECKPOINT_FILE=path):
        yield path


@pytest.fixture(autouse=True)
def _fresh_throttle_counters(request: pytest.FixtureRequest) -> Iterator[None]:
    """Throttles count in the database cache. A test in a transaction leaves no count
    behind; a test that commits clears the counts before and after it."""
    if not _commits(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    cache.clear()
    yield
    cache.clear()


def _commits(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return any(name in request.fixturenames for name in ("transactional_db", "live_server"))


@pytest.fixture(scope="session")
def bpmn_dir() -> Path:
    return BPMN_DIR


pytest_plugins = ["tests.fixtures"]
