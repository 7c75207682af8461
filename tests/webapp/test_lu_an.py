"""Lu'an demo data: agency tree, demo users and demo auxiliary staff."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import pytest

from webapp.demo.lu_an import (
    AGENCIES,
    AGENCY_BY_CODE,
    AGENCY_TYPES,
    AREA_CODES,
    CITY_CODE,
    DEMO_STAFF,
    DEMO_USERS,
    EDUCATION_LEVELS,
    EMPLOYING_TYPES,
    EMPLOYMENT_MODES,
    MAIN_DEMO_AGENCY,
    ROLES,
    SECOND_DEMO_AGENCY,
    demo_id_number,
    demo_staff_id_number,
    subtree_codes,
)
from webapp.staff.idcard import FEMALE, MALE, parse_resident_id

DEMO_DAY = date(2026, 11, 27)
DISTRICTS = ("金安区", "裕安区", "叶集区", "霍邱县", "舒城县", "金寨县", "霍山县")
AGENCY_ROLES = ("hr_officer", "approver", "legal_reviewer", "trainer")


# --- agencies -------------------------------------------------------------------------------


def test_it_has_unique_short_ascii_codes() -> None:
    codes = [a["code"] for a in AGENCIES]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[A-Z]{2}(-[A-Z]{2,4})?", code), code


def test_it_has_a_parent_for_every_agency_listed_before_it() -> None:
    seen: set[str] = set()
    for agency in AGENCIES:
        if agency["code"] == CITY_CODE:
            assert agency["parent"] is None
        else:
            assert agency["parent"] in seen, agency["code"]
        seen.add(agency["code"])


def test_it_has_one_root_the_city_government() -> None:
    roots = [a for a in AGENCIES if a["parent"] is None]
    assert [r["code"] for r in roots] == [CITY_CODE]
    assert roots[0]["name"] == "六安市人民政府"
    assert roots[0]["kind"] == "government"
    assert subtree_codes(CITY_CODE) == [a["code"] for a in AGENCIES]


def test_it_has_the_seven_districts_and_counties_under_the_city() -> None:
    for name in DISTRICTS:
        governments = [a for a in AGENCIES if a["name"] == f"{name}人民政府"]
        assert len(governments) == 1, name
        gov = governments[0]
        assert gov["kind"] == "government"
        assert gov["parent"] == CITY_CODE
        children = [a for a in AGENCIES if a["parent"] == gov["code"]]
        assert 2 <= len(children) <= 3, name
        assert all(c["name"].startswith(name) for c in children)


def test_it_has_around_thirty_agencies_besides_governments() -> None:
    agencies = [a for a in AGENCIES if a["kind"] != "government"]
    assert 30 <= len(agencies) <= 35


def test_it_uses_known_types_and_covers_the_four_kinds_of_art_3() -> None:
    types = {a["kind"] for a in AGENCIES}
    assert types <= set(AGENCY_TYPES)
    assert types >= EMPLOYING_TYPES
    assert {"police", "government"} <= types


def test_it_names_the_city_bureaus() -> None:
    names = {a["name"] for a in AGENCIES if a["parent"] == CITY_CODE}
    for short in (
        "城市管理局",
        "市场监督管理局",
        "生态环境局",
        "交通运输局",
        "自然资源和规划局",
        "农业农村局",
        "文化和旅游局",
        "应急管理局",
        "卫生健康委员会",
        "人力资源和社会保障局",
        "司法局",
        "机构编制委员会办公室",
        "公安局",
    ):
        assert any(short in n for n in names), short
    assert AGENCY_BY_CODE["LA-CG"]["kind"] == "consolidated"
    assert AGENCY_BY_CODE["LA-CG"]["alias_zh"] == "六安市城市管理行政执法局"
    assert AGENCY_BY_CODE["LA-JTZD"]["parent"] == "LA-JT"
    assert AGENCY_BY_CODE["LA-BB"]["kind"] == "admin_organ"
    assert AGENCY_BY_CODE["LA-GA"]["kind"] == "police"


def test_it_gives_quota_only_to_agencies_that_may_employ() -> None:
    for agency in AGENCIES:
        assert agency["quota"] >= 0
        if agency["kind"] in ("government", "police"):  # Art. 2, Art. 3
            assert agency["quota"] == 0, agency["code"]
    assert AGENCY_BY_CODE["LA-BB"]["quota"] == 0
    assert 20 <= AGENCY_BY_CODE[MAIN_DEMO_AGENCY]["quota"] <= 120


def test_it_gives_every_agency_the_area_code_of_its_district() -> None:
    for agency in AGENCIES:
        prefix = agency["code"].split("-")[0]
        assert agency["area_code"] == AREA_CODES[prefix], agency["code"]
    assert AREA_CODES["JA"] == "341502"
    assert AGENCY_BY_CODE["JA-CG"]["area_code"] == "341502"
    assert AGENCY_BY_CODE["LA-JTZD"]["area_code"] == "341500"


def test_it_lists_a_subtree() -> None:
    assert subtree_codes("JA") == ["JA", "JA-CG", "JA-SJ"]
    assert subtree_codes("LA-JT") == ["LA-JT", "LA-JTZD"]
    assert subtree_codes("LA-CG") == ["LA-CG"]


# --- demo users -----------------------------------------------------------------------------


def test_it_has_unique_ascii_usernames_with_known_roles_and_agencies() -> None:
    usernames = [u["username"] for u in DEMO_USERS]
    assert len(usernames) == len(set(usernames))
    for user in DEMO_USERS:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", user["username"])
        assert user["role"] in ROLES
        assert user["agency"] in AGENCY_BY_CODE
        assert all(code in AGENCY_BY_CODE for code in user["grants"])
        assert user["name"]


def test_it_has_every_agency_role_in_both_demo_agencies() -> None:
    for agency in (MAIN_DEMO_AGENCY, SECOND_DEMO_AGENCY):
        roles = Counter(u["role"] for u in DEMO_USERS if u["agency"] == agency)
        assert roles == Counter(AGENCY_ROLES), agency
        for user in DEMO_USERS:
            if user["agency"] == agency:
                assert user["grants"] == []  # Art. 4: their own agency only


def test_it_places_the_city_wide_roles() -> None:
    by_role = {u["role"]: u for u in DEMO_USERS if u["role"] not in AGENCY_ROLES}
    assert set(by_role) == set(ROLES) - set(AGENCY_ROLES)
    assert by_role["staffing_office"]["agency"] == "LA-BB"
    assert by_role["hrss"]["agency"] == "LA-RS"
    assert by_role["justice_bureau"]["agency"] == "LA-SF"
    assert by_role["justice_bureau"]["grants"] == [CITY_CODE]
    assert by_role["auditor"]["grants"] == [CITY_CODE]
    assert by_role["designer"]["grants"] == []


def test_it_uses_the_role_codes_of_the_accounts_app() -> None:
    from webapp.accounts.roles import Role

    assert set(ROLES) == {str(r) for r in Role}


# --- demo staff -----------------------------------------------------------------------------


def test_it_has_about_twenty_valid_demo_staff() -> None:
    assert 18 <= len(DEMO_STAFF) <= 25
    assert len({p["seq"] for p in DEMO_STAFF}) == len(DEMO_STAFF)
    for person in DEMO_STAFF:
        agency = AGENCY_BY_CODE[person["agency"]]
        assert agency["kind"] in EMPLOYING_TYPES  # never police (Art. 2)
        assert person["gender"] in (MALE, FEMALE)
        assert person["education"] in EDUCATION_LEVELS
        assert person["employment_mode"] in EMPLOYMENT_MODES
        assert person["post"]
    per_agency = Counter(p["agency"] for p in DEMO_STAFF)
    assert len(per_agency) >= 3
    for code, count in per_agency.items():
        assert count <= AGENCY_BY_CODE[code]["quota"]  # Art. 9
    assert per_agency[MAIN_DEMO_AGENCY] and per_agency[SECOND_DEMO_AGENCY]
    assert any(p["veteran"] for p in DEMO_STAFF)
    assert any(p["bravery"] for p in DEMO_STAFF)


def test_it_generates_a_valid_id_number_for_every_demo_staff_member_aged_18_or_over() -> None:
    numbers = set()
    for person in DEMO_STAFF:
        number = demo_staff_id_number(person)
        rid = parse_resident_id(number, today=DEMO_DAY)
        assert rid.birth_date == person["birth_date"]
        assert rid.gender == person["gender"]
        assert rid.region_code == AGENCY_BY_CODE[person["agency"]]["area_code"]
        assert rid.age_on(DEMO_DAY) >= 18, person["name"]  # Art. 10(3)
        numbers.add(number)
    assert len(numbers) == len(DEMO_STAFF)


def test_it_builds_demo_numbers_with_gender_parity() -> None:
    birth = date(1990, 1, 1)
    male = parse_resident_id(demo_id_number("341502", birth, 0, MALE), today=DEMO_DAY)
    female = parse_resident_id(demo_id_number("341502", birth, 498, FEMALE), today=DEMO_DAY)
    assert (male.gender, male.number[14:17]) == (MALE, "001")
    assert (female.gender, female.number[14:17]) == (FEMALE, "998")


@pytest.mark.parametrize(
    ("area", "seq", "gender"),
    [
        ("34150", 1, MALE),
        ("34150A", 1, MALE),
        ("341502", -1, MALE),
        ("341502", 499, FEMALE),
        ("341502", 1, "m"),
    ],
)
def test_it_refuses_bad_demo_number_input(area: str, seq: int, gender: str) -> None:
    with pytest.raises(ValueError):
        demo_id_number(area, date(1990, 1, 1), seq, gender)
