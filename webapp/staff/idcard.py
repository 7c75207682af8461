"""PRC resident identity number (公民身份号码) validation and personal-data masking.

Pure Python, no Django: usable from models, forms, DMN helpers and data scripts alike.

The number follows GB 11643-1999:

====== ======================================================================
pos.   meaning
====== ======================================================================
1–6    administrative-division code (GB/T 2260) of the registered residence;
       the first two digits are the province
7–14   birth date ``YYYYMMDD``
15–17  sequence code; the 17th digit is odd for men and even for women
18     check character, ISO 7064 MOD 11-2 over positions 1–17 (``0``–``9`` or ``X``)
====== ======================================================================

The birth date gives the age that Art. 10(3) requires to be at least 18.
Art. 15(4) forbids leaking personal privacy: the ``mask_*`` helpers and
``ResidentId.masked`` hide personal data from roles that do not need it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

ID_LENGTH = 18
MALE = "male"
FEMALE = "female"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# ISO 7064 MOD 11-2: the weight of position i (counted from the right, the check character
# being position 1) is 2**(i-1) mod 11, i.e. 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2.
_WEIGHTS = tuple(pow(2, 17 - k, 11) for k in range(17))
# The check character for each value of (weighted sum mod 11).
_CHECK_CHARS = "10X98765432"

_FORMAT = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)

# First two digits of a GB/T 2260 province-level division. 71 (Taiwan), 81 (Hong Kong) and
# 82 (Macau) are in GB/T 2260; 83 is the prefix of residence-permit numbers issued to Taiwan
# residents (港澳台居民居住证, whose numbers otherwise follow GB 11643 and use 81/82 for
# Hong Kong/Macau residents). Holders are PRC nationals in the sense of Art. 10(2).
PROVINCE_CODES: frozenset[str] = frozenset(
    f"{code:02d}"
    for start, end in (
        (11, 15),
        (21, 23),
        (31, 37),
        (41, 46),
        (50, 54),
        (61, 65),
        (71, 71),
        (81, 83),
    )
    for code in range(start, end + 1)
)

ERROR_CODES = ("length", "format", "region", "birth_date", "checksum")


class InvalidResidentId(ValueError):
    """The value is not a valid resident identity number.

    ``code`` is one of ``ERROR_CODES``; ``message_zh`` / ``message_en`` are meant for the
    person who typed the number. ``expected`` is the correct check character when
    ``code == "checksum"``, else ``None``. ``str(exc)`` is the Chinese message.
    The messages never contain the full number (Art. 15(4)), so the exception is safe to log.
    """

    def __init__(
        self,
        code: str,
        message_zh: str,
        message_en: str,
        *,
        expected: str | None = None,
    ) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message_zh)
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.expected = expected

    def __str__(self) -> str:
        return self.message_zh


@dataclass(frozen=True, repr=False)
class ResidentId:
    """A validated resident identity number. Build it with ``parse_resident_id``.

    ``repr()``/``str()`` show the masked number only (Art. 15(4)).
    """

    number: str
    birth_date: date
    gender: str  # 'male' / 'female', from the parity of the 17th digit

    def __post_init__(self) -> None:
        if self.gender not in (MALE, FEMALE):
            raise ValueError(f"gender must be {MALE!r} or {FEMALE!r}")

    @property
    def region_code(self) -> str:
        """The 6-digit administrative-division code (positions 1–6)."""
        return self.number[:6]

    @property
    def province_code(self) -> str:
        return self.number[:2]

    @property
    def masked(self) -> str:
        """e.g. ``3415**********123X``: first 4 and last 4 kept."""
        return mask_id_number(self.number)  # Art. 15(4)

    def age_on(self, day: date) -> int:
        """Age in full years on ``day``.

        The birthday counts from its calendar day, so a person born on 29 February turns a
        year older on 1 March in non-leap years (and on 29 February in leap years).
        """
        if day < self.birth_date:
            raise ValueError("the day is before the birth date")
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)

    def __repr__(self) -> str:
        # Art. 15(4): never put the full number into logs or tracebacks.
        return f"ResidentId({self.masked})"

    __str__ = __repr__


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character (``0``–``9`` or ``X``) for 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _normalise(value: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected str, got {type(value).__name__}")
    # NFKC turns full-width digits and 'Ｘ' typed with a Chinese input method into ASCII.
    return unicodedata.normalize("NFKC", value).strip().upper()


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate ``value`` and return the parsed number, else raise ``InvalidResidentId``.

    Surrounding whitespace is ignored, full-width characters are accepted and a lower-case
    ``x`` is normalised to ``X``. Checks run in this order: length, format, province code,
    birth date (a real date, from 1900-01-01 up to ``today``, default ``date.today()``),
    check character.
    """
    number = _normalise(value)

    if len(number) != ID_LENGTH:
        raise InvalidResidentId(
            "length",
            f"身份证号码应为 18 位，当前为 {len(number)} 位",
            f"The ID number must have 18 characters; it has {len(number)}",
        )

    if not _FORMAT.fullmatch(number):
        raise InvalidResidentId(
            "format",
            "身份证号码前 17 位应为数字，最后一位应为数字或 X",
            "The first 17 characters of the ID number must be digits, the last a digit or X",
        )

    province = number[:2]
    if province not in PROVINCE_CODES:
        raise InvalidResidentId(
            "region",
            f"身份证号码前两位（{province}）不是有效的省级行政区划代码",
            f"The first two digits of the ID number ({province}) are not a valid province code",
        )

    raw_birth = number[6:14]
    try:
        birth = date(int(raw_birth[:4]), int(raw_birth[4:6]), int(raw_birth[6:]))
    except ValueError:
        raise InvalidResidentId(
            "birth_date",
            f"身份证号码中的出生日期（{raw_birth}）不是有效日期",
            f"The birth date in the ID number ({raw_birth}) is not a valid date",
        ) from None
    today = today or date.today()
    if birth > today:
        raise InvalidResidentId(
            "birth_date",
            f"身份证号码中的出生日期（{birth.isoformat()}）晚于今天",
            f"The birth date in the ID number ({birth.isoformat()}) is in the future",
        )
    if birth < EARLIEST_BIRTH_DATE:
        raise InvalidResidentId(
            "birth_date",
            f"身份证号码中的出生日期（{birth.isoformat()}）早于 1900 年",
            f"The birth date in the ID number ({birth.isoformat()}) is before 1900",
        )

    expected = check_digit(number[:17])
    if number[17] != expected:
        raise InvalidResidentId(
            "checksum",
            f"身份证号码校验位不正确（应为 {expected}）",
            f"The check digit of the ID number is wrong (expected {expected})",
            expected=expected,
        )

    gender = MALE if int(number[16]) % 2 == 1 else FEMALE
    return ResidentId(number=number, birth_date=birth, gender=gender)


