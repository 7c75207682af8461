"""Fixtures for the Django side: two agencies and the people of each, plus a deployed model."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.auth import get_user_model

from webapp.accounts.models import Agency, AgencyKind, Grant, Membership
from webapp.accounts.roles import Role
from webapp.accounts.services import routing_rules_seed
from webapp.cases.definitions import deploy_directory
from webapp.staff.idcard import check_digit

from .celery_broker import use_broker

PASSWORD = "correct-horse-battery"


def make_id(birth: date, seq: int = 1, area: str = "341502") -> str:
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


@pytest.fixture
def city(db: Any) -> Agency:
    # A transactional test's flush empties the rules the migration wrote.
    routing_rules_seed()
    return Agency.objects.create(code="LA", name="六安市人民政府", kind=AgencyKind.GOVERNMENT)


@pytest.fixture
def agency(city: Agency) -> Agency:
    """六安市城市管理局 with a quota of 5 and an approved usage plan for 5 (Art. 8, 9)."""
    from webapp.records.models import UsagePlan

    created = Agency.objects.create(
        code="LA-CG",
        name="六安市城市管理局",
        kind=AgencyKind.CONSOLIDATED,
        parent=city,
        quota=5,
        area_code="341500",
    )
    UsagePlan.objects.create(
        agency=created, post="城管协管员", headcount=5, employment_mode="unit", approved=True
    )
    return created


@pytest.fixture
def other_agency(city: Agency) -> Agency:
    return Agency.objects.create(
        code="JA-CG",
        name="金安区城市管理局",
        kind=AgencyKind.CONSOLIDATED,
        parent=city,
        quota=5,
        area_code="341502",
    )


def _user(username: str, agency: Agency | None, *roles: str) -> Any:
    user = get_user_model().objects.create_user(username, password=PASSWORD, last_name=username)
    for role in roles:
        assert agency is not None
        Membership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def hr(agency: Agency) -> Any:
    return _user("hr", agency, Role.HR_OFFICER)


@pytest.fixture
def approver(agency: Agency) -> Any:
    return _user("approver", agency, Role.APPROVER)


@pytest.fixture
def trainer(agency: Agency) -> Any:
    return _user("trainer", agency, Role.TRAINER)


@pytest.fixture
def legal(agency: Agency) -> Any:
    return _user("legal", agency, Role.LEGAL_REVIEWER)


@pytest.fixture
def colleague(agency: Agency) -> Any:
    """A second approver in the same agency."""
    return _user("colleague", agency, Role.APPROVER)


@pytest.fixture
def stranger(other_agency: Agency) -> Any:
    """HR officer and approver of another agency."""
    return _user("stranger", other_agency, Role.HR_OFFICER, Role.APPROVER)


def _body(city: Agency, code: str, name: str, role: str) -> Agency:
    """A department acting in ``role`` for the city government (Art. 5)."""
    return Agency.objects.create(
        code=code, name=name, kind=AgencyKind.ADMIN_ORGAN, parent=city, oversight_role=role
    )


@pytest.fixture
def staffing(city: Agency) -> Any:
    """The city's staffing office (市委编办), one officer, read access to the city."""
    user = _user(
        "staffing", _body(city, "LA-BB", "市委编办", Role.STAFFING_OFFICE), Role.STAFFING_OFFICE
    )
    Grant.objects.create(user=user, agency=city)
    return user


@pytest.fixture
def hrss(city: Agency) -> Any:
    """The city's HR & social security bureau (市人社局), one officer."""
    user = _user("hrss", _body(city, "LA-RS", "市人力资源和社会保障局", Role.HRSS), Role.HRSS)
    Grant.objects.create(user=user, agency=city)
    return user


@pytest.fixture
def auditor(city: Agency) -> Any:
    user = _user("auditor", city, Role.AUDITOR)
    Grant.objects.create(user=user, agency=city)
    return user


@pytest.fixture
def models_deployed(db: Any, bpmn_dir: Any) -> list[Any]:
    routing_rules_seed()
    return deploy_directory(bpmn_dir)


@pytest.fixture(autouse=True)
def _default_language() -> Any:
    """Each test starts in the default language (a request may leave another active)."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


# Redis and a Celery worker for the scheduling tests (one Redis server per test session,
# so the Celery app's connection pool never points at a stopped server).


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = shutil.which("redis-server")
    assert server, "Debian's redis-server is needed (apt-get install redis-server)"
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def worker(redis_url: str, transactional_db: None) -> Iterator[None]:
    from webapp.config.celery import app

    previous = use_broker(redis_url)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        use_broker(previous)
