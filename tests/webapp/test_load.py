"""A bounded load test against the running app: gunicorn on loopback, real HTTP clients.

Officers sign in and complete tasks through the task screens while readers page through
the inbox, case list and case pages, for ``FUZHI_LOAD_SECONDS`` (default 20 s). First
all officers race for one task at the same moment (exactly one wins, the others are told
it is done). Afterwards: no request failed (no 5xx, no connection error), every
completion a client saw succeed is a done task with its history line, nothing else was
completed, and ``check_integrity`` passes on every case. Figures go to
``var/load-report.json`` (docs/reliability.md quotes them).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.db import connection

from tests.conftest import ROOT
from tests.fixtures import free_port
from webapp.cases.models import CaseEvent, HumanTask, TaskState
from webapp.security.integrity import check_all

from .conftest import PASSWORD
from .flows import application
from .test_integrity_faults import database_url

pytestmark = pytest.mark.django_db(transaction=True)

SECONDS = float(os.environ.get("FUZHI_LOAD_SECONDS", "20"))
OFFICERS = 6
READERS = 3
CASES = 40
TASK_LINK = re.compile(r'href="/inbox/tasks/(\d+)/"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
# One payload fits every HR step of recruitment: each form reads its own fields.
STEP_DATA = {
    "nationality_prc": "true",
    "good_conduct": "true",
    "fit_for_post": "true",
    "criminal_record": "false",
    "criminal_proceedings_pending": "false",
    "detained_or_rehab": "false",
    "expelled_public_servant": "false",
    "dishonest_blacklist": "false",
    "exam_score": "80",
    "interview_score": "90",
    "background_ok": "true",
    "health_ok": "true",
    "health_hospital": "六安市人民医院",
    "health_exam_date": "2026-11-02",
    "_comment": "load test",
}


@dataclass
class Tally:
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    completed: set[int] = field(default_factory=set)
    conflicts: int = 0
    latencies: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, method: str, url: str, response: requests.Response | None, took: float):
        with self.lock:
            self.latencies.append(took)
            if response is None:
                self.errors.append(f"{method} {url}: no response")
                return
            self.statuses[response.status_code] += 1
            if response.status_code >= 500:
                self.errors.append(f"{method} {url}: {response.status_code}")


class Browser:
    def __init__(self, base: str, tally: Tally) -> None:
        self.base, self.tally, self.http = base, tally, requests.Session()

    def call(self, method: str, path: str, **kwargs) -> requests.Response | None:
        began = time.monotonic()
        try:
            response = self.http.request(
                method, self.base + path, timeout=60, allow_redirects=False, **kwargs
            )
        except requests.RequestException as exc:
            response = None
            self.tally.errors.append(f"{method} {path}: {exc}")
        self.tally.record(method, path, response, time.monotonic() - began)
        return response

    def token(self) -> str:
        return self.http.cookies.get("csrftoken", "")

    def sign_in(self, username: str) -> None:
        self.call("GET", "/login/")
        response = self.call(
            "POST",
            "/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.token()},
        )
        assert response is not None and response.status_code == 302, username

    def complete(self, task_id: int) -> None:
        self.call("GET", f"/inbox/tasks/{task_id}/")
        response = self.call(
            "POST",
            f"/inbox/tasks/{task_id}/",
            data={**STEP_DATA, "csrfmiddlewaretoken": self.token()},
        )
        if response is None:
            return
        if response.status_code == 302:
            with self.tally.lock:
                self.tally.completed.add(task_id)
        elif response.status_code == 409:
            with self.tally.lock:
                self.tally.conflicts += 1


def start_server(port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "DEBUG": "0"}
    return subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "webapp.config.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", "3", "--threads", "2",
            "--timeout", "60",
        ],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_until_serving(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            if requests.get(base + "/login/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not start")


MIN_STEPS = 20  # the load must do real work, however slow the machine


class Until:
    """Keeps the clients going for SECONDS and until MIN_STEPS steps were completed (a
    machine shared with other work completes fewer in the same time), at most 6 x SECONDS."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.began = time.monotonic()

    def __call__(self) -> bool:
        elapsed = time.monotonic() - self.began
        if elapsed >= 6 * SECONDS:
            return False
        return elapsed < SECONDS or len(self.tally.completed) < MIN_STEPS + 1  # + the race


def officer(base: str, tally: Tally, username: str, going: Until, seed: int) -> None:
    browser = Browser(base, tally)
    browser.sign_in(username)
    rng = random.Random(seed)
    while going():
        inbox = browser.call("GET", "/inbox/")
        ids = [int(i) for i in TASK_LINK.findall(inbox.text)] if inbox is not None else []
        if not ids:
            time.sleep(0.2)
            continue
        browser.complete(rng.choice(ids[:10]))


