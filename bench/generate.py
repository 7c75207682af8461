"""A seeded, reproducible database at city or province scale.

    python -m bench.generate --scale 1      # province: 2,000 agencies, 200,000 staff,
                                            # 1,000,000 cases, 100,000 open human tasks
    python -m bench.generate --scale 0.01   # a city (the default)

Nothing here invents an engine state. The demo (``seed_demo``) drives a case of every
process through the real services and the real engine; those cases, with their stored
state, task projection and hash-chained history, are the templates. Each generated case
is a copy of one template in another agency, about another staff member, at another
time, with its own business key and its own history chain (every hash recomputed, so
``verify_case`` holds). Open cases copy templates waiting on exactly one human task,
so the open-task count is exact; the rest copy completed ones.

Rows go in by COPY on PostgreSQL and by batched ``executemany`` on SQLite, with explicit
ids; sequences are reset afterwards.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

PROVINCE = {"agencies": 2000, "staff": 200_000, "cases": 1_000_000, "open_tasks": 100_000}
CITIES = 16
ROLES = ("hr_officer", "approver", "legal_reviewer", "trainer")
BATCH = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力兰志斌宇浩凯健俊帆鑫鹏林晨"
STAFF_STATES = ("on_duty",) * 14 + ("applicant", "applicant", "hired", "suspended", "separated")
POSTS = ("城市管理执法辅助岗", "市场监管执法辅助岗", "交通运输执法辅助岗", "生态环境执法辅助岗")


@dataclass
class Template:
    """One demo case: its row, task rows and event rows as the database holds them."""

    case: dict[str, Any]
    tasks: list[dict[str, Any]]
    events: list[dict[str, Any]]
    open: bool
    subject_state: str | None = None
    shapes: list[EventShape] = field(default_factory=list)


@dataclass
class World:
    """What the copies are spread over: agencies, their users (by role) and staff."""

    agency_ids: list[int]
    users: dict[tuple[int, str], tuple[int, str]]  # (agency, role) -> (user id, name)
    staff_by_agency: dict[tuple[int, str | None], list[int]]  # (agency, state) and (agency, None)

    def subject(self, rng: random.Random, agency_id: int, state: str | None) -> int:
        """A staff member of the agency in the state the template's subject was in."""
        people = (
            self.staff_by_agency.get((agency_id, state)) or self.staff_by_agency[(agency_id, None)]
        )
        return people[rng.randrange(len(people))]


def counts(scale: float) -> dict[str, int]:
    return {key: max(round(value * scale), 2) for key, value in PROVINCE.items()}


# ------------------------------------------------------------------ database output


class Writer:
    """Bulk rows into tables: COPY on PostgreSQL, executemany on SQLite."""

    dropped_by_parent: list[tuple[str, str]] = []

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self._escaped: dict[int, tuple[str, bytes]] = {}
        self.dropped: list[tuple[str, str]] = []

    def when(self, value: datetime | None) -> Any:
        if value is None or self.postgres:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")

    def day(self, value: date | None) -> Any:
        return value if value is None or self.postgres else value.isoformat()

    def flag(self, value: bool) -> Any:
        return value if self.postgres else int(value)

    def rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                text = b"".join(row if isinstance(row, bytes) else self.line(row) for row in rows)
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    copy.write(text)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    def encode(self, value: Any) -> Any:
        """A value as COPY text on PostgreSQL; unchanged for SQLite's executemany."""
        return self._copy_text(value) if self.postgres else value

    def line(self, row: Sequence[Any]) -> bytes:
        """One row as a line of COPY's text format."""
        return b"\t".join([self._copy_text(v) for v in row]) + b"\n"

    def _copy_text(self, value: Any) -> bytes:
        """One value in COPY's text format; the long template texts are escaped once."""
        if isinstance(value, _Encoded):
            return value
        if value is None:
            return b"\\N"
        if isinstance(value, bool):
            return b"t" if value else b"f"
        if isinstance(value, int):
            return str(value).encode()
        if isinstance(value, str):
            if len(value) < 256:  # hashes, keys, names: escaped each time, never cached
                return _escape(value)
            cached = self._escaped.get(id(value))
            if cached is None or cached[0] is not value:
                cached = (value, _escape(value))
                self._escaped[id(value)] = cached
            return cached[1]
        return _escape(value.isoformat())  # date, datetime

    def fast_load(self, tables: Sequence[str]) -> None:
        """Load without per-row FK triggers and secondary indexes, rebuilt in ``finish``
        (PostgreSQL only; tests/webapp/test_bench_generate.py checks the data is whole)."""
        if not self.postgres:
            return
        self.replica()
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [list(tables)],
            )
            self.dropped = cursor.fetchall()
            Writer.dropped_by_parent = self.dropped
            for name, _ in self.dropped:
                cursor.execute(f'DROP INDEX "{name}"')

    def replica(self) -> None:
        """This session skips FK triggers (PostgreSQL superuser; the throwaway cluster)."""
        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")

    def finish(self, models: Sequence[Any], *, analyze: bool = True) -> None:
        """Rebuild the dropped indexes, reset the id sequences, refresh the statistics."""
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            if self.postgres:
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute("SET maintenance_work_mem = '512MB'")
                for _, definition in self.dropped:
                    cursor.execute(definition)
                for model in models if analyze else ():
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')


