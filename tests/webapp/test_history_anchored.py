"""The keyed history and its checkpoints (Art. 15(3)): what someone with write access to
the database did to the histories in issue 19, each named by ``verify_history`` and
``check_integrity``.

Tampering is raw SQL, as that person would do it; the checkpoint file and the key are
outside the database. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from webapp.cases.history import GENESIS, _canonical, verify_case
from webapp.cases.keyring import keyring
from webapp.cases.models import Case, CaseEvent, JobRun
from webapp.security import audit_chain, checkpoints
from webapp.security.models import AuditAction, AuditEntry, AuditHead
from webapp.security.services import audit_record
from webapp.security.tasks import history_checkpoint

from .flows import APPROVE, CONTRACT, case_at_approval, drive

pytestmark = pytest.mark.django_db


def command(name: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command(name, *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def problems(name: str) -> tuple[int, list[str]]:
    code, out = command(name)
    return code, [line for line in out.splitlines() if line.startswith(("BROKEN", "PROBLEM"))]


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def events(case: Case) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case).select_related("case").order_by("seq"))


def named(lines: list[str], *parts: str) -> bool:
    return any(all(part in line for part in parts) for line in lines)


@pytest.fixture
def approved(hr: Any, approver: Any, agency: Any, models_deployed: Any) -> Case:
    case = case_at_approval(hr, approver, agency)
    drive(case, [("approve_hire", APPROVE)], hr, approver)
    case.refresh_from_db()
    assert verify_case(case) == []
    return case


def approval_event(case: Case) -> CaseEvent:
    return next(
        e for e in events(case) if e.bpmn_id == "approve_hire" and e.kind == "task_completed"
    )


def rechain(case: Case, digest: Any, start: int = 1) -> None:
    """Recompute every hash from ``start`` on, and the case's head, with ``digest``."""
    rows = events(case)
    prev = rows[start - 2].hash if start > 1 else GENESIS
    for event in rows[start - 1 :]:
        event.prev_hash = prev
        event.hash = digest(event)
        sql(
            "UPDATE cases_caseevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [event.prev_hash, event.hash, event.pk],
        )
        prev = event.hash
    sql("UPDATE cases_case SET head_hash = %s WHERE id = %s", [prev, case.pk])


