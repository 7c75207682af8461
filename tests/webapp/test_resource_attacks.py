"""Resource attacks against a live server while a probe polls the public registry (issue 18).

gunicorn runs with the production settings (webapp/config/gunicorn.py: 3 processes of 2
threads, each with its sandbox workers). A process designer sends each attack through the
designer's test run and a real deploy of the usage-plan model; where it deploys, an HR
officer then opens a usage plan and completes its first task through the API, which runs
the attack in a real step. Meanwhile an anonymous probe asks for ``/registry/`` every
fifth of a second. Every poll must be answered within 2 s, every attack must end within
30 s with a clear refusal, nothing the attack touched is written, and the server keeps
serving. The figures go to ``var/resource-attacks-<database>.json`` (docs/reliability.md).

Before issue 18, one test run of the first script here kept ``/registry/`` from
answering for 20 s; an HR officer's completion took 15 s and the registry waited 13 s.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.conftest import BPMN_DIR, ROOT
from tests.fixtures import free_port
from webapp.accounts.models import Membership
from webapp.accounts.roles import Role
from webapp.cases.models import Case, CaseEvent

from .conftest import PASSWORD
from .test_integrity_faults import database_url

pytestmark = pytest.mark.django_db(transaction=True)

POLL_LIMIT = 2.0  # seconds a registry poll may take
ATTACK_LIMIT = 30.0  # seconds an attack may take, at each stage
PLAN = {
    "post": "城管协管员",
    "headcount": 1,
    "employment_mode": "unit",
    "education_requirement": "college",
    "duties_summary": "道路巡查",
}
START = {"agency_name": "六安市城市管理局", "agency_quota": 5, "headcount_in_use": 0}
COLLIDING = "range(0, 10**6 * (2**61 - 1), 2**61 - 1)"
SHARED = "a = [1]\nb = [1]\nfor i in range(60):\n    a = [a, a]\n    b = [b, b]\n"


def usage_plan() -> dict[str, str]:
    folder = BPMN_DIR / "usage_plan"
    return {
        str(path.relative_to(folder)): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def with_script(code: str) -> dict[str, str]:
    """The usage plan whose script after the HR officer's draft runs ``code`` first."""
    files = usage_plan()
    bpmn = files["usage_plan.bpmn"]
    start = bpmn.index("<bpmn:script>", bpmn.index('id="prepare_plan"')) + len("<bpmn:script>")
    escaped = code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    files["usage_plan.bpmn"] = bpmn[:start] + escaped + "\n" + bpmn[start:]
    return files


def between_draft_and_prepare(element: str, flows: str = "") -> dict[str, str]:
    """The usage plan with ``element`` (id ``hostile``, leaving by ``flow_hostile``)
    between the HR officer's draft and its preparation: the draft's completion runs it."""
    files = usage_plan()
    bpmn = files["usage_plan.bpmn"]
    flow = '<bpmn:sequenceFlow id="flow_{0}" sourceRef="{1}" targetRef="{2}" />'
    bpmn = bpmn.replace(
        flow.format("draft_prepare", "draft_plan", "prepare_plan"),
        flow.format("draft_prepare", "draft_plan", "hostile")
        + element
        + flow.format("hostile", "hostile", "prepare_plan")
        + flows,
    )
    into_prepare = "</bpmn:incoming>\n      <bpmn:outgoing>flow_prepare_approve"
    files["usage_plan.bpmn"] = bpmn.replace(
        "<bpmn:incoming>flow_draft_prepare" + into_prepare,
        "<bpmn:incoming>flow_hostile" + into_prepare,
    )
    return files