class _Encoded(bytes):
    """A value already in COPY's text format."""


def _escape(text: str) -> bytes:
    if "\\" not in text and "\t" not in text and "\n" not in text and "\r" not in text:
        return text.encode()
    return (
        text.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .encode()
    )


def columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


# ----------------------------------------------------------------------- templates


def prepare() -> None:
    """Migrate, load the models and the calendar, and drive the demo cases (templates)."""
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_models", verbosity=0)
    call_command("seed_workdays", verbosity=0)
    call_command("seed_demo", verbosity=0)


def _raw(model: Any, queryset: Any) -> list[dict[str, Any]]:
    """Rows as column -> Python value (JSON columns as parsed objects)."""
    names = [f.attname for f in model._meta.concrete_fields]
    cols = columns(model)
    return [dict(zip(cols, values, strict=True)) for values in queryset.values_list(*names)]


def templates() -> list[Template]:
    """The demo's top-level cases: completed ones, and running ones waiting on one task."""
    from webapp.cases.models import Case

    found = []
    for case_id in (
        Case.objects.filter(parent__isnull=True).order_by("id").values_list("id", flat=True)
    ):
        template = template_of(case_id)
        if template.open and sum(t["state"] in ("open", "claimed") for t in template.tasks) != 1:
            continue  # e.g. waiting on a timer: the scheduler would pick copies up
        found.append(template)
    return found


def template_of(case_id: int) -> Template:
    from webapp.cases.models import Case, CaseEvent, HumanTask
    from webapp.staff.models import Staff

    [case] = _raw(Case, Case.objects.filter(pk=case_id))
    tasks = _raw(HumanTask, HumanTask.objects.filter(case_id=case_id).order_by("id"))
    events = _raw(CaseEvent, CaseEvent.objects.filter(case_id=case_id).order_by("seq"))
    template = Template(case, tasks, events, open=case["status"] == "running")
    if case["subject_id"]:
        template.subject_state = Staff.objects.get(pk=case["subject_id"]).state
    template.shapes = [_shape(event, columns(CaseEvent)) for event in events]
    return template


def users_by_role(agency_ids: list[int]) -> dict[tuple[int, str], tuple[int, str]]:
    """(agency, role) -> (user id, display name) for the given agencies."""
    from webapp.accounts.models import Membership

    found = {}
    rows = Membership.objects.filter(agency_id__in=agency_ids).values_list(
        "agency_id", "role", "user_id", "user__last_name", "user__first_name"
    )
    for agency_id, role, user_id, last, first in rows:
        found.setdefault((agency_id, role), (user_id, f"{last}{first}"))
    return found


def _dumps(value: Any) -> str:
    # Exactly history._canonical's encoding, one value at a time.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class EventShape:
    """A template event, ready to copy: its row and its canonical JSON around the gaps.

    history._canonical dumps the event with sorted keys; the copy changes only actor,
    actor_name, at, case, prev_hash and task, so the rest is encoded once here."""

    row: list[Any]
    after_actor_name: bytes  # ,"actor_role":..,"articles":..,"at":"
    after_at: bytes  # ","bpmn_id":..,"case":"
    after_case: bytes  # ","comment":..,"data_after":..,"data_before":..,"kind":..,"prev_hash":"
    after_prev: bytes  # ","seq":N,"task":
    tail: bytes  # ,"title":..}
    actor_id: int | None
    actor_name: str
    at: datetime
    task_id: int | None


