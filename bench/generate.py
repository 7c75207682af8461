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
import json
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
    # Per event: the canonical-JSON fragments that do not change between copies.
    fixed: list[dict[str, str]] = field(default_factory=list)


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

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def when(self, value: datetime | None) -> Any:
        if value is None or self.postgres:
            return value
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")

    def day(self, value: date | None) -> Any:
        return value if value is None or self.postgres else value.isoformat()

    def flag(self, value: bool) -> Any:
        return value if self.postgres else int(value)

    def rows(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in columns)
        with self.connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)

    def fast_load(self) -> None:
        """Skip per-row FK triggers while loading (PostgreSQL superuser only; the
        generator's own consistency is checked by tests/webapp/test_bench_generate.py)."""
        if self.postgres:
            with self.connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")

    def reset_sequences(self, models: Sequence[Any]) -> None:
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
            if self.postgres:
                cursor.execute("SET session_replication_role = DEFAULT")
                for model in models:
                    cursor.execute(f'ANALYZE "{model._meta.db_table}"')


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
    from webapp.cases.models import Case, CaseEvent, HumanTask
    from webapp.staff.models import Staff

    found = []
    for case in _raw(Case, Case.objects.filter(parent__isnull=True).order_by("id")):
        tasks = _raw(HumanTask, HumanTask.objects.filter(case_id=case["id"]).order_by("id"))
        events = _raw(CaseEvent, CaseEvent.objects.filter(case_id=case["id"]).order_by("seq"))
        open_tasks = [t for t in tasks if t["state"] in ("open", "claimed")]
        if case["status"] == "running" and len(open_tasks) != 1:
            continue  # e.g. waiting on a timer: the scheduler would pick copies up
        template = Template(case, tasks, events, open=case["status"] == "running")
        if case["subject_id"]:
            template.subject_state = Staff.objects.get(pk=case["subject_id"]).state
        template.fixed = [_fixed_fragments(event) for event in events]
        found.append(template)
    return found


def _dumps(value: Any) -> str:
    # Exactly history._canonical's encoding, one value at a time.
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _fixed_fragments(event: dict[str, Any]) -> dict[str, str]:
    keys = ("actor_role", "articles", "bpmn_id", "comment", "data_after", "data_before")
    fixed = {key: _dumps(event[key]) for key in (*keys, "kind", "title")}
    fixed["data_after_text"] = json.dumps(event["data_after"], ensure_ascii=False)
    fixed["data_before_text"] = json.dumps(event["data_before"], ensure_ascii=False)
    return fixed


def event_hash(fixed: dict[str, str], varying: dict[str, Any]) -> str:
    """history.event_hash for a copied event, built from precomputed fragments."""
    text = (
        f'{{"actor":{_dumps(varying["actor"])},"actor_name":{_dumps(varying["actor_name"])},'
        f'"actor_role":{fixed["actor_role"]},"articles":{fixed["articles"]},'
        f'"at":{_dumps(varying["at"])},"bpmn_id":{fixed["bpmn_id"]},'
        f'"case":{_dumps(varying["case"])},"comment":{fixed["comment"]},'
        f'"data_after":{fixed["data_after"]},"data_before":{fixed["data_before"]},'
        f'"kind":{fixed["kind"]},"prev_hash":{_dumps(varying["prev_hash"])},'
        f'"seq":{varying["seq"]},"task":{_dumps(varying["task"])},"title":{fixed["title"]}}}'
    )
    return hashlib.sha256(text.encode()).hexdigest()


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
        ["id", "code", "name", "name_en", "kind", "parent_id", "quota", "area_code"],
        agency_rows,
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


def _role_of_template_users() -> dict[int, str]:
    from webapp.accounts.models import Membership

    roles: dict[int, str] = {}
    for user_id, role in Membership.objects.order_by("id").values_list("user_id", "role"):
        roles.setdefault(user_id, role)
    return roles


class CaseCopier:
    """Copies one template into a new case: case row, task rows, event rows with hashes."""

    def __init__(self, out: Writer, world: World, template_roles: dict[int, str]) -> None:
        from webapp.cases.models import Case, CaseEvent, HumanTask

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
        self.state_text: dict[int, tuple[str, str]] = {}
        self.batch: tuple[list[Any], list[Any], list[Any]] = ([], [], [])

    def _person(self, agency_id: int, template_user: int | None) -> tuple[int | None, str]:
        role = self.template_roles.get(template_user) if template_user else None
        if role is None or (agency_id, role) not in self.world.users:
            return None, ""
        return self.world.users[(agency_id, role)]

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
        for event, fixed in zip(template.events, template.fixed, strict=True):
            actor, actor_name = self._person(agency_id, event["actor_id"])
            at = event["at"] + shift
            varying = {
                "actor": actor,
                "actor_name": actor_name or event["actor_name"],
                "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
                "case": key,
                "prev_hash": prev,
                "seq": event["seq"],
                "task": task_ids.get(event["task_id"]),
            }
            digest = event_hash(fixed, varying)
            values = {
                **event,
                "id": self.next_event,
                "case_id": case_id,
                "actor_id": actor,
                "actor_name": varying["actor_name"],
                "at": self.out.when(at),
                "task_id": varying["task"],
                "data_before": fixed["data_before_text"],
                "data_after": fixed["data_after_text"],
                "prev_hash": prev,
                "hash": digest,
            }
            self.next_event += 1
            self.batch[2].append(tuple(values[c] for c in self.event_cols))
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


def generate(scale: float, seed: int = 2026, log: Callable[[str], None] = print) -> dict[str, Any]:
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
    out.fast_load()
    from django.contrib.auth import get_user_model

    world = build_world(out, rng, sizes, now)
    log(f"agencies, users, staff: {time.monotonic() - began:.0f} s")
    copier = CaseCopier(out, world, _role_of_template_users())
    for n, (template, agency_no, shift) in enumerate(plan(rng, sizes, found, now)):
        agency_id = world.agency_ids[agency_no]
        subject = world.subject(rng, agency_id, template.subject_state)
        copier.copy(template, agency_id, subject, shift)
        if n and n % 100_000 == 0:
            log(f"{n} cases: {time.monotonic() - began:.0f} s")
    copier.flush()
    out.reset_sequences([Agency, get_user_model(), Membership, Staff, Case, HumanTask, CaseEvent])
    seconds = time.monotonic() - began
    log(f"generated {sizes} in {seconds:.0f} s")
    return {
        "sizes": sizes,
        "seconds": seconds,
        "bench_user": "b00000_approver",
        "templates": len(found),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01, help="1 = province scale")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.config.settings")
    import django

    django.setup()
    generate(args.scale, args.seed)


if __name__ == "__main__":
    main(sys.argv[1:])
