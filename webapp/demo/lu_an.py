"""Demo data for Lu'an city (六安市): agency tree, demo users, demo auxiliary staff.

Pure data, no Django: a seeding command or fixture turns it into database rows.

* ``AGENCIES``: the city government, its bureaus, and the seven districts/counties with a few
  agencies each, after Lu'an's real structure (names are the usual official ones; quotas are
  invented but realistic). Agency ``code``s are short, stable ASCII and go into certificate
  numbers ``LA-<agency code>-<year>-<serial>`` (Art. 19).
* ``DEMO_USERS``: one user per role in the main demo agency (市城市管理局, ``LA-CG``) and in a
  second one (金安区城市管理局, ``JA-CG``) to show tenancy (Art. 4), plus the city-wide roles.
* ``DEMO_STAFF``: fictional auxiliary staff. Their resident ID numbers are not stored here:
  ``demo_staff_id_number`` builds a valid one (GB 11643) from the area code of the agency,
  the birth date and a sequence number, so no real person's number is ever used.

Dict keys follow the model fields (``accounts.models.Agency``, ``staff.models.Staff``); a
seeder only has to resolve ``parent``/``agency`` codes to rows. All people are fictional.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from webapp.staff.idcard import FEMALE, MALE, check_digit

CITY_CODE = "LA"

# Agency types: the four kinds of enforcement agency of Art. 3, plus police (Art. 2: outside
# this system, may not employ auxiliary staff under it) and governments that only group agencies.
AGENCY_TYPES: dict[str, tuple[str, str]] = {
    "admin_organ": ("行政机关", "Administrative enforcement organ"),
    "authorized_org": ("法律法规授权的组织", "Organisation authorised by law or regulation"),
    "consolidated": ("综合行政执法部门", "Consolidated administrative enforcement department"),
    "entrusted_org": ("受委托组织", "Organisation entrusted with enforcement"),
    "police": ("公安机关", "Public security organ"),
    "government": ("人民政府", "People's government"),
}
# Art. 3: the agency types that may employ auxiliary staff.
EMPLOYING_TYPES: frozenset[str] = frozenset(
    {"admin_organ", "authorized_org", "consolidated", "entrusted_org"}
)

# GB/T 2260 administrative-division codes of the areas, keyed by government node code.
# Demo ID numbers of staff start with the code of the area their agency serves.
AREA_CODES: dict[str, str] = {
    "LA": "341500",  # 六安市
    "JA": "341502",  # 金安区
    "YA": "341503",  # 裕安区
    "YJ": "341504",  # 叶集区
    "HQ": "341522",  # 霍邱县
    "SC": "341523",  # 舒城县
    "JZ": "341524",  # 金寨县
    "HS": "341525",  # 霍山县
}


class Agency(TypedDict):
    code: str
    name: str  # Chinese name
    name_en: str
    kind: str  # a key of AGENCY_TYPES (= accounts.models.AgencyKind)
    parent: str | None  # code of the parent node; None for the city root
    quota: int  # approved auxiliary-staff headcount (Art. 9); 0 = fields none
    alias_zh: str  # the other name of a 一个机构两块牌子 body, else ""
    area_code: str  # 6-digit division code of the area served (from AREA_CODES)


# (code, 中文名称, English name, kind, parent, quota, 另一块牌子)
_AGENCY_ROWS: tuple[tuple[str, str, str, str, str | None, int, str], ...] = (
    # --- City 市本级 ----------------------------------------------------------------------
    ("LA", "六安市人民政府", "Lu'an Municipal People's Government", "government", None, 0, ""),
    (
        "LA-CG",
        "六安市城市管理局",
        "Lu'an Urban Management Bureau",
        "consolidated",
        "LA",
        120,
        "六安市城市管理行政执法局",
    ),
    (
        "LA-SJ",
        "六安市市场监督管理局",
        "Lu'an Administration for Market Regulation",
        "admin_organ",
        "LA",
        80,
        "",
    ),
    (
        "LA-HB",
        "六安市生态环境局",
        "Lu'an Ecology and Environment Bureau",
        "admin_organ",
        "LA",
        40,
        "",
    ),
    ("LA-JT", "六安市交通运输局", "Lu'an Transport Bureau", "admin_organ", "LA", 20, ""),
    (
        "LA-JTZD",
        "六安市交通运输综合行政执法支队",
        "Lu'an Transport Comprehensive Administrative Enforcement Detachment",
        "consolidated",
        "LA-JT",
        60,
        "",
    ),
    (
        "LA-ZR",
        "六安市自然资源和规划局",
        "Lu'an Natural Resources and Planning Bureau",
        "admin_organ",
        "LA",
        40,
        "",
    ),
    (
        "LA-NY",
        "六安市农业农村局",
        "Lu'an Agriculture and Rural Affairs Bureau",
        "admin_organ",
        "LA",
        30,
        "",
    ),
    (
        "LA-WL",
        "六安市文化和旅游局",
        "Lu'an Culture and Tourism Bureau",
        "admin_organ",
        "LA",
        25,
        "",
    ),
    (
        "LA-YJGL",
        "六安市应急管理局",
        "Lu'an Emergency Management Bureau",
        "admin_organ",
        "LA",
        30,
        "",
    ),
    ("LA-WJ", "六安市卫生健康委员会", "Lu'an Health Commission", "admin_organ", "LA", 20, ""),
    (
        "LA-WJZD",
        "六安市卫生健康综合监督执法支队",
        "Lu'an Health Supervision and Enforcement Detachment",
        "entrusted_org",  # enforces in the Health Commission's name, by entrustment
        "LA-WJ",
        30,
        "",
    ),
    (
        "LA-GJJ",
        "六安市住房公积金管理中心",
        "Lu'an Housing Provident Fund Management Centre",
        "authorized_org",  # enforcement powers granted by the Housing Provident Fund Regulations
        "LA",
        20,
        "",
    ),
    (
        "LA-RS",
        "六安市人力资源和社会保障局",
        "Lu'an Human Resources and Social Security Bureau",
        "admin_organ",
        "LA",
        0,
        "",
    ),
    # The Justice Bureau supervises (Art. 6, 26, 27) and keeps a few staff for its own
    # enforcement in legal-service supervision.
    ("LA-SF", "六安市司法局", "Lu'an Justice Bureau", "admin_organ", "LA", 5, ""),
    (
        "LA-BB",
        "中共六安市委机构编制委员会办公室",
        "Staffing Office of the CPC Lu'an Municipal Committee",
        "admin_organ",
        "LA",
        0,
        "六安市委编办",
    ),
    # Art. 2: police auxiliary staff are outside these Measures.
    ("LA-GA", "六安市公安局", "Lu'an Public Security Bureau", "police", "LA", 0, ""),
    # --- 金安区 ---------------------------------------------------------------------------
    ("JA", "金安区人民政府", "Jin'an District People's Government", "government", "LA", 0, ""),
    (
        "JA-CG",
        "金安区城市管理局",
        "Jin'an District Urban Management Bureau",
        "consolidated",
        "JA",
        60,
        "金安区城市管理行政执法局",
    ),
    (
        "JA-SJ",
        "金安区市场监督管理局",
        "Jin'an District Administration for Market Regulation",
        "admin_organ",
        "JA",
        40,
        "",
    ),
    # --- 裕安区 ---------------------------------------------------------------------------
    ("YA", "裕安区人民政府", "Yu'an District People's Government", "government", "LA", 0, ""),
    (
        "YA-CG",
        "裕安区城市管理局",
        "Yu'an District Urban Management Bureau",
        "consolidated",
        "YA",
        60,
        "裕安区城市管理行政执法局",
    ),
    (
        "YA-SJ",
        "裕安区市场监督管理局",
        "Yu'an District Administration for Market Regulation",
        "admin_organ",
        "YA",
        40,
        "",
    ),
    # --- 叶集区 ---------------------------------------------------------------------------
    ("YJ", "叶集区人民政府", "Yeji District People's Government", "government", "LA", 0, ""),
    (
        "YJ-ZF",
        "叶集区综合行政执法局",
        "Yeji District Comprehensive Administrative Enforcement Bureau",
        "consolidated",
        "YJ",
        30,
        "",
    ),
    (
        "YJ-SJ",
        "叶集区市场监督管理局",
        "Yeji District Administration for Market Regulation",
        "admin_organ",
        "YJ",
        20,
        "",
    ),
    # --- 霍邱县 ---------------------------------------------------------------------------
    ("HQ", "霍邱县人民政府", "Huoqiu County People's Government", "government", "LA", 0, ""),
    (
        "HQ-CG",
        "霍邱县城市管理局",
        "Huoqiu County Urban Management Bureau",
        "consolidated",
        "HQ",
        50,
        "",
    ),
    (
        "HQ-SJ",
        "霍邱县市场监督管理局",
        "Huoqiu County Administration for Market Regulation",
        "admin_organ",
        "HQ",
        40,
        "",
    ),
    ("HQ-JT", "霍邱县交通运输局", "Huoqiu County Transport Bureau", "admin_organ", "HQ", 25, ""),
    # --- 舒城县 ---------------------------------------------------------------------------
    ("SC", "舒城县人民政府", "Shucheng County People's Government", "government", "LA", 0, ""),
    (
        "SC-CG",
        "舒城县城市管理局",
        "Shucheng County Urban Management Bureau",
        "consolidated",
        "SC",
        50,
        "",
    ),
    (
        "SC-SJ",
        "舒城县市场监督管理局",
        "Shucheng County Administration for Market Regulation",
        "admin_organ",
        "SC",
        35,
        "",
    ),
    ("SC-JT", "舒城县交通运输局", "Shucheng County Transport Bureau", "admin_organ", "SC", 20, ""),
    # --- 金寨县 ---------------------------------------------------------------------------
    ("JZ", "金寨县人民政府", "Jinzhai County People's Government", "government", "LA", 0, ""),
    (
        "JZ-CG",
        "金寨县城市管理局",
        "Jinzhai County Urban Management Bureau",
        "consolidated",
        "JZ",
        40,
        "",
    ),
    (
        "JZ-SJ",
        "金寨县市场监督管理局",
        "Jinzhai County Administration for Market Regulation",
        "admin_organ",
        "JZ",
        30,
        "",
    ),
    (
        "JZ-WL",
        "金寨县文化和旅游局",
        "Jinzhai County Culture and Tourism Bureau",
        "admin_organ",
        "JZ",
        20,
        "",
    ),
    # --- 霍山县 ---------------------------------------------------------------------------
    ("HS", "霍山县人民政府", "Huoshan County People's Government", "government", "LA", 0, ""),
    (
        "HS-CG",
        "霍山县城市管理局",
        "Huoshan County Urban Management Bureau",
        "consolidated",
        "HS",
        40,
        "",
    ),
    (
        "HS-SJ",
        "霍山县市场监督管理局",
        "Huoshan County Administration for Market Regulation",
        "admin_organ",
        "HS",
        30,
        "",
    ),
    (
        "HS-NY",
        "霍山县农业农村局",
        "Huoshan County Agriculture and Rural Affairs Bureau",
        "admin_organ",
        "HS",
        20,
        "",
    ),
)


def _area_code(code: str, parents: dict[str, str | None]) -> str:
    node: str | None = code
    while node is not None:
        if node in AREA_CODES:
            return AREA_CODES[node]
        node = parents[node]
    raise ValueError(f"agency {code} is not under any area")


def _build_agencies() -> list[Agency]:
    parents = {row[0]: row[4] for row in _AGENCY_ROWS}
    return [
        Agency(
            code=code,
            name=name_zh,
            name_en=name_en,
            kind=kind,
            parent=parent,
            quota=quota,
            alias_zh=alias_zh,
            area_code=_area_code(code, parents),
        )
        for code, name_zh, name_en, kind, parent, quota, alias_zh in _AGENCY_ROWS
    ]


# Parents come before their children, so the list can be loaded in order.
AGENCIES: list[Agency] = _build_agencies()
AGENCY_BY_CODE: dict[str, Agency] = {a["code"]: a for a in AGENCIES}

# Art. 5, 26: the departments that act for the city government on every agency under it
# (accounts.models.Agency.oversight_role; the routing rules send those roles' tasks here).
OVERSIGHT_BODIES: dict[str, str] = {
    "LA-BB": "staffing_office",
    "LA-RS": "hrss",
    "LA-SF": "justice_bureau",
}

MAIN_DEMO_AGENCY = "LA-CG"  # 六安市城市管理局
SECOND_DEMO_AGENCY = "JA-CG"  # 金安区城市管理局


def subtree_codes(code: str) -> list[str]:
    """``code`` and every agency below it, in list order (for read grants)."""
    found = {code}
    for agency in AGENCIES:  # parents precede children
        if agency["parent"] in found:
            found.add(agency["code"])
    return [a["code"] for a in AGENCIES if a["code"] in found]


# --- Demo users -------------------------------------------------------------------------------

ROLES: dict[str, tuple[str, str]] = {
    "hr_officer": ("人事专员", "HR officer"),
    "approver": ("审批领导", "Approver"),
    "legal_reviewer": ("法制审核", "Legal reviewer"),
    "trainer": ("培训考官", "Trainer"),
    "staffing_office": ("编办", "Staffing office"),
    "hrss": ("人社局", "HR & social security"),
    "justice_bureau": ("司法局", "Justice bureau"),
    "auditor": ("审计", "Auditor"),
    "designer": ("流程设计", "Process designer"),
}


class DemoUser(TypedDict):
    username: str
    name: str  # Chinese display name
    role: str  # a key of ROLES (= accounts.roles.Role)
    agency: str  # code of the agency the user belongs to
    grants: list[str]  # read access to these agencies and everything below them


DEMO_USERS: list[DemoUser] = [
    # 六安市城市管理局: the main demo agency.
    {
        "username": "hr_cg",
        "name": "刘晓梅",
        "role": "hr_officer",
        "agency": "LA-CG",
        "grants": [],
    },
    {
        "username": "approver_cg",
        "name": "陈志远",
        "role": "approver",
        "agency": "LA-CG",
        "grants": [],
    },
    {
        "username": "legal_cg",
        "name": "周文静",
        "role": "legal_reviewer",
        "agency": "LA-CG",
        "grants": [],
    },
    {
        "username": "trainer_cg",
        "name": "吴海涛",
        "role": "trainer",
        "agency": "LA-CG",
        "grants": [],
    },
    # 金安区城市管理局: a second agency, to show that agencies do not see each other (Art. 4).
    {
        "username": "hr_ja",
        "name": "孙丽娜",
        "role": "hr_officer",
        "agency": "JA-CG",
        "grants": [],
    },
    {
        "username": "approver_ja",
        "name": "黄国强",
        "role": "approver",
        "agency": "JA-CG",
        "grants": [],
    },
    {
        "username": "legal_ja",
        "name": "何静",
        "role": "legal_reviewer",
        "agency": "JA-CG",
        "grants": [],
    },
    {
        "username": "trainer_ja",
        "name": "马春燕",
        "role": "trainer",
        "agency": "JA-CG",
        "grants": [],
    },
    # City-wide bodies (Art. 5, 26, 27); bureaus read across the agencies they are granted.
    {
        "username": "staffing_la",
        "name": "郑宏伟",
        "role": "staffing_office",
        "agency": "LA-BB",
        "grants": ["LA"],
    },
    {"username": "hrss_la", "name": "林雪", "role": "hrss", "agency": "LA-RS", "grants": ["LA"]},
    {
        "username": "justice_la",
        "name": "张立新",
        "role": "justice_bureau",
        "agency": "LA-SF",
        "grants": ["LA"],
    },
    {"username": "auditor", "name": "谢磊", "role": "auditor", "agency": "LA", "grants": ["LA"]},
    # The designer edits models and sees no case data.
    {"username": "designer", "name": "徐明", "role": "designer", "agency": "LA", "grants": []},
]


# --- Demo auxiliary staff ---------------------------------------------------------------------

EDUCATION_LEVELS: dict[str, tuple[str, str]] = {
    "below_college": ("大专以下", "Below junior college"),
    "college": ("大专", "Junior college"),
    "bachelor": ("本科", "Bachelor's degree"),
    "master": ("硕士研究生", "Master's degree"),
    "doctor": ("博士研究生", "Doctorate"),
}

EMPLOYMENT_MODES: dict[str, tuple[str, str]] = {  # Art. 9
    "unit": ("单位聘用", "Unit employment"),
    "dispatch": ("劳务派遣", "Labour dispatch"),
}


class DemoStaff(TypedDict):
    seq: int  # sequence for the demo ID number; never change it once published
    name: str
    gender: str  # 'male' / 'female'
    education: str  # a key of EDUCATION_LEVELS (= staff.models.Education)
    birth_date: date
    veteran: bool  # 退役军人, Art. 10 preference
    bravery: bool  # 见义勇为人员, Art. 10 preference
    post: str
    agency: str
    employment_mode: str  # a key of EMPLOYMENT_MODES (= staff.models.EmploymentMode)


def _staff(
    seq: int,
    name: str,
    gender: str,
    education: str,
    birth: str,
    post: str,
    agency: str,
    employment_mode: str,
    *,
    veteran: bool = False,
    bravery: bool = False,
) -> DemoStaff:
    return DemoStaff(
        seq=seq,
        name=name,
        gender=gender,
        education=education,
        birth_date=date.fromisoformat(birth),
        veteran=veteran,
        bravery=bravery,
        post=post,
        agency=agency,
        employment_mode=employment_mode,
    )


M, F = MALE, FEMALE
CG_PATROL = "城管协管员"
MARKET_PATROL = "市场巡查辅助员"
WINDOW = "窗口受理辅助员"

DEMO_STAFF: list[DemoStaff] = [
    # 六安市城市管理局
    _staff(1, "王磊", M, "bachelor", "1992-05-14", CG_PATROL, "LA-CG", "unit", veteran=True),
    _staff(2, "李娟", F, "college", "1995-08-22", WINDOW, "LA-CG", "dispatch"),
    _staff(
        3,
        "张伟",
        M,
        "college",
        "1988-11-03",
        CG_PATROL,
        "LA-CG",
        "dispatch",
        veteran=True,
        bravery=True,
    ),
    _staff(4, "赵敏", F, "bachelor", "1998-02-17", "数据录入辅助员", "LA-CG", "unit"),
    # Education below junior college: a post whose requirement was lowered (Art. 10).
    _staff(5, "钱宇航", M, "below_college", "1985-07-09", CG_PATROL, "LA-CG", "dispatch"),
    _staff(6, "孙悦", F, "bachelor", "2000-02-29", "法治宣传辅助员", "LA-CG", "unit"),  # leap day
    # 金安区城市管理局
    _staff(7, "周强", M, "college", "1990-12-01", CG_PATROL, "JA-CG", "dispatch", veteran=True),
    # Turns 18 on the demo day 2026-11-27 (Art. 10(3)).
    _staff(8, "吴婷婷", F, "college", "2008-11-27", WINDOW, "JA-CG", "dispatch"),
    _staff(9, "郑浩", M, "bachelor", "1996-04-30", CG_PATROL, "JA-CG", "unit"),
    _staff(10, "冯丽", F, "master", "1993-09-12", "数据分析辅助员", "JA-CG", "unit"),
    _staff(11, "陈刚", M, "college", "1982-03-25", CG_PATROL, "JA-CG", "dispatch", bravery=True),
    # 六安市市场监督管理局
    _staff(12, "褚佳怡", F, "bachelor", "1997-06-18", MARKET_PATROL, "LA-SJ", "unit"),
    _staff(
        13, "卫东", M, "college", "1987-10-05", MARKET_PATROL, "LA-SJ", "dispatch", veteran=True
    ),
    _staff(14, "蒋雪", F, "college", "1999-01-20", WINDOW, "LA-SJ", "dispatch"),
    # 裕安区城市管理局
    _staff(15, "沈军", M, "college", "1991-08-08", CG_PATROL, "YA-CG", "dispatch", veteran=True),
    _staff(16, "韩梅", F, "bachelor", "1994-03-03", WINDOW, "YA-CG", "unit"),
    # 霍邱县市场监督管理局
    _staff(17, "杨帆", M, "bachelor", "1995-12-12", MARKET_PATROL, "HQ-SJ", "unit"),
    _staff(18, "朱琳", F, "college", "2001-07-07", WINDOW, "HQ-SJ", "dispatch"),
    # 六安市交通运输综合行政执法支队
    _staff(
        19,
        "秦勇",
        M,
        "college",
        "1986-05-20",
        "交通执法辅助员",
        "LA-JTZD",
        "dispatch",
        veteran=True,
    ),
    _staff(20, "许静", F, "bachelor", "1993-10-10", WINDOW, "LA-JTZD", "unit"),
]


def demo_id_number(area_code: str, birth: date, seq: int, gender: str) -> str:
    """A GB 11643 number for a fictional person: area + birth date + order code + check.

    The 3-digit order code is ``2 * seq + 1`` for men (odd) and ``2 * seq + 2`` for women
    (even), so ``seq`` may run from 0 to 498.
    """
    if len(area_code) != 6 or not area_code.isascii() or not area_code.isdigit():
        raise ValueError("area_code must be 6 ASCII digits")
    if gender not in (MALE, FEMALE):
        raise ValueError(f"gender must be {MALE!r} or {FEMALE!r}")
    if not 0 <= seq <= 498:
        raise ValueError("seq must be between 0 and 498")
    order = 2 * seq + (1 if gender == MALE else 2)
    first17 = f"{area_code}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)


def demo_staff_id_number(person: DemoStaff) -> str:
    """The demo ID number of ``person``, from the area of their agency."""
    area = AGENCY_BY_CODE[person["agency"]]["area_code"]
    return demo_id_number(area, person["birth_date"], person["seq"], person["gender"])