def _shape(event: dict[str, Any], event_cols: list[str]) -> EventShape:
    row = dict(event)
    row["data_before"] = json.dumps(event["data_before"], ensure_ascii=False)
    row["data_after"] = json.dumps(event["data_after"], ensure_ascii=False)
    return EventShape(
        row=[row[c] for c in event_cols],
        after_actor_name=(
            f',"actor_role":{_dumps(event["actor_role"])},"articles":{_dumps(event["articles"])}'
            ',"at":"'
        ).encode(),
        after_at=f'","bpmn_id":{_dumps(event["bpmn_id"])},"case":"'.encode(),
        after_case=(
            f'","comment":{_dumps(event["comment"])},"data_after":{_dumps(event["data_after"])}'
            f',"data_before":{_dumps(event["data_before"])},"kind":{_dumps(event["kind"])}'
            ',"prev_hash":"'
        ).encode(),
        after_prev=f'","seq":{event["seq"]},"task":'.encode(),
        tail=f',"title":{_dumps(event["title"])}}}'.encode(),
        actor_id=event["actor_id"],
        actor_name=event["actor_name"],
        at=event["at"],
        task_id=event["task_id"],
    )


def event_hash(
    key: bytes,
    shape: EventShape,
    actor: int | None,
    actor_name: str,
    at: str,
    case: str,
    prev: str,
    task: int | None,
) -> str:
    """history.event_hash of a copied event (tests/webapp/test_bench_generate.py checks):
    the HMAC under the current history key (the copy names that key)."""
    digest = hmac.new(key, b'{"actor":', hashlib.sha256)
    digest.update(
        f'{"null" if actor is None else actor},"actor_name":{_dumps(actor_name)}'.encode()
    )
    digest.update(shape.after_actor_name)
    digest.update(at.encode())
    digest.update(shape.after_at)
    digest.update(case.encode())
    digest.update(shape.after_case)
    digest.update(prev.encode())
    digest.update(shape.after_prev)
    digest.update(b"null" if task is None else str(task).encode())
    digest.update(shape.tail)
    return digest.hexdigest()


# --------------------------------------------------------------- agencies and people


