"""Parser for the QR code printed on the Vietnamese chip ID card (Căn cước công dân, CCCD).

Payload: ``<12-digit ID>|<old ID or empty>|<full name>|<ddmmyyyy birth>|<Nam|Nữ>|<address>|<ddmmyyyy issue>``
and, on newer cards, more ``|``-separated fields after the issue date, which are kept raw.

Standard library only: this module belongs to the pure core and is safe to use anywhere.
Privacy: no message produced here ever contains the ID number; use :func:`masked_id` to show one.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

from devices.id_mask import mask_id

FIELD_SEPARATOR = "|"
REQUIRED_FIELDS = 7
# Longer than any name or address on a card (and than the server stores): a forged or broken QR.
TEXT_LIMITS = {"full_name": 100, "address": 250}
SEXES = ("Nam", "Nữ")  # male, female, as printed on the card
# The old ID was the 9-digit CMND; the 12-digit CMND issued in 2012–2016 can appear there too.
OLD_ID_LENGTHS = (9, 12)
FIRST_BIRTH_YEAR = 1900  # the century digit has no code before the 1900s

# Names of the fields, for messages: (Vietnamese, English).
_FIELD_NAMES: dict[str, tuple[str, str]] = {
    "payload": ("dữ liệu mã QR", "QR payload"),
    "id_number": ("số CCCD", "ID number"),
    "old_id": ("số CMND cũ", "old ID number"),
    "full_name": ("họ và tên", "full name"),
    "birth_date": ("ngày sinh", "birth date"),
    "sex": ("giới tính", "sex"),
    "address": ("nơi thường trú", "permanent address"),
    "issue_date": ("ngày cấp", "issue date"),
}


class CccdError(ValueError):
    """The payload is not a valid CCCD QR payload; `field` names the culprit."""

    def __init__(self, field_name: str, problem_vi: str, problem_en: str) -> None:
        name_vi, name_en = _FIELD_NAMES[field_name]
        self.field = field_name
        self.message_vi = f"Mã QR CCCD không hợp lệ: {name_vi} {problem_vi}"
        self.message_en = f"Invalid CCCD QR code: {name_en} {problem_en}"
        super().__init__(f"{self.message_vi} / {self.message_en}")


@dataclass(frozen=True)
class CccdWarning:
    """Something staff may want to check; the card still parses."""

    code: str  # machine code: "unknown_province", "century_sex_mismatch", "birth_year_mismatch"
    message_vi: str
    message_en: str

    def __str__(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


@dataclass(frozen=True)
class CccdCard:
    id_number: str
    old_id: str
    full_name: str
    birth_date: date
    sex: str  # "Nam" or "Nữ"
    address: str
    issue_date: date
    extra_fields: tuple[str, ...] = ()
    warnings: tuple[CccdWarning, ...] = field(default=(), compare=False)

    @property
    def id_number_masked(self) -> str:
        return masked_id(self.id_number)

    @property
    def province(self) -> str | None:
        """Province of birth registration from the first 3 digits, or None when the code is unknown."""
        return province_codes().get(self.id_number[:3])

    def __repr__(self) -> str:  # never show the full number, even in a traceback
        return (
            f"CccdCard(id_number={self.id_number_masked!r}, full_name={self.full_name!r}, "
            f"birth_date={self.birth_date.isoformat()}, sex={self.sex!r}, warnings={len(self.warnings)})"
        )


def masked_id(id_number: str) -> str:
    """The ID number as it may be shown: devices/id_mask.py, one format everywhere ("001******567")."""
    return mask_id(id_number)


@functools.cache
def province_codes() -> dict[str, str]:
    """Birth-registration province codes (first 3 ID digits) → province name, from the bundled table."""
    table = resources.files("devices.scanners").joinpath("data", "cccd_province_codes.txt")
    codes: dict[str, str] = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("code\t"):
            continue
        code, name = line.split("\t", 1)
        codes[code.strip()] = name.strip()
    return codes


def parse_cccd(payload: str) -> CccdCard:
    """Parse a scanned CCCD payload; raise CccdError naming the wrong field."""
    fields = _split_fields(payload)
    id_number = _parse_id(fields[0])
    old_id = _parse_old_id(fields[1])
    full_name = _parse_text(fields[2], "full_name")
    birth_date = _parse_date(fields[3], "birth_date")
    sex = _parse_sex(fields[4])
    address = _parse_text(fields[5], "address")
    issue_date = _parse_date(fields[6], "issue_date")
    if birth_date.year < FIRST_BIRTH_YEAR:
        raise CccdError("birth_date", f"trước năm {FIRST_BIRTH_YEAR}", f"is before {FIRST_BIRTH_YEAR}")
    if issue_date < birth_date:
        raise CccdError("issue_date", "trước ngày sinh", "is before the birth date")
    return CccdCard(
        id_number=id_number,
        old_id=old_id,
        full_name=full_name,
        birth_date=birth_date,
        sex=sex,
        address=address,
        issue_date=issue_date,
        extra_fields=tuple(fields[REQUIRED_FIELDS:]),
        warnings=tuple(_consistency_warnings(id_number, birth_date, sex)),
    )


def format_cccd(card: CccdCard) -> str:
    """The payload a card's QR code holds (inverse of parse_cccd)."""
    parts = [
        card.id_number,
        card.old_id,
        card.full_name,
        card.birth_date.strftime("%d%m%Y"),
        card.sex,
        card.address,
        card.issue_date.strftime("%d%m%Y"),
        *card.extra_fields,
    ]
    return FIELD_SEPARATOR.join(parts)