def sha256(event: CaseEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def with_key(event: CaseEvent) -> str:
    return keyring().sign(_canonical(event), event.key_id)


def rewrite_approval(case: Case, digest: Any) -> CaseEvent:
    """The approval's actor and comment rewritten, the chain and the head recomputed."""
    target = approval_event(case)
    sql(
        "UPDATE cases_caseevent SET actor_name = %s, comment = %s WHERE id = %s",
        ["某领导", "同意录用（补签）", target.pk],
    )
    rechain(case, digest, start=target.seq)
    return target


# --- without the key: the chain itself ----------------------------------------------------


def test_an_approval_rewritten_and_rechained_without_the_key_is_named(approved: Case) -> None:
    target = rewrite_approval(approved, sha256)

    for name in ("verify_history", "check_integrity"):
        code, lines = problems(name)
        assert code == 1, lines
        assert named(lines, approved.business_key, f"#{target.seq}", "not signed"), lines


def test_a_forged_event_signed_with_another_key_is_named(approved: Case) -> None:
    target = approval_event(approved)
    sql("UPDATE cases_caseevent SET key_id = %s WHERE id = %s", ["k9", target.pk])

    code, lines = problems("verify_history")
    assert code == 1
    assert named(lines, approved.business_key, f"#{target.seq}", "not signed"), lines


def test_an_event_downgraded_to_the_unkeyed_chain_is_named(approved: Case) -> None:
    target = approval_event(approved)
    sql("UPDATE cases_caseevent SET key_id = '' WHERE id = %s", [target.pk])
    rechain(approved, lambda e: sha256(e) if e.pk == target.pk else with_key(e), target.seq)

    code, lines = problems("verify_history")
    assert code == 1
    assert named(lines, approved.business_key, f"#{target.seq}", "not signed"), lines


# --- against the checkpoint ---------------------------------------------------------------


def test_the_newest_events_cut_off_with_the_head_moved_back_are_named(approved: Case) -> None:
    assert command("history_checkpoint")[0] == 0
    rows = events(approved)
    kept = rows[-3]
    sql("DELETE FROM cases_caseevent WHERE case_id = %s AND seq > %s", [approved.pk, kept.seq])
    sql(
        "UPDATE cases_case SET event_count = %s, head_hash = %s WHERE id = %s",
        [kept.seq, kept.hash, approved.pk],
    )
    # The chain left behind is perfect: only the checkpoint knows it is short.
    assert verify_case(Case.objects.get(pk=approved.pk)) == []

    for name in ("verify_history", "check_integrity"):
        code, lines = problems(name)
        assert code == 1, lines
        span = f"events #{kept.seq + 1}–#{rows[-1].seq}"
        assert named(lines, approved.business_key, span, "cut short"), lines


def test_a_case_deleted_with_its_events_is_named(approved: Case, hr: Any, approver: Any) -> None:
    other = case_at_approval(hr, approver, approved.agency, seq=2)
    assert command("history_checkpoint")[0] == 0
    sql("DELETE FROM cases_caseevent WHERE case_id = %s", [other.pk])
    sql("DELETE FROM cases_humantask WHERE case_id = %s", [other.pk])
    sql("DELETE FROM cases_case WHERE id = %s", [other.pk])

    for name in ("verify_history", "check_integrity"):
        code, lines = problems(name)
        assert code == 1, lines
        assert named(lines, other.business_key, "deleted"), lines
        assert not named(lines, approved.business_key), lines


def test_a_history_recomputed_with_the_key_is_named_against_the_checkpoint(
    approved: Case,
) -> None:
    assert command("history_checkpoint")[0] == 0
    rewrite_approval(approved, with_key)  # someone who also stole the key
    assert verify_case(Case.objects.get(pk=approved.pk)) == []

    code, lines = problems("verify_history")
    assert code == 1
    assert named(lines, approved.business_key, f"#{approved.event_count}", "rewritten"), lines


def test_a_checkpoint_refuses_to_record_a_history_that_went_back(approved: Case) -> None:
    assert command("history_checkpoint")[0] == 0
    kept = events(approved)[-2]
    sql("DELETE FROM cases_caseevent WHERE case_id = %s AND seq > %s", [approved.pk, kept.seq])
    sql(
        "UPDATE cases_case SET event_count = %s, head_hash = %s WHERE id = %s",
        [kept.seq, kept.hash, approved.pk],
    )

    code, out = command("history_checkpoint")
    assert code == 1 and approved.business_key in out, out
    # Still named the next time: the file kept the longer history.
    assert named(problems("verify_history")[1], approved.business_key, "cut short")


def test_an_untouched_database_verifies_against_its_checkpoints(approved: Case, hr: Any) -> None:
    assert command("history_checkpoint")[0] == 0
    drive(approved, [("sign_contract", CONTRACT)], hr, None)
    code, out = command("history_checkpoint")
    assert code == 0 and "checkpoint #2: 1 cases recorded" in out, out

    code, out = command("verify_history")
    assert code == 0, out
    assert "checked against checkpoint #2" in out and "0 problems" in out


def test_a_checkpoint_line_altered_in_the_file_is_named(
    approved: Case, _checkpoint_file: Path
) -> None:
    assert command("history_checkpoint")[0] == 0
    line = json.loads(_checkpoint_file.read_text())
    line["cases"][approved.business_key][0] = 1
    _checkpoint_file.write_text(json.dumps(line) + "\n")

    code, lines = problems("verify_history")
    assert code == 1
    assert named(lines, "checkpoint file", "not signed"), lines


def test_a_rebase_after_a_restore_accepts_the_heads_and_says_why(approved: Case) -> None:
    assert command("history_checkpoint")[0] == 0
    kept = events(approved)[-2]
    sql("DELETE FROM cases_caseevent WHERE case_id = %s AND seq > %s", [approved.pk, kept.seq])
    sql(
        "UPDATE cases_case SET event_count = %s, head_hash = %s WHERE id = %s",
        [kept.seq, kept.hash, approved.pk],
    )
    assert command("verify_history")[0] == 1

    assert command("history_checkpoint", "--rebase", "restored the backup of 3 May")[0] == 0

    assert command("verify_history")[0] == 0
    line = AuditEntry.objects.get(action=AuditAction.CHECKPOINT)
    assert line.detail == {"reason": "restored the backup of 3 May"}


# --- the audit log ------------------------------------------------------------------------


@pytest.fixture
def audit_lines(db: Any) -> list[AuditEntry]:
    for n in range(5):
        audit_record(None, AuditAction.OTHER, f"line {n}")
    return list(AuditEntry.objects.order_by("seq"))


def test_audit_lines_are_chained_and_signed(audit_lines: list[AuditEntry]) -> None:
    assert [e.seq for e in audit_lines] == [1, 2, 3, 4, 5]
    assert audit_lines[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in pairwise(audit_lines))
    assert AuditHead.objects.get().count == 5
    assert list(audit_chain.breaks()) == []


def test_an_edited_audit_line_is_named(audit_lines: list[AuditEntry]) -> None:
    sql("UPDATE security_auditentry SET target = %s WHERE id = %s", ["改过", audit_lines[2].pk])

    for name in ("verify_history", "check_integrity"):
        code, lines = problems(name)
        assert code == 1, lines
        assert named(lines, "audit log line #3", "not signed"), lines


def test_a_deleted_audit_line_is_named(audit_lines: list[AuditEntry]) -> None:
    sql("DELETE FROM security_auditentry WHERE id = %s", [audit_lines[1].pk])

    code, lines = problems("verify_history")
    assert code == 1
    assert named(lines, "audit log line #2", "deleted"), lines


def test_the_newest_audit_lines_deleted_with_the_head_moved_back_are_named(
    audit_lines: list[AuditEntry],
) -> None:
    assert command("history_checkpoint")[0] == 0
    sql("DELETE FROM security_auditentry WHERE seq > 3", [])
    sql("UPDATE security_audithead SET count = 3, head_hash = %s", [audit_lines[2].hash])
    assert list(audit_chain.breaks()) == []

    code, lines = problems("verify_history")
    assert code == 1
    assert named(lines, "audit log lines #4–#5", "deleted"), lines


# --- the key ------------------------------------------------------------------------------


def test_a_rotated_key_signs_new_events_and_the_old_ones_still_verify(
    approved: Case, hr: Any, tmp_path: Path
) -> None:
    key_file = tmp_path / "history_keys"
    key_file.write_text(Path(_key_file()).read_text())
    with override_settings(FUZHI_HISTORY_KEY_FILE=key_file):
        before = keyring().current_id
        code, out = command("history_key", "rotate")
        assert code == 0, out
        after = keyring().current_id
        assert after != before and after in out
        drive(approved, [("sign_contract", CONTRACT)], hr, None)
        key_ids = [e.key_id for e in events(approved)]
        assert key_ids[0] == before and key_ids[-1] == after
        assert command("verify_history")[0] == 0
        assert AuditEntry.objects.filter(action=AuditAction.HISTORY_KEY, target=after).exists()
        # Without the old key, what it signed no longer verifies.
        key_file.write_text(key_file.read_text().splitlines()[-1] + "\n")
        code, lines = problems("verify_history")
        assert code == 1 and named(lines, approved.business_key, "#1:", "not signed"), lines


def _key_file() -> str:
    keyring()  # created on first use
    return str(settings.FUZHI_HISTORY_KEY_FILE)


def test_checkpoints_are_written_by_a_recorded_beat_job(approved: Case) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["history-checkpoint"]
    assert schedule["task"] == "webapp.security.tasks.history_checkpoint"
    history_checkpoint()
    run = JobRun.objects.get(name="history_checkpoint")
    assert run.status == "succeeded" and "checkpoint #1" in run.result
    assert approved.business_key in checkpoints.read().cases