def _id_number(seq: int) -> str:
    """A well-formed resident ID (GB 11643 check digit), unique per ``seq``."""
    birth = date(1970, 1, 1) + timedelta(days=seq // 900)
    body = f"340100{birth:%Y%m%d}{seq % 900 + 100:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(top=Max("id"))["top"] or 0) + 1


def build_world(out: Writer, rng: random.Random, sizes: dict[str, int], now: datetime) -> World:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from webapp.accounts.models import Agency, Membership
    from webapp.staff.models import Staff

    user_model = get_user_model()
    first_agency = _next_id(Agency)
    root = first_agency
    agency_rows = [(root, "BENCH", "安徽省（基准测试）", "", "government", None, 0, "340000")]
    agency_ids = []
    for n in range(sizes["agencies"]):
        agency_id = first_agency + 1 + CITIES + n
        city = first_agency + 1 + n % CITIES
        if n < CITIES:
            agency_rows.append(
                (
                    city,
                    f"BENCH-C{n:02d}",
                    f"第{n + 1}市人民政府",
                    "",
                    "government",
                    root,
                    0,
                    f"34{n + 1:02d}00",
                )
            )
        agency_rows.append(
            (
                agency_id,
                f"BENCH-{n:05d}",
                f"第{n % CITIES + 1}市执法局{n:05d}",
                "",
                "admin_organ",
                city,
                200,
                f"34{n % CITIES + 1:02d}01",
            )
        )
        agency_ids.append(agency_id)
    agency_rows.sort(key=lambda row: row[0])
    out.rows(
        Agency._meta.db_table,
        [
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "parent_id",
            "quota",
            "area_code",
            "oversight_role",
        ],
        [(*row, "") for row in agency_rows],
    )

    password = make_password("fuzhi-bench-2026")
    user_id = _next_id(user_model)
    membership_id = _next_id(Membership)
    users: dict[tuple[int, str], tuple[int, str]] = {}
    user_rows, membership_rows = [], []
    for n, agency_id in enumerate(agency_ids):
        for role in ROLES:
            last, first = _name(rng)[:1], _name(rng)[1:]
            user_rows.append(
                (
                    user_id,
                    password,
                    None,
                    out.flag(False),
                    f"b{n:05d}_{role}",
                    first,
                    last,
                    "",
                    out.flag(False),
                    out.flag(True),
                    out.when(now),
                )
            )
            membership_rows.append((membership_id, user_id, agency_id, role))
            users[(agency_id, role)] = (user_id, last + first)
            user_id += 1
            membership_id += 1
    out.rows(
        user_model._meta.db_table,
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        user_rows,
    )
    out.rows(Membership._meta.db_table, ["id", "user_id", "agency_id", "role"], membership_rows)

    staff_id = _next_id(Staff)
    staff_by_agency: dict[tuple[int, str | None], list[int]] = {}
    staff_cols = columns(Staff)
    rows = []
    for n in range(sizes["staff"]):
        agency_id = agency_ids[n % len(agency_ids)]
        number = _id_number(n)
        start = date(2020, 1, 1) + timedelta(days=rng.randrange(2000))
        values = {
            "id": staff_id,
            "name": _name(rng),
            "id_number": number,
            "gender": "male" if int(number[16]) % 2 else "female",
            "birth_date": out.day(date(int(number[6:10]), int(number[10:12]), int(number[12:14]))),
            "education": rng.choice(("college", "bachelor", "bachelor", "master")),
            "veteran": out.flag(rng.random() < 0.1),
            "bravery": out.flag(False),
            "phone": f"139{rng.randrange(10**8):08d}",
            "address": "安徽省",
            "agency_id": agency_id,
            "post": rng.choice(POSTS),
            "employment_mode": "unit",
            "dispatch_company": "",
            "contract_start": out.day(start),
            "contract_end": out.day(start + timedelta(days=3 * 365)),
            "social_insurance": out.flag(True),
            "housing_fund": out.flag(True),
            "grade": "",
            "state": rng.choice(STAFF_STATES),
            "created_at": out.when(now),
            "updated_at": out.when(now),
        }
        rows.append(tuple(values.get(c) for c in staff_cols))
        staff_by_agency.setdefault((agency_id, None), []).append(staff_id)
        staff_by_agency.setdefault((agency_id, values["state"]), []).append(staff_id)
        staff_id += 1
        if len(rows) >= BATCH * 4:
            out.rows(Staff._meta.db_table, staff_cols, rows)
            rows = []
    out.rows(Staff._meta.db_table, staff_cols, rows)
    return World(agency_ids, users, staff_by_agency)


# -------------------------------------------------------------------------- cases


def template_user_roles() -> dict[int, str]:
    from webapp.accounts.models import Membership

    roles: dict[int, str] = {}
    for user_id, role in Membership.objects.order_by("id").values_list("user_id", "role"):
        roles.setdefault(user_id, role)
    return roles


class CaseCopier:
    """Copies one template into a new case: case row, task rows, event rows with hashes."""

    def __init__(self, out: Writer, world: World, template_roles: dict[int, str]) -> None:
        from webapp.cases.keyring import keyring
        from webapp.cases.models import Case, CaseEvent, HumanTask

        ring = keyring()
        self.key_id, self.key = ring.current_id, ring.keys[ring.current_id]
        self.out = out
        self.world = world
        self.template_roles = template_roles
        self.case_cols, self.task_cols, self.event_cols = (
            columns(Case),
            columns(HumanTask),
            columns(CaseEvent),
        )
        self.tables = (Case._meta.db_table, HumanTask._meta.db_table, CaseEvent._meta.db_table)
        self.next_case, self.next_task, self.next_event = (
            _next_id(Case),
            _next_id(HumanTask),
            _next_id(CaseEvent),
        )
        self.event_col = {name: n for n, name in enumerate(self.event_cols)}
        self.state_text: dict[int, tuple[str, str]] = {}
        self.people: dict[tuple[int, int], tuple[int | None, str]] = {}
        self.encoded: dict[int, list[Any]] = {}
        self.batch: tuple[list[Any], list[Any], list[Any]] = ([], [], [])

    def _person(self, agency_id: int, template_user: int | None) -> tuple[int | None, str]:
        """The agency's user holding the role the template's user held."""
        if template_user is None:
            return None, ""
        found = self.people.get((agency_id, template_user))
        if found is None:
            role = self.template_roles.get(template_user)
            found = self.world.users.get((agency_id, role or ""), (None, ""))
            self.people[(agency_id, template_user)] = found
        return found

    def copy(self, template: Template, agency_id: int, subject: int | None, shift: timedelta):
        tc = template.case
        case_id = self.next_case
        self.next_case += 1
        prefix = tc["business_key"].split("-")[0]
        key = f"{prefix}-{(tc['started_at'] + shift).year}-{case_id:07d}"
        if tc["id"] not in self.state_text:
            self.state_text[tc["id"]] = (json.dumps(tc["state"]), json.dumps(tc["data"]))
        state, data = self.state_text[tc["id"]]
        task_ids = {}
        for task in template.tasks:
            task_ids[task["id"]] = self.next_task
            self.next_task += 1
            self.batch[1].append(self._task(task, task_ids[task["id"]], case_id, agency_id, shift))
        prev = "0" * 64
        col = self.event_col
        for shape in template.shapes:
            actor, actor_name = self._person(agency_id, shape.actor_id)
            actor_name = actor_name or shape.actor_name
            at = (shape.at + shift).isoformat(timespec="microseconds")
            task = task_ids.get(shape.task_id)
            digest = event_hash(self.key, shape, actor, actor_name, at, key, prev, task)
            row = self._encoded(shape)
            varying = {
                "id": self.next_event,
                "case_id": case_id,
                "actor_id": actor,
                "actor_name": actor_name,
                "at": at if self.out.postgres else self.out.when(shape.at + shift),
                "task_id": task,
                "prev_hash": prev,
                "hash": digest,
                "key_id": self.key_id,
            }
            for name, value in varying.items():
                row[col[name]] = self.out.encode(value)
            self.next_event += 1
            self.batch[2].append(b"\t".join(row) + b"\n" if self.out.postgres else row)
            prev = digest
        started_by, _ = self._person(agency_id, tc["started_by_id"])
        values = {
            **tc,
            "id": case_id,
            "business_key": key,
            "agency_id": agency_id,
            "subject_id": subject if tc["subject_id"] else None,
            "parent_id": None,
            "state": state,
            "data": data,
            "started_by_id": started_by,
            "wake_at": self.out.when(tc["wake_at"] and tc["wake_at"] + shift),
            "started_at": self.out.when(tc["started_at"] + shift),
            "finished_at": self.out.when(tc["finished_at"] and tc["finished_at"] + shift),
            "event_count": len(template.events),
            "head_hash": prev,
        }
        self.batch[0].append(tuple(values[c] for c in self.case_cols))
        if len(self.batch[0]) >= BATCH:
            self.flush()

    def _task(
        self, task: dict[str, Any], task_id: int, case_id: int, agency_id: int, shift: timedelta
    ) -> tuple[Any, ...]:
        def moved(name: str) -> Any:
            return self.out.when(task[name] and task[name] + shift)

        values = {
            **task,
            "id": task_id,
            "case_id": case_id,
            "agency_id": agency_id,
            "assignee_id": self._person(agency_id, task["assignee_id"])[0],
            "completed_by_id": self._person(agency_id, task["completed_by_id"])[0],
            "delegated_from_id": None,
            "due_at": moved("due_at"),
            "created_at": moved("created_at"),
            "claimed_at": moved("claimed_at"),
            "completed_at": moved("completed_at"),
            "reminded_at": moved("reminded_at"),
            "escalated_at": moved("escalated_at"),
        }
        return tuple(values[c] for c in self.task_cols)

    def _encoded(self, shape: EventShape) -> list[Any]:
        """The template event's row, its constant values already in COPY text (PostgreSQL)
        so each copy encodes only what changes."""
        if not self.out.postgres:
            return shape.row.copy()
        found = self.encoded.get(id(shape))
        if found is None:
            found = self.encoded[id(shape)] = [_Encoded(self.out._copy_text(v)) for v in shape.row]
        return list(found)

    def flush(self) -> None:
        from django.db import transaction

        with transaction.atomic():
            self.out.rows(self.tables[0], self.case_cols, self.batch[0])
            self.out.rows(self.tables[1], self.task_cols, self.batch[1])
            self.out.rows(self.tables[2], self.event_cols, self.batch[2])
        self.batch = ([], [], [])


def plan(
    rng: random.Random, sizes: dict[str, int], found: list[Template], now: datetime
) -> Iterator[tuple[Template, int, timedelta]]:
    """(template, agency index, time shift) for every case: open ones first."""
    open_templates = [t for t in found if t.open]
    done_templates = [t for t in found if not t.open]
    for n in range(sizes["cases"]):
        is_open = n < sizes["open_tasks"]
        template = rng.choice(open_templates if is_open else done_templates)
        # Open cases started in the last 20 days (some tasks overdue); the rest over 5 years.
        back = timedelta(days=rng.uniform(0, 20 if is_open else 5 * 365))
        shift = (now - back) - template.case["started_at"]
        yield template, rng.randrange(sizes["agencies"]), shift


Planned = tuple[Template, int, int | None, timedelta]  # template, agency, subject, shift


def generate(
    scale: float, seed: int = 2026, log: Callable[[str], None] = print, jobs: int = 1
) -> dict[str, Any]:
    """Build the database; ``jobs`` processes copy the cases (same rows for any ``jobs``)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from webapp.accounts.models import Agency, Membership
    from webapp.cases.models import Case, CaseEvent, HumanTask
    from webapp.staff.models import Staff

    began = time.monotonic()
    rng = random.Random(seed)
    sizes = counts(scale)
    prepare()
    found = templates()
    log(
        f"templates: {sum(t.open for t in found)} open, {sum(not t.open for t in found)} "
        f"completed, from the demo ({time.monotonic() - began:.0f} s)"
    )
    now = datetime.now(UTC).replace(microsecond=0)
    out = Writer()
    out.fast_load([m._meta.db_table for m in (Case, HumanTask, CaseEvent, Staff)])
    world = build_world(out, rng, sizes, now)
    log(f"agencies, users, staff: {time.monotonic() - began:.0f} s")
    planned: list[Planned] = []
    for template, agency_no, shift in plan(rng, sizes, found, now):
        agency_id = world.agency_ids[agency_no]
        planned.append(
            (template, agency_id, world.subject(rng, agency_id, template.subject_state), shift)
        )
    copier = CaseCopier(out, world, template_user_roles())
    chunks = _chunks(planned, max(jobs, 1), (copier.next_case, copier.next_task, copier.next_event))
    if len(chunks) == 1 or not out.postgres:
        for chunk in chunks:
            _copy_chunk(world, *chunk)
    else:
        connection.close()  # each process opens its own
        context = multiprocessing.get_context("fork")
        workers = [context.Process(target=_copy_chunk, args=(world, *chunk)) for chunk in chunks]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if any(worker.exitcode for worker in workers):
            raise RuntimeError("a generator process failed")
        out = Writer()
        out.dropped = Writer.dropped_by_parent
    log(f"cases copied: {time.monotonic() - began:.0f} s")
    out.finish([Agency, get_user_model(), Membership, Staff, Case, HumanTask, CaseEvent])
    seconds = time.monotonic() - began
    log(f"generated {sizes} in {seconds:.0f} s")
    return {
        "sizes": sizes,
        "seconds": seconds,
        "bench_user": "b00000_approver",
        "templates": len(found),
    }


def _chunks(
    planned: list[Planned], jobs: int, first: tuple[int, int, int]
) -> list[tuple[list[Planned], tuple[int, int, int]]]:
    """Split the plan into ``jobs`` runs, each with the ids it starts from."""
    size = -(-len(planned) // jobs)
    chunks = []
    case_id, task_id, event_id = first
    for start in range(0, len(planned), size):
        part = planned[start : start + size]
        chunks.append((part, (case_id, task_id, event_id)))
        case_id += len(part)
        task_id += sum(len(t.tasks) for t, *_ in part)
        event_id += sum(len(t.events) for t, *_ in part)
    return chunks


def _copy_chunk(world: World, part: list[Planned], ids: tuple[int, int, int]) -> None:
    out = Writer()
    out.replica()
    copier = CaseCopier(out, world, template_user_roles())
    copier.next_case, copier.next_task, copier.next_event = ids
    for template, agency_id, subject, shift in part:
        copier.copy(template, agency_id, subject, shift)
    copier.flush()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01, help="1 = province scale")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--jobs", type=int, default=1, help="processes copying cases (PostgreSQL)")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.config.settings")
    import django

    django.setup()
    generate(args.scale, args.seed, jobs=args.jobs)


if __name__ == "__main__":
    main(sys.argv[1:])
