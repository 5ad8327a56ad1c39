"""Declaration forms (tờ khai): a form is a list of typed fields; a declared form is checked field by field.

Standard library only. `validate_form` never stops at the first problem: the citizen sees every field that
needs fixing, each named, in Vietnamese and English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

FIELD_TYPES = ("text", "textarea", "date", "integer", "choice", "personal_id", "phone", "email", "boolean")
PREFILLS = (
    "citizen.full_name",
    "citizen.birth_date",
    "citizen.sex",
    "citizen.address",
    "citizen.personal_id",
)
_PERSONAL_ID = re.compile(r"^\d{12}$")
_PHONE = re.compile(r"^(?:0|\+84)(?:3|5|7|8|9|2\d)\d{8}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
_DEFAULT_TEXT_MAX = 500


@dataclass(frozen=True)
class Choice:
    value: str
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label_vi: str
    label_en: str
    type: str = "text"
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    choices: tuple[Choice, ...] = ()
    min: int | None = None
    max: int | None = None
    past: bool = False  # a date that must not be after today
    prefill: str | None = None
    help_vi: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class FormSpec:
    code: str
    name_vi: str
    name_en: str
    fields: tuple[FieldSpec, ...]


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message_vi: str
    message_en: str

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "code": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "problem": self.message_en,
        }


@dataclass(frozen=True)
class FormResult:
    values: dict[str, Any]  # cleaned: stripped text, dates as ISO strings, integers, booleans
    errors: tuple[FieldError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def validate_form(form: FormSpec, data: Mapping[str, object], *, today: date) -> FormResult:
    """Check every field of a declared form; unknown fields are errors too (a typo must not vanish)."""
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    known = {spec.name for spec in form.fields}
    for name in sorted(set(data) - known):
        errors.append(
            FieldError(name, "unknown_field", f"Tờ khai không có mục '{name}'.", f"No field '{name}'.")
        )
    for spec in form.fields:
        raw = data.get(spec.name)
        if _is_blank(raw):
            if spec.required:
                errors.append(_error(spec, "required", "chưa được điền", "is required"))
            continue
        value, error = _clean(spec, raw, today)
        if error is not None:
            errors.append(error)
        else:
            values[spec.name] = value
    return FormResult(values, tuple(errors))


def check_spec(spec: FieldSpec) -> list[str]:
    """Problems in a field definition itself (for the catalogue loader)."""
    problems = []
    if spec.type not in FIELD_TYPES:
        problems.append(f"unknown type {spec.type!r}; use one of {', '.join(FIELD_TYPES)}")
    if spec.type == "choice" and not spec.choices:
        problems.append("a choice field needs at least one entry in 'choices'")
    if spec.type != "choice" and spec.choices:
        problems.append("'choices' only applies to type 'choice'")
    if spec.pattern is not None:
        try:
            re.compile(spec.pattern)
        except re.error as error:
            problems.append(f"pattern is not a valid regular expression: {error}")
    if spec.prefill is not None and spec.prefill not in PREFILLS:
        problems.append(f"unknown prefill {spec.prefill!r}; use one of {', '.join(PREFILLS)}")
    if spec.min_length is not None and spec.max_length is not None and spec.min_length > spec.max_length:
        problems.append("min_length is greater than max_length")
    if spec.min is not None and spec.max is not None and spec.min > spec.max:
        problems.append("min is greater than max")
    return problems


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _error(spec: FieldSpec, code: str, problem_vi: str, problem_en: str) -> FieldError:
    return FieldError(
        spec.name,
        code,
        f"Mục '{spec.label_vi}' {problem_vi}.",
        f"Field '{spec.label_en or spec.name}' {problem_en}.",
    )


def _clean(spec: FieldSpec, raw: object, today: date) -> tuple[Any, FieldError | None]:
    if spec.type == "boolean":
        if isinstance(raw, bool):
            return raw, None
        return None, _error(spec, "not_boolean", "phải là có hoặc không", "must be true or false")
    if spec.type == "integer":
        return _clean_integer(spec, raw)
    if not isinstance(raw, str):
        return None, _error(spec, "not_text", "phải là chữ", "must be text")
    text = " ".join(raw.split()) if spec.type != "textarea" else raw.strip()
    cleaners = {
        "date": _clean_date,
        "choice": _clean_choice,
        "personal_id": _clean_personal_id,
        "phone": _clean_phone,
        "email": _clean_email,
    }
    cleaner = cleaners.get(spec.type)
    if cleaner is not None:
        return cleaner(spec, text, today)
    return _clean_text(spec, text)


def _clean_text(spec: FieldSpec, text: str) -> tuple[Any, FieldError | None]:
    max_length = spec.max_length or _DEFAULT_TEXT_MAX
    if spec.min_length is not None and len(text) < spec.min_length:
        return None, _error(
            spec,
            "too_short",
            f"cần ít nhất {spec.min_length} ký tự",
            f"needs at least {spec.min_length} characters",
        )
    if len(text) > max_length:
        return None, _error(
            spec, "too_long", f"dài quá {max_length} ký tự", f"is longer than {max_length} characters"
        )
    if spec.pattern is not None and re.fullmatch(spec.pattern, text) is None:
        return None, _error(spec, "bad_format", "không đúng định dạng", "does not have the expected format")
    return text, None


def _clean_integer(spec: FieldSpec, raw: object) -> tuple[Any, FieldError | None]:
    if isinstance(raw, bool):
        return None, _error(spec, "not_integer", "phải là số nguyên", "must be a whole number")
    if isinstance(raw, str) and re.fullmatch(r"-?\d{1,15}", raw.strip()):
        raw = int(raw.strip())
    if not isinstance(raw, int):
        return None, _error(spec, "not_integer", "phải là số nguyên", "must be a whole number")
    if spec.min is not None and raw < spec.min:
        return None, _error(
            spec, "too_small", f"không được nhỏ hơn {spec.min}", f"must be at least {spec.min}"
        )
    if spec.max is not None and raw > spec.max:
        return None, _error(
            spec, "too_large", f"không được lớn hơn {spec.max}", f"must be at most {spec.max}"
        )
    return raw, None


def _clean_date(spec: FieldSpec, text: str, today: date) -> tuple[Any, FieldError | None]:
    value = _parse_date(text)
    if value is None:
        return None, _error(
            spec, "bad_date", "phải là ngày dạng YYYY-MM-DD hoặc dd/mm/yyyy", "must be a date (YYYY-MM-DD)"
        )
    if spec.past and value > today:
        return None, _error(
            spec, "future_date", "không được là ngày trong tương lai", "must not be in the future"
        )
    if value.year < 1900:
        return None, _error(spec, "bad_date", "có năm trước 1900", "has a year before 1900")
    return value.isoformat(), None


def _parse_date(text: str) -> date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text) or re.fullmatch(
        r"(\d{1,2})/(\d{1,2})/(\d{4})", text
    )
    if match is None:
        return None
    parts = [int(part) for part in match.groups()]
    year, month, day = parts if len(match.group(1)) == 4 else (parts[2], parts[1], parts[0])
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _clean_choice(spec: FieldSpec, text: str, _today: date) -> tuple[Any, FieldError | None]:
    values = [choice.value for choice in spec.choices]
    if text not in values:
        listing = ", ".join(values)
        return None, _error(spec, "bad_choice", f"phải là một trong: {listing}", f"must be one of: {listing}")
    return text, None


def _clean_personal_id(spec: FieldSpec, text: str, _today: date) -> tuple[Any, FieldError | None]:
    digits = text.replace(" ", "")
    if not _PERSONAL_ID.match(digits):
        return None, _error(spec, "bad_personal_id", "phải gồm đúng 12 chữ số", "must be exactly 12 digits")
    return digits, None


def _clean_phone(spec: FieldSpec, text: str, _today: date) -> tuple[Any, FieldError | None]:
    digits = re.sub(r"[\s.-]", "", text)
    if not _PHONE.match(digits):
        return None, _error(
            spec,
            "bad_phone",
            "không phải số điện thoại Việt Nam (0xxxxxxxxx)",
            "is not a Vietnamese phone number (0xxxxxxxxx)",
        )
    return digits, None


def _clean_email(spec: FieldSpec, text: str, _today: date) -> tuple[Any, FieldError | None]:
    if len(text) > 254 or not _EMAIL.match(text):
        return None, _error(spec, "bad_email", "không phải địa chỉ thư điện tử", "is not an e-mail address")
    return text, None