def reader(base: str, tally: Tally, username: str, going: Until, seed: int) -> None:
    browser = Browser(base, tally)
    browser.sign_in(username)
    rng = random.Random(seed)
    while going():
        listing = browser.call("GET", "/cases/")
        ids = CASE_LINK.findall(listing.text) if listing is not None else []
        if ids:
            browser.call("GET", f"/cases/{rng.choice(ids)}/")
        browser.call("GET", "/inbox/")


def race(base: str, tally: Tally, usernames: list[str], task_id: int) -> None:
    """All officers submit the same task at the same moment."""
    browsers = [Browser(base, tally) for _ in usernames]
    for browser, username in zip(browsers, usernames, strict=True):
        browser.sign_in(username)
        browser.call("GET", f"/inbox/tasks/{task_id}/")
    gate = threading.Barrier(len(browsers))

    def go(browser: Browser) -> None:
        gate.wait()
        response = browser.call(
            "POST",
            f"/inbox/tasks/{task_id}/",
            data={**STEP_DATA, "csrfmiddlewaretoken": browser.token()},
        )
        if response is not None and response.status_code == 302:
            with tally.lock:
                tally.completed.add(task_id)
                tally.statuses["race_won"] += 1

    threads = [threading.Thread(target=go, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


def test_under_load_no_request_fails_and_no_step_is_lost(
    tmp_path, agency, hr, approver, auditor, models_deployed
):
    from django.contrib.auth import get_user_model

    from webapp.accounts.models import Membership
    from webapp.accounts.roles import Role
    from webapp.cases.openings import recruitment_open

    officers = ["hr"]
    for n in range(2, 4):
        user = get_user_model().objects.create_user(f"hr{n}", password=PASSWORD)
        Membership.objects.create(user=user, agency=agency, role=Role.HR_OFFICER)
        officers.append(user.username)
    for seq in range(1, CASES + 1):
        recruitment_open(user=hr, fields=application(agency, seq, notice_period="P30D"))
    done_before = set(HumanTask.objects.filter(state=TaskState.DONE).values_list("pk", flat=True))
    raced = HumanTask.objects.filter(bpmn_id="review_application").order_by("pk").first()
    assert raced is not None
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, tmp_path / "gunicorn.log")
    tally = Tally()
    try:
        wait_until_serving(base, server)
        race(base, tally, [officers[i % len(officers)] for i in range(OFFICERS)], raced.pk)
        going = Until(tally)
        began = going.began
        workers = [
            threading.Thread(
                target=officer, args=(base, tally, officers[i % len(officers)], going, i)
            )
            for i in range(OFFICERS)
        ] + [
            threading.Thread(
                target=reader, args=(base, tally, ["auditor", "approver"][i % 2], going, 100 + i)
            )
            for i in range(READERS)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(6 * SECONDS + 180)
        elapsed = time.monotonic() - began
        assert server.poll() is None, "the server died under load"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)

    assert not tally.errors, tally.errors[:20]
    assert tally.statuses["race_won"] == 1, tally.statuses
    done_now = set(HumanTask.objects.filter(state=TaskState.DONE).values_list("pk", flat=True))
    completed_in_run = done_now - done_before
    # No lost step: what clients were told succeeded is exactly what is done...
    assert completed_in_run == tally.completed
    # ...and each has its history line, once.
    lines = Counter(
        CaseEvent.objects.filter(kind="task_completed", task_id__in=completed_in_run).values_list(
            "task_id", flat=True
        )
    )
    assert set(lines) == completed_in_run and set(lines.values()) <= {1}
    assert [str(f) for f in check_all()] == []
    requests_made = sum(v for k, v in tally.statuses.items() if isinstance(k, int))
    latencies = sorted(tally.latencies)
    report = {
        "database": connection.vendor,
        "seconds": round(elapsed, 1),
        "clients": OFFICERS + READERS,
        "requests": requests_made,
        "requests_per_second": round(requests_made / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items(), key=str)},
        "completed_steps": len(completed_in_run),
        "conflicts_409": tally.conflicts,
        "p50_ms": round(1000 * latencies[len(latencies) // 2]),
        "p95_ms": round(1000 * latencies[int(len(latencies) * 0.95)]),
        "errors": len(tally.errors),
        "lost_steps": 0,
    }
    (Path(ROOT) / "var").mkdir(exist_ok=True)
    (Path(ROOT) / "var" / f"load-report-{connection.vendor}.json").write_text(
        json.dumps(report, indent=1)
    )
    print(json.dumps(report))
    assert len(completed_in_run) >= MIN_STEPS, report  # the load did real work
