"""The case history chain (Art. 15(3)): intact after real steps, and every kind of tampering
with the stored rows is found by ``verify_history`` and shown on the case page.

Tampering is done with raw SQL, the way someone with database access would do it.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.examples import CLEAN_REVIEW
from webapp.accounts.models import Agency
from webapp.cases.history import GENESIS, _canonical, event_hash, verify_case
from webapp.cases.models import Case, CaseEvent, HumanTask, TaskState
from webapp.cases.openings import recruitment_open
from webapp.cases.services import task_claim, task_complete, task_release

from .conftest import PASSWORD, make_id

pytestmark = pytest.mark.django_db

SCORES = {"exam_score": 78, "interview_score": 91}
BACKGROUND = {"background_ok": True, "background_notes": "政审、考察无异常"}


# --- helpers ---------------------------------------------------------------------------------


def open_task(case: Case, bpmn_id: str) -> HumanTask:
    return HumanTask.objects.get(
        case=case, bpmn_id=bpmn_id, state__in=[TaskState.OPEN, TaskState.CLAIMED]
    )


def open_recruitment(agency: Agency, hr: Any, seq: int = 1) -> Case:
    return recruitment_open(
        user=hr,
        fields={
            "agency": agency,
            "name": f"陈晓{seq}",
            "id_number": make_id(date(1997, 3, 12), seq=seq),
            "education": "bachelor",
            "post": "城市管理执法辅助",
            "veteran": seq % 2 == 0,
            "bravery": False,
            "required_education": "college",
            "education_requirement_reason": "",
            "phone": f"1385640{seq:04d}",
            "address": "安徽省六安市金安区梅山南路 88 号",
        },
    )


def drive_a_few_steps(case: Case, hr: Any) -> Case:
    """Review, scores, then claim/release/claim the background check: a mixed history."""
    task_complete(
        task_id=open_task(case, "review_application").pk,
        user=hr,
        data=CLEAN_REVIEW,
        comment="材料齐全，符合报名条件",
    )
    task_complete(
        task_id=open_task(case, "record_scores").pk, user=hr, data=SCORES, comment="成绩已核"
    )
    background = open_task(case, "background_check")
    task_claim(task_id=background.pk, user=hr)
    task_release(task_id=background.pk, user=hr)
    task_claim(task_id=background.pk, user=hr)
    case.refresh_from_db()
    return case


@pytest.fixture
def case(models_deployed: Any, agency: Agency, hr: Any) -> Case:
    case = drive_a_few_steps(open_recruitment(agency, hr), hr)
    assert case.event_count >= 10
    assert verify_case(case) == []
    return case


def events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq"))


def middle_event(case: Case, kind: str = "task_completed") -> CaseEvent:
    """The first event of ``kind`` that has events after it."""
    found = next(e for e in events(case) if e.kind == kind)
    assert 1 < found.seq < case.event_count
    return found


def unkeyed_hash(event: CaseEvent) -> str:
    """What the chain was before it was keyed: SHA-256 of the canonical content."""
    return hashlib.sha256(_canonical(event)).hexdigest()


def verify_history() -> tuple[int | None, str]:
    """Run the command; (exit code or None, output)."""
    out = io.StringIO()
    try:
        call_command("verify_history", stdout=out)
    except SystemExit as exc:
        return (exc.code if isinstance(exc.code, int) else 1), out.getvalue()
    return None, out.getvalue()


def broken_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("BROKEN")]


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def json_value() -> str:
    """The placeholder for a JSON parameter in raw SQL on this database."""
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def assert_exit_1_naming(case: Case, *seqs: int, problem: str) -> str:
    code, output = verify_history()
    assert code == 1, output
    lines = broken_lines(output)
    assert lines, output
    for seq in seqs:
        assert any(
            case.business_key in line and f"#{seq}:" in line and problem in line for line in lines
        ), f"no line names {case.business_key} #{seq} ({problem}):\n{output}"
    return output


def chain_element(html: str) -> str:
    tags = re.findall(r"<[^>]*data-testid=\"chain\"[^>]*>", html)
    assert len(tags) == 1, "the case page shows one integrity result"
    return tags[0]


def chain_classes(html: str) -> set[str]:
    match = re.search(r"class=\"([^\"]*)\"", chain_element(html))
    return set(match.group(1).split()) if match else set()


def case_page(case: Case, username: str = "hr") -> str:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


# --- an intact history -----------------------------------------------------------------------


def test_it_verifies_an_untouched_history(case: Case) -> None:
    code, output = verify_history()
    assert code is None, output
    assert "0 problems" in output
    assert "1 cases checked" in output
    assert broken_lines(output) == []


def test_it_chains_every_event_to_its_predecessor(case: Case) -> None:
    rows = events(case)
    assert [e.seq for e in rows] == list(range(1, case.event_count + 1))
    assert rows[0].prev_hash == GENESIS
    for before, after in pairwise(rows):
        assert after.prev_hash == before.hash
    assert all(event_hash(e) == e.hash for e in rows)
    assert case.head_hash == rows[-1].hash
    kinds = {e.kind for e in rows}
    assert {"case_started", "task_created", "task_completed", "task_claimed"} <= kinds
    assert "task_released" in kinds


def test_it_only_appends_history_rows_when_the_service_takes_steps(case: Case, hr: Any) -> None:
    before = {e.pk: (e.seq, e.hash, e.prev_hash, e.comment, e.data_after) for e in events(case)}

    with CaptureQueriesContext(connection) as queries:
        task_complete(
            task_id=open_task(case, "background_check").pk,
            user=hr,
            data=BACKGROUND,
            comment="考察合格",
        )
        task_claim(task_id=open_task(case, "health_check").pk, user=hr)
        task_release(task_id=open_task(case, "health_check").pk, user=hr)

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r"\s*(UPDATE|DELETE)\b", q["sql"], re.IGNORECASE)
        and "cases_caseevent" in q["sql"].lower()
    ]
    assert writes == [], "the service layer must never update or delete history rows"
    after = {e.pk: (e.seq, e.hash, e.prev_hash, e.comment, e.data_after) for e in events(case)}
    assert len(after) > len(before)
    assert {pk: after[pk] for pk in before} == before, "earlier rows changed"
    case.refresh_from_db()
    assert case.event_count == len(after)
    assert verify_case(case) == []
    code, output = verify_history()
    assert code is None and "0 problems" in output


# --- tampering -------------------------------------------------------------------------------


def test_it_names_the_case_and_event_whose_comment_was_altered(case: Case) -> None:
    target = middle_event(case)
    sql(
        "UPDATE cases_caseevent SET comment = %s WHERE id = %s",
        ["材料不齐，本应退回", target.pk],
    )

    output = assert_exit_1_naming(case, target.seq, problem="altered")
    assert len(broken_lines(output)) == 1, output
    assert "1 problems" in output


def test_it_names_the_event_whose_submitted_data_was_altered(case: Case) -> None:
    target = middle_event(case)
    assert target.data_after["criminal_record"] is False
    forged = {**target.data_after, "criminal_record": True}
    sql(
        f"UPDATE cases_caseevent SET data_after = {json_value()} WHERE id = %s",
        [json.dumps(forged, ensure_ascii=False), target.pk],
    )
    assert CaseEvent.objects.get(pk=target.pk).data_after["criminal_record"] is True

    output = assert_exit_1_naming(case, target.seq, problem="altered")
    assert len(broken_lines(output)) == 1, output


@pytest.mark.parametrize(
    ("column", "value"),
    [("actor_name", "某领导"), ("title", "录用审批"), ("articles", "Art. 99"), ("kind", "x")],
)
def test_it_finds_any_altered_column(case: Case, column: str, value: str) -> None:
    target = middle_event(case)
    sql(f"UPDATE cases_caseevent SET {column} = %s WHERE id = %s", [value, target.pk])

    assert_exit_1_naming(case, target.seq, problem="altered")


def test_it_reports_a_deleted_middle_event_as_missing(case: Case) -> None:
    target = middle_event(case)
    sql("DELETE FROM cases_caseevent WHERE id = %s", [target.pk])

    output = assert_exit_1_naming(case, target.seq, problem="missing")
    # The event after the gap no longer follows its predecessor either.
    assert any(f"#{target.seq + 1}:" in line for line in broken_lines(output)), output


def test_it_detects_a_deleted_newest_event_through_the_case_head(case: Case) -> None:
    newest = events(case)[-1]
    assert newest.seq == case.event_count
    sql("DELETE FROM cases_caseevent WHERE id = %s", [newest.pk])
    # What is left is a perfectly chained history; only the case row knows it is short.
    rest = events(case)
    assert all(event_hash(e) == e.hash for e in rest)
    assert all(b.prev_hash == a.hash for a, b in pairwise(rest))

    output = assert_exit_1_naming(case, newest.seq, problem="missing")
    assert len(broken_lines(output)) == 1, output


def _renumber_from(case: Case, seq: int) -> None:
    # Two statements, so the unique (case, seq) constraint never sees a duplicate.
    sql(
        "UPDATE cases_caseevent SET seq = seq + 100000 WHERE case_id = %s AND seq >= %s",
        [case.pk, seq],
    )
    sql(
        "UPDATE cases_caseevent SET seq = seq - 99999 WHERE case_id = %s AND seq >= 100000",
        [case.pk],
    )


def _forged_event(case: Case, seq: int, prev_hash: str) -> CaseEvent:
    return CaseEvent(
        case=case,
        seq=seq,
        at=timezone.now(),
        actor_name="审批领导",
        actor_role="approver",
        kind="task_completed",
        title="录用审批",
        data_after={"decision": "approve", "reason": "同意"},
        comment="同意录用",
        articles="Art. 5",
        prev_hash=prev_hash,
    )


def test_it_detects_a_forged_event_inserted_in_the_middle(case: Case) -> None:
    target = middle_event(case)
    predecessor = CaseEvent.objects.get(case=case, seq=target.seq - 1)
    _renumber_from(case, target.seq)
    forged = _forged_event(case, target.seq, predecessor.hash)
    forged.hash = "f" * 64  # made up
    forged.save(force_insert=True)

    output = assert_exit_1_naming(case, target.seq, problem="altered")
    assert case.business_key in output
    # The original event, now one further on, no longer follows its predecessor.
    assert_exit_1_naming(case, target.seq + 1, problem="does not follow")


def test_it_detects_a_forged_event_whose_hash_was_computed_without_the_key(case: Case) -> None:
    target = middle_event(case)
    predecessor = CaseEvent.objects.get(case=case, seq=target.seq - 1)
    _renumber_from(case, target.seq)
    forged = _forged_event(case, target.seq, predecessor.hash)
    forged.key_id = "k1"
    forged.hash = unkeyed_hash(forged)  # a forger who knows the algorithm, not the key
    forged.save(force_insert=True)

    assert_exit_1_naming(case, target.seq, problem="not signed by the history key")
    assert_exit_1_naming(case, target.seq + 1, problem="does not follow")


def test_it_detects_two_events_whose_seq_was_swapped(case: Case) -> None:
    rows = events(case)
    first, second = rows[2], rows[5]
    sql("UPDATE cases_caseevent SET seq = %s WHERE id = %s", [100000, first.pk])
    sql("UPDATE cases_caseevent SET seq = %s WHERE id = %s", [first.seq, second.pk])
    sql("UPDATE cases_caseevent SET seq = %s WHERE id = %s", [second.seq, first.pk])

    assert_exit_1_naming(case, first.seq, second.seq, problem="altered")
    assert_exit_1_naming(case, first.seq, second.seq, problem="does not follow")


def test_it_names_only_the_tampered_case(case: Case, agency: Agency, hr: Any) -> None:
    other = drive_a_few_steps(open_recruitment(agency, hr, seq=2), hr)
    target = middle_event(case)
    sql("UPDATE cases_caseevent SET comment = %s WHERE id = %s", ["改过", target.pk])

    code, output = verify_history()
    assert code == 1
    assert "2 cases checked" in output
    assert all(case.business_key in line for line in broken_lines(output)), output
    assert other.business_key not in output
    assert verify_case(other) == []


# --- the case page ---------------------------------------------------------------------------


def test_it_shows_a_verified_history_on_the_case_page(case: Case, hr: Any) -> None:
    html = case_page(case)
    assert "ok" in chain_classes(html)
    assert "error" not in chain_classes(html)
    assert 'role="alert"' not in chain_element(html)


def test_it_shows_a_failure_note_on_the_case_page_after_tampering(case: Case, hr: Any) -> None:
    target = middle_event(case)
    sql("UPDATE cases_caseevent SET comment = %s WHERE id = %s", ["改过", target.pk])

    html = case_page(case)
    assert "error" in chain_classes(html)
    assert "ok" not in chain_classes(html)
    assert 'role="alert"' in chain_element(html)
    assert f"#{target.seq}" in html


def test_it_shows_a_failure_note_when_the_newest_event_was_deleted(case: Case, hr: Any) -> None:
    sql("DELETE FROM cases_caseevent WHERE id = %s", [events(case)[-1].pk])

    assert "error" in chain_classes(case_page(case))