def century_sex_digit(birth_date: date, sex: str) -> str:
    """4th ID digit: 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s, and so on."""
    century_index = birth_date.year // 100 - FIRST_BIRTH_YEAR // 100
    return str(century_index * 2 + (1 if sex == SEXES[1] else 0))


def _split_fields(payload: str) -> list[str]:
    text = unicodedata.normalize("NFC", payload).strip().strip("\ufeff").strip()
    if not text:
        raise CccdError("payload", "trống", "is empty")
    fields = [part.strip() for part in text.split(FIELD_SEPARATOR)]
    if len(fields) < REQUIRED_FIELDS:
        raise CccdError(
            "payload",
            f"có {len(fields)} trường, cần ít nhất {REQUIRED_FIELDS} (ngăn cách bởi '|')",
            f"has {len(fields)} fields, needs at least {REQUIRED_FIELDS} (separated by '|')",
        )
    return fields


def _parse_id(value: str) -> str:
    if not (value.isascii() and value.isdigit()):
        raise CccdError("id_number", "chỉ được chứa chữ số", "must contain digits only")
    if len(value) != 12:
        raise CccdError(
            "id_number", f"phải có 12 chữ số, có {len(value)}", f"must have 12 digits, has {len(value)}"
        )
    return value


def _parse_old_id(value: str) -> str:
    if value == "":
        return value
    if not (value.isascii() and value.isdigit()) or len(value) not in OLD_ID_LENGTHS:
        raise CccdError("old_id", "phải trống hoặc gồm 9 hay 12 chữ số", "must be empty or 9 or 12 digits")
    return value


def _parse_text(value: str, field_name: str) -> str:
    if not value:
        raise CccdError(field_name, "trống", "is empty")
    # Cc: control characters; Cf: invisible format characters, among them the bidi overrides that make a
    # printed "gnp.exe" read "exe.png". Vietnamese names and addresses need neither.
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in value):
        raise CccdError(field_name, "chứa ký tự điều khiển", "contains control characters")
    limit = TEXT_LIMITS.get(field_name)
    if limit is not None and len(value) > limit:
        raise CccdError(
            field_name,
            f"dài quá {limit} ký tự ({len(value)})",
            f"is longer than {limit} characters ({len(value)})",
        )
    return value


def _parse_date(value: str, field_name: str) -> date:
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        raise CccdError(field_name, "phải có dạng ddmmyyyy (8 chữ số)", "must be ddmmyyyy (8 digits)")
    try:
        return date(int(value[4:]), int(value[2:4]), int(value[:2]))
    except ValueError:
        raise CccdError(field_name, "không phải ngày có thật", "is not a real date") from None


def _parse_sex(value: str) -> str:
    for sex in SEXES:
        if value.casefold() == sex.casefold():
            return sex
    raise CccdError("sex", "phải là 'Nam' hoặc 'Nữ'", "must be 'Nam' or 'Nữ'")


def _consistency_warnings(id_number: str, birth_date: date, sex: str) -> list[CccdWarning]:
    warnings: list[CccdWarning] = []
    if id_number[:3] not in province_codes():
        warnings.append(
            CccdWarning(
                "unknown_province",
                "3 chữ số đầu của số CCCD không phải mã tỉnh đã biết",
                "the first 3 digits of the ID number are not a known province code",
            )
        )
    if id_number[3] != century_sex_digit(birth_date, sex):
        warnings.append(
            CccdWarning(
                "century_sex_mismatch",
                "chữ số thứ 4 của số CCCD không khớp với thế kỷ sinh và giới tính",
                "the 4th digit of the ID number does not match the birth century and sex",
            )
        )
    if id_number[4:6] != f"{birth_date.year % 100:02d}":
        warnings.append(
            CccdWarning(
                "birth_year_mismatch",
                "chữ số thứ 5–6 của số CCCD không khớp với năm sinh",
                "digits 5–6 of the ID number do not match the birth year",
            )
        )
    return warnings