def with_timer(expression: str) -> dict[str, str]:
    return between_draft_and_prepare(
        '<bpmn:intermediateCatchEvent id="hostile" name="等待">'
        "<bpmn:incoming>flow_draft_prepare</bpmn:incoming>"
        "<bpmn:outgoing>flow_hostile</bpmn:outgoing>"
        '<bpmn:timerEventDefinition id="hostile_timer"><bpmn:timeDuration>'
        f"{expression}</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )


def with_condition(condition: str) -> dict[str, str]:
    """A gateway after the draft whose condition is ``condition`` (its default goes on)."""
    return between_draft_and_prepare(
        '<bpmn:exclusiveGateway id="hostile" name="分支" default="flow_hostile">'
        "<bpmn:incoming>flow_draft_prepare</bpmn:incoming>"
        "<bpmn:outgoing>flow_hostile</bpmn:outgoing><bpmn:outgoing>flow_hostile_if</bpmn:outgoing>"
        "</bpmn:exclusiveGateway>",
        '<bpmn:sequenceFlow id="flow_hostile_if" sourceRef="hostile" targetRef="prepare_plan">'
        f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>",
    )


def with_decision(input_entry: str) -> dict[str, str]:
    """A decision table after the draft whose one rule tests ``input_entry``."""
    files = between_draft_and_prepare(
        '<bpmn:businessRuleTask id="hostile" name="判定"><bpmn:extensionElements>'
        "<spiffworkflow:calledDecisionId>hostile_table</spiffworkflow:calledDecisionId>"
        "</bpmn:extensionElements><bpmn:incoming>flow_draft_prepare</bpmn:incoming>"
        "<bpmn:outgoing>flow_hostile</bpmn:outgoing></bpmn:businessRuleTask>"
    )
    files["hostile.dmn"] = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="hostile_dmn" '
        'name="判定" namespace="http://fuzhi.test/attack"><decision id="hostile_table" '
        'name="判定"><decisionTable id="table" hitPolicy="FIRST"><input id="in1" label="人数">'
        '<inputExpression id="ie1" typeRef="number"><text>headcount</text></inputExpression>'
        '</input><output id="out1" name="verdict" typeRef="string"/><rule id="r1">'
        f'<inputEntry id="e1"><text>{input_entry}</text></inputEntry>'
        '<outputEntry id="o1"><text>"ok"</text></outputEntry></rule>'
        "</decisionTable></decision></definitions>"
    )
    return files


def with_plan_form(change: Callable[[dict[str, Any]], None]) -> dict[str, str]:
    files = usage_plan()
    schema = json.loads(files["forms/plan.json"])
    change(schema)
    files["forms/plan.json"] = json.dumps(schema, ensure_ascii=False)
    return files


def exponential_schema(schema: dict[str, Any]) -> None:
    """A field whose check tries both of two branches thirty levels down: 2**30 paths."""
    defs = {f"l{i}": {"anyOf": [{"$ref": f"#/$defs/l{i + 1}"}] * 2} for i in range(30)}
    defs["l30"] = {"type": "integer"}
    schema["$defs"] = defs
    schema["properties"]["remark"] = {"$ref": "#/$defs/l0", "title": "备注"}


def backtracking_pattern(schema: dict[str, Any]) -> None:
    schema["properties"]["post"]["pattern"] = "^(a+)+$"


def attribute_flood() -> dict[str, str]:
    files = usage_plan()
    attributes = " ".join(f'a{i}="x"' for i in range(100_000))
    files["usage_plan.bpmn"] = files["usage_plan.bpmn"].replace(
        '<bpmn:userTask id="draft_plan"', f'<bpmn:userTask {attributes} id="draft_plan"', 1
    )
    return files


def due_years() -> dict[str, str]:
    files = usage_plan()
    files["usage_plan.bpmn"] = files["usage_plan.bpmn"].replace(
        '<spiffworkflow:property name="dueIn" value="P10D" />',
        '<spiffworkflow:property name="dueIn" value="P4000000Y" />',
        1,
    )
    return files


@dataclass
class Attack:
    name: str
    files: dict[str, str]
    deploys: bool  # not evidently hostile until it runs: the deploy checks let it through
    plan: dict[str, Any] = field(default_factory=lambda: dict(PLAN))


ATTACKS = [
    Attack("set of a million colliding hashes", with_script(f"n = len({{*{COLLIDING}}})"), True),
    Attack(
        "pow of 4-million-bit numbers",
        with_script("x = pow(3, int('f' * 999999, 16), int('f' * 999999, 16))"),
        True,
    ),
    Attack(
        "division of 4-million-bit numbers",
        with_script("x = int('f' * 999999, 16) // int('f' * 499999, 16)"),
        True,
    ),
    Attack(
        "f-string doubling", with_script("s = 'x'\nfor i in range(40):\n    s = f'{s}{s}'"), True
    ),
    Attack("comparing shared lists (C loop)", with_script(SHARED + "same = a == b"), True),
    Attack(
        "hashing a shared tuple (C loop)",
        with_script("t = (1,)\nfor i in range(60):\n    t = (t, t)\nh = {t}"),
        True,
    ),
    Attack(
        "800 MB of list copies",
        with_script("big = [0] * 1000000\nkeep = [big[:] for i in range(100)]\nkeep = 0"),
        True,
    ),
    Attack(
        "condition: a set of colliding hashes",
        with_condition(f"len({{*{COLLIDING}}}) &gt; 0"),
        True,
    ),
    Attack(
        "decision table cell: comparing shared lists (C loop)",
        with_decision(
            "[a := [1], b := [1]] and [a := [a, a] for i in range(60)] "
            "and [b := [b, b] for i in range(60)] and a == b"
        ),
        True,
    ),
    Attack("timer P4000000Y computed", with_timer("'P' + str(4000000) + 'Y'"), True),
    Attack("timer P4000000Y literal", with_timer("'P4000000Y'"), False),
    Attack(
        "form pattern ^(a+)+$",
        with_plan_form(backtracking_pattern),
        True,
        {**PLAN, "post": "a" * 40 + "!"},
    ),
    Attack(
        "form schema of 2**30 paths",
        with_plan_form(exponential_schema),
        True,
        {**PLAN, "remark": "x"},
    ),
    Attack("100,000 attributes on one element", attribute_flood(), False),
    Attack("dueIn P4000000Y", due_years(), False),
]