def is_valid_resident_id(value: str, *, today: date | None = None) -> bool:
    try:
        parse_resident_id(value, today=today)
    except InvalidResidentId:
        return False
    return True


# --- Masking ----------------------------------------------------------------------------
# Art. 15(4): personal data (ID number, phone, address) is shown masked to every role that
# does not need the full value. Masking is for display only; it is not anonymisation.

_MASK = "*"


def mask_id_number(number: str) -> str:
    """``341502199001011234`` → ``3415**********1234`` (first 4 and last 4 kept).

    Works on any string; one of 8 characters or fewer is masked entirely.
    """
    # Art. 15(4): the ID number is personal data.
    number = number.strip()
    if len(number) <= 8:
        return _MASK * len(number)
    return number[:4] + _MASK * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """``13812341234`` → ``138****1234``.

    Spaces and hyphens are dropped first. Numbers of 11 characters or more keep the first 3
    and last 4; shorter ones (landlines) keep only the last 4; 4 characters or fewer are
    masked entirely.
    """
    # Art. 15(4): the phone number is personal data.
    compact = re.sub(r"[\s\-]", "", phone)
    n = len(compact)
    if n <= 4:
        return _MASK * n
    if n < 11:
        return _MASK * (n - 4) + compact[-4:]
    return compact[:3] + _MASK * (n - 7) + compact[-4:]


def mask_address(addr: str) -> str:
    """``安徽省六安市金安区梅山南路 1 号`` → ``安徽省六安市****``.

    Keeps the first 6 characters (usually province and city) followed by a fixed ``****``
    that does not reveal the length. An address of 6 characters or fewer keeps only its
    first half, so a short address is never shown whole.
    """
    # Art. 15(4): the home address is personal data.
    addr = addr.strip()
    if not addr:
        return ""
    keep = 6 if len(addr) > 6 else len(addr) // 2
    return addr[:keep] + _MASK * 4
