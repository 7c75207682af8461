"""Resident identity number validation (GB 11643-1999) and masking (Art. 10(3), Art. 15(4))."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from webapp.staff.idcard import (
    FEMALE,
    MALE,
    InvalidResidentId,
    ResidentId,
    check_digit,
    is_valid_resident_id,
    mask_address,
    mask_id_number,
    mask_phone,
    parse_resident_id,
)

TODAY = date(2026, 11, 27)
JINAN = "341502"  # 六安市金安区


def make(prefix: str = JINAN, birth: str = "19900101", seq: str = "123") -> str:
    """A number with a correct check character, computed rather than hard-coded."""
    first17 = prefix + birth + seq
    return first17 + check_digit(first17)


def wrong_check(number: str) -> str:
    """The same number with a check character that is certainly wrong."""
    bad = "0" if number[17] != "0" else "1"
    return number[:17] + bad


def refused(value: str, today: date = TODAY) -> InvalidResidentId:
    with pytest.raises(InvalidResidentId) as info:
        parse_resident_id(value, today=today)
    return info.value


# --- check digit ----------------------------------------------------------------------------


def test_it_computes_the_check_digits_of_the_examples_in_gb_11643() -> None:
    # The two worked examples printed in GB 11643-1999 itself.
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052418800101001") == "4"


def test_it_refuses_to_compute_a_check_digit_for_anything_but_17_digits() -> None:
    for bad in ("1234567890123456", "123456789012345678", "1101051949123100A", "１" * 17):
        with pytest.raises(ValueError):
            check_digit(bad)


# --- valid numbers --------------------------------------------------------------------------


def test_it_parses_a_valid_number() -> None:
    number = make(birth="19900315", seq="123")
    rid = parse_resident_id(number, today=TODAY)
    assert isinstance(rid, ResidentId)
    assert rid.number == number
    assert rid.birth_date == date(1990, 3, 15)
    assert rid.region_code == JINAN
    assert rid.province_code == "34"
    assert is_valid_resident_id(number, today=TODAY)


def test_it_parses_the_gb_11643_example_with_x() -> None:
    rid = parse_resident_id("11010519491231002X", today=TODAY)
    assert rid.birth_date == date(1949, 12, 31)
    assert rid.gender == FEMALE


def test_it_accepts_a_lower_case_x_and_normalises_it() -> None:
    # Find a sequence whose check character is X, from the Jin'an prefix.
    number = next(n for s in range(1000) if (n := make(seq=f"{s:03d}")).endswith("X"))
    rid = parse_resident_id(number[:17] + "x", today=TODAY)
    assert rid.number == number
    assert rid.number.endswith("X")


def test_it_ignores_surrounding_whitespace_and_full_width_digits() -> None:
    number = make()
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)  # '0' → '０' …
    assert parse_resident_id(f"  {number}\n", today=TODAY).number == number
    assert parse_resident_id(full_width, today=TODAY).number == number


def test_it_is_frozen() -> None:
    rid = parse_resident_id(make(), today=TODAY)
    with pytest.raises(FrozenInstanceError):
        rid.number = make(seq="999")  # type: ignore[misc]


# --- refused numbers ------------------------------------------------------------------------


def test_it_reports_the_expected_check_digit() -> None:
    number = make()
    err = refused(wrong_check(number))
    assert err.code == "checksum"
    assert err.expected == number[17]
    assert err.message_zh == f"身份证号码校验位不正确（应为 {number[17]}）"
    assert err.message_en == f"The check digit of the ID number is wrong (expected {number[17]})"
    assert str(err) == err.message_zh
    assert isinstance(err, ValueError)


def test_it_reports_an_expected_x() -> None:
    err = refused("110105194912310021")
    assert err.code == "checksum"
    assert err.expected == "X"
    assert "应为 X" in err.message_zh
    assert "expected X" in err.message_en


@pytest.mark.parametrize("value", [make()[:17], make() + "1", "", "3415"])
def test_it_refuses_a_wrong_length(value: str) -> None:
    err = refused(value)
    assert err.code == "length"
    assert f"当前为 {len(value)} 位" in err.message_zh
    assert "18 characters" in err.message_en


@pytest.mark.parametrize(
    "value",
    [
        "34150219900101123A",  # letter other than X at the end
        "3415021990010112X4",  # X not at the end
        "34150A199001011234",  # letter inside
        "341502-9900101-123",  # punctuation
    ],
)
def test_it_refuses_letters_and_other_characters(value: str) -> None:
    assert len(value) == 18
    err = refused(value)
    assert err.code == "format"
    assert "数字或 X" in err.message_zh


def test_it_refuses_an_impossible_birth_date() -> None:
    err = refused(make(birth="19990230"))
    assert err.code == "birth_date"
    assert "19990230" in err.message_zh
    assert "not a valid date" in err.message_en


def test_it_refuses_a_birth_date_in_the_future() -> None:
    tomorrow = make(birth="20261128")
    err = refused(tomorrow)
    assert err.code == "birth_date"
    assert "晚于今天" in err.message_zh
    assert "future" in err.message_en
    # Born today is not in the future.
    assert parse_resident_id(make(birth="20261127"), today=TODAY).age_on(TODAY) == 0


def test_it_refuses_a_birth_date_before_1900() -> None:
    err = refused(make(birth="18991231"))
    assert err.code == "birth_date"
    assert "1900" in err.message_zh
    assert parse_resident_id(make(birth="19000101"), today=TODAY).birth_date == date(1900, 1, 1)


@pytest.mark.parametrize("prefix", ["000000", "101010", "161234", "990000", "840000"])
def test_it_refuses_an_unknown_province(prefix: str) -> None:
    err = refused(make(prefix=prefix))
    assert err.code == "region"
    assert prefix[:2] in err.message_zh
    assert "province" in err.message_en


@pytest.mark.parametrize("prefix", ["110105", "650102", "710000", "810000", "820000", "830000"])
def test_it_accepts_every_kind_of_province_code(prefix: str) -> None:
    assert parse_resident_id(make(prefix=prefix), today=TODAY).province_code == prefix[:2]


def test_it_never_puts_the_full_number_into_an_error_message() -> None:
    number = make()
    for value in (wrong_check(number), number[:17], number[:6] + "19990230" + number[14:]):
        err = refused(value)
        assert number[:17] not in err.message_zh + err.message_en


def test_it_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        parse_resident_id(341502199001011234)  # type: ignore[arg-type]


# --- age (Art. 10(3): 18 or over) -----------------------------------------------------------


def test_it_is_17_on_the_day_before_the_18th_birthday_and_18_on_it() -> None:
    rid = parse_resident_id(make(birth="20081127"), today=TODAY)
    assert rid.age_on(date(2026, 11, 26)) == 17
    assert rid.age_on(date(2026, 11, 27)) == 18
    assert rid.age_on(date(2027, 11, 26)) == 18


def test_it_turns_a_leap_day_birthday_over_on_1_march_in_common_years() -> None:
    rid = parse_resident_id(make(birth="20000229"), today=TODAY)
    assert rid.age_on(date(2018, 2, 28)) == 17
    assert rid.age_on(date(2018, 3, 1)) == 18
    assert rid.age_on(date(2020, 2, 28)) == 19
    assert rid.age_on(date(2020, 2, 29)) == 20


def test_it_refuses_an_age_before_birth() -> None:
    rid = parse_resident_id(make(birth="20000101"), today=TODAY)
    with pytest.raises(ValueError):
        rid.age_on(date(1999, 12, 31))


# --- gender ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seq", "gender"),
    [("001", MALE), ("123", MALE), ("999", MALE), ("000", FEMALE), ("124", FEMALE)],
)
def test_it_reads_gender_from_the_parity_of_the_17th_digit(seq: str, gender: str) -> None:
    assert parse_resident_id(make(seq=seq), today=TODAY).gender == gender


# --- masking (Art. 15(4)) -------------------------------------------------------------------


def test_it_masks_the_number_keeping_the_first_and_last_four() -> None:
    number = next(n for s in range(1000) if (n := make(seq=f"{s:03d}")).endswith("X"))
    rid = parse_resident_id(number, today=TODAY)
    assert rid.masked == "3415" + "*" * 10 + number[-4:]
    assert rid.masked.endswith("X")
    assert len(rid.masked) == 18
    assert mask_id_number(number) == rid.masked
    assert mask_id_number("12345678") == "********"


def test_it_does_not_show_the_full_number_in_repr_or_str() -> None:
    rid = parse_resident_id(make(), today=TODAY)
    assert rid.number not in repr(rid)
    assert rid.number not in str(rid)
    assert rid.masked in repr(rid)


def test_it_masks_a_phone_number() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("138 1234 1234") == "138****1234"
    assert mask_phone("0564-3371234") == "056****1234"  # area code + landline
    assert mask_phone("3371234") == "***1234"  # short landline: last 4 only
    assert mask_phone("1234") == "****"
    assert mask_phone("") == ""


def test_it_masks_an_address_after_six_characters() -> None:
    assert mask_address("安徽省六安市金安区梅山南路1号") == "安徽省六安市****"
    assert mask_address(" 安徽省六安市裕安区 ") == "安徽省六安市****"
    assert mask_address("金安区某路") == "金安****"
    assert mask_address("") == ""