@dataclass
class Probe:
    """An anonymous visitor asking for the public registry five times a second."""

    base: str
    polls: list[tuple[float, float, int]] = field(default_factory=list)  # start, seconds, status
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            began = time.monotonic()
            try:
                status = session.get(f"{self.base}/registry/", timeout=10).status_code
            except requests.RequestException:
                status = 0
            self.polls.append((began, time.monotonic() - began, status))
            self.stop.wait(0.2)


def start_gunicorn(port: int, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "WEB_BIND": f"127.0.0.1:{port}",
        "FUZHI_PUBLIC_READS_PER_10MIN": "1000000",
        "FUZHI_API_RATE_USER": "100000/min",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "webapp/config/gunicorn.py",
         "webapp.config.wsgi:application"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_serving(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            if requests.get(f"{base}/login/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.3)
    raise AssertionError("gunicorn did not start")


class Designer:
    def __init__(self, base: str) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.get(f"{base}/login/")
        signed_in = self.http.post(
            f"{base}/login/",
            data={"username": "attacker", "password": PASSWORD, "csrfmiddlewaretoken": self.token},
            allow_redirects=False,
        )
        assert signed_in.status_code == 302

    @property
    def token(self) -> str:
        return self.http.cookies["csrftoken"]

    def import_draft(self, files: dict[str, str]) -> int | None:
        uploads = [
            ("files", (name.rsplit("/", 1)[-1], text.encode(), "application/octet-stream"))
            for name, text in files.items()
        ]
        answer = self.http.post(
            f"{self.base}/designer/import/",
            files=uploads,
            data={"csrfmiddlewaretoken": self.token},
            allow_redirects=False,
            timeout=60,
        )
        found = re.search(r"/designer/drafts/(\d+)/", answer.headers.get("Location", ""))
        return int(found.group(1)) if found else None

    def post(self, path: str, body: dict[str, Any]) -> requests.Response:
        return self.http.post(
            f"{self.base}{path}", json=body, headers={"X-CSRFToken": self.token}, timeout=60
        )


STAGES: list[tuple[float, float, str]] = []  # when each attack stage ran, for the report


def timed(call: Callable[[], Any], label: str = "") -> tuple[Any, float]:
    began = time.monotonic()
    result = call()
    STAGES.append((began, time.monotonic(), label))
    return result, time.monotonic() - began


def during(start: float, end: float) -> list[str]:
    return [label for began, ended, label in STAGES if began < end and start < ended]


@pytest.fixture
def people(agency, city, models_deployed) -> dict[str, Any]:
    designer = get_user_model().objects.create_user("attacker", password=PASSWORD)
    Membership.objects.create(user=designer, agency=city, role=Role.DESIGNER)
    hr = get_user_model().objects.create_user("attacked_hr", password=PASSWORD)
    Membership.objects.create(user=hr, agency=agency, role=Role.HR_OFFICER)
    token, _ = Token.objects.get_or_create(user=hr)
    return {"agency": agency.pk, "token": token.key}


def test_resource_attacks_end_within_30_s_while_the_registry_answers_within_2_s(tmp_path, people):
    connection.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port, tmp_path / "gunicorn.log")
    probe = Probe(base)
    report: dict[str, Any] = {"attacks": {}}
    try:
        wait_serving(base, server)
        poller = threading.Thread(target=probe.run, daemon=True)
        poller.start()
        designer, _took = timed(lambda: Designer(base), "the designer signs in")
        hr = requests.Session()
        hr.headers["Authorization"] = f"Token {people['token']}"
        for attack in ATTACKS:
            report["attacks"][attack.name] = run_attack(base, designer, hr, people, attack)
        report["requests"] = request_attacks(base, hr)
        time.sleep(1)  # a last poll after the last attack
        assert server.poll() is None, "gunicorn died"
        assert requests.get(f"{base}/registry/", timeout=10).status_code == 200
    finally:
        probe.stop.set()
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    latencies = [seconds for _began, seconds, _status in probe.polls]
    slowest = max(probe.polls, key=lambda poll: poll[1])
    report["polls"] = {
        "count": len(latencies),
        "p50": statistics.median(latencies),
        "p95": statistics.quantiles(latencies, n=20)[-1],
        "max": max(latencies),
        "slowest_during": during(slowest[0], slowest[0] + slowest[1]),
        "failed": sum(1 for _b, _s, status in probe.polls if status != 200),
    }
    out = ROOT / "var" / f"resource-attacks-{connection.vendor}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1))
    assert report["polls"]["count"] > 50
    assert report["polls"]["failed"] == 0, probe.polls
    assert report["polls"]["max"] <= POLL_LIMIT, report["polls"]
    for name, outcome in report["attacks"].items():
        assert max(outcome["seconds"].values()) <= ATTACK_LIMIT, (name, outcome)
    # Nothing an attack ran was written: every case is still at the task it was opened at.
    assert not Case.objects.exclude(tasks__bpmn_id="draft_plan").exists()
    assert not CaseEvent.objects.filter(kind="task_completed").exists()


def run_attack(
    base: str, designer: Designer, hr: requests.Session, people: dict[str, Any], attack: Attack
) -> dict[str, Any]:
    seconds: dict[str, float] = {}
    outcome: dict[str, Any] = {"seconds": seconds}
    draft, seconds["import"] = timed(
        lambda: designer.import_draft(attack.files), f"{attack.name}: import"
    )
    if draft is None:
        assert not attack.deploys, f"{attack.name}: the import was refused"
        outcome["refused"] = "import"
        return outcome
    run, seconds["test_run"] = timed(
        lambda: designer.post(
            f"/designer/drafts/{draft}/test-run/",
            {
                "files": attack.files,
                "data": START,
                "inputs": [{"task": "draft_plan", "data": attack.plan}],
            },
        ),
        f"{attack.name}: test run",
    )
    assert run.status_code < 500, (attack.name, run.status_code)
    refusal = run.json().get("error") or run.json().get("field_errors")
    assert refusal, f"{attack.name}: the test run was not stopped: {run.json()}"
    outcome["test_run"] = str(refusal)[:300]
    deploy, seconds["deploy"] = timed(
        lambda: designer.post(f"/designer/drafts/{draft}/deploy/", {"revision": 1}),
        f"{attack.name}: deploy",
    )
    if not attack.deploys:
        assert deploy.status_code == 400, (attack.name, deploy.status_code)
        outcome["refused"] = "deploy"
        return outcome
    assert deploy.status_code == 200, (attack.name, deploy.content[:300])
    opened, _took = timed(
        lambda: hr.post(f"{base}/api/usage-plans/", json={"agency": people["agency"]}, timeout=60),
        f"{attack.name}: the HR officer opens a usage plan",
    )
    assert opened.status_code == 201, opened.content[:300]
    task_id = opened.json()["open_tasks"][0]["id"]
    completed, seconds["task_completion"] = timed(
        lambda: hr.post(
            f"{base}/api/tasks/{task_id}/complete/",
            json={"data": attack.plan, "comment": ""},
            timeout=60,
        ),
        f"{attack.name}: task completion",
    )
    assert completed.status_code == 400, (attack.name, completed.status_code, completed.text)
    body = completed.json()
    outcome["task_completion"] = (body["message"] + " " + json.dumps(body["fields"]))[:300]
    outcome["refused"] = "run"
    return outcome


def request_attacks(base: str, hr: requests.Session) -> dict[str, Any]:
    """Malformed and oversized bodies, anonymous and signed in, during the same run."""
    sent = {
        "deep JSON, anonymous": ("/api/public/complaints/", b"[" * 950 + b"]" * 950, None),
        "3 MB body, anonymous": ("/api/public/complaints/", b"x" * 3_000_000, None),
        "lone surrogate": ("/api/usage-plans/", b'{"agency": "\\ud800"}', hr),
    }
    answers = {}
    for name, (path, body, session) in sent.items():
        http = session or requests
        answer, took = timed(
            lambda path=path, body=body, http=http: http.post(
                f"{base}{path}",
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=60,
            ),
            name,
        )
        assert answer.status_code in (400, 413), (name, answer.status_code)
        assert took <= ATTACK_LIMIT
        answers[name] = {"status": answer.status_code, "seconds": took}
    return answers
