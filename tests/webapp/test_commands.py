"""The management commands a designer and an operator run."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from tests.conftest import BPMN_DIR, CORPUS_DIR

# bpmn_check meets the lanes with the database's routing rules.
pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_it_says_ok_for_each_valid_model_file():
    files = [str(p) for p in sorted((BPMN_DIR / "recruitment").glob("*.*mn"))]
    code, out = run("bpmn_check", *files)
    assert code == 0
    assert out.splitlines() == [f"{f}: ok" for f in files]


def test_it_exits_1_with_one_plain_line_per_problem():
    hostile = CORPUS_DIR / "hostile-synthetic__dangling_sequence_flow.bpmn"
    good = BPMN_DIR / "recruitment" / "recruitment.bpmn"
    code, out = run("bpmn_check", str(good), str(hostile))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{good}: ok"
    assert all(line.startswith(f"{hostile}: ") for line in lines[1:]) and len(lines) >= 2
    assert "does_not_exist" in lines[1] and "Traceback" not in out


def test_it_refuses_a_missing_file_in_plain_words(tmp_path):
    code, out = run("bpmn_check", str(tmp_path / "nope.bpmn"))
    assert code == 1 and "nope.bpmn" in out and "Traceback" not in out


def test_it_loads_models_and_seeds_the_demo_idempotently():
    from webapp.cases.models import Case, CaseEvent, HumanTask
    from webapp.staff.models import Staff, StaffState

    run("load_models")
    code, out = run("seed_demo")
    assert code == 0 and "20 staff created" in out
    counts = (Staff.objects.count(), Case.objects.count(), CaseEvent.objects.count())
    code, out = run("seed_demo")
    assert "0 staff created" in out
    assert (Staff.objects.count(), Case.objects.count(), CaseEvent.objects.count()) == counts
    states = set(Staff.objects.values_list("state", flat=True))
    assert states == set(StaffState.values)  # a living system: every state is shown
    running = set(
        Case.objects.filter(status="running").values_list("definition__process_id", flat=True)
    )
    processes = {p.name for p in BPMN_DIR.iterdir() if any(p.glob("*.bpmn"))}
    # the nine, renewal, appeal, suggestion, correction order, measures filing: one open each
    assert len(processes) == 14 and running == processes
    assert run("verify_history")[0] == 0
    # Every demo task reaches someone: the usage plan waits at the city's staffing office.
    code, out = run("check_integrity")
    assert code == 0, out
    assert HumanTask.objects.get(bpmn_id="review_quota", state="open").agency.code == "LA-BB"
