"""One answer of the declaration at a time: how it is typed, shown and checked (pure functions).

The kiosk checks each answer as it is given, in plain words, so that the citizen fixes it there and
then; the server checks the whole form again on submission (its word is final).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from kiosk.text import T, Text

TYPED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KEYPAD_TYPES = ("date", "integer", "phone", "personal_id")
CHOICE_TYPES = ("choice", "boolean")
TELEX_TYPES = ("text", "textarea")
DATE_DIGITS = 8
TYPE_LENGTHS = {"personal_id": 12, "phone": 11, "date": 10}  # no more can be typed than fits


def input_kind(spec: dict[str, Any]) -> str:
    """How the answer is given: "choice" (big buttons), "keypad" (digits), "keyboard" or "email"."""
    kind = spec.get("type", "text")
    if kind in CHOICE_TYPES:
        return "choice"
    if kind in KEYPAD_TYPES:
        return "keypad"
    return "email" if kind == "email" else "keyboard"


def choices(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The choices as buttons: each with its Vietnamese and English wording, never its code."""
    if spec.get("type") == "boolean":
        return [{"value": "1", "label": T["prepare.yes"]}, {"value": "0", "label": T["prepare.no"]}]
    return [
        {"value": str(c["value"]), "label": Text(c["label_vi"], c.get("label_en") or c["label_vi"])}
        for c in spec.get("choices", [])
    ]


def shown_value(spec: dict[str, Any], value: str) -> Text:
    """The answer as the citizen reads it (a choice by its wording, a date with its slashes)."""
    for choice in choices(spec) if spec.get("type") in CHOICE_TYPES else []:
        if choice["value"] == value:
            label: Text = choice["label"]
            return label
    if spec.get("type") == "boolean":  # not answered yet
        return Text("", "")
    return Text(value, value)


def date_from_digits(digits: str) -> str:
    """Digits typed on the keypad as dd/mm/yyyy, the slashes put in for the citizen."""
    digits = digits[:DATE_DIGITS]
    parts = [digits[:2], digits[2:4], digits[4:]]
    return "/".join(part for part in parts if part)


def convert(kind: str, text: str) -> Any:
    """The typed answer as the API wants it; ValueError((vi, en)) when it cannot be."""
    if kind == "date":
        match = TYPED_DATE.match(text)
        if not match:
            raise ValueError(tuple(T["prepare.date_format"]))
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            raise ValueError(tuple(T["prepare.date_unreal"])) from None
    if kind == "integer":
        if not text.lstrip("-").isdigit():
            raise ValueError(tuple(T["prepare.digits_only"]))
        return int(text)
    if kind == "boolean":
        return text in ("1", "true", "có", "yes")
    return text


def check(spec: dict[str, Any], text: str, today: date) -> Text | None:
    """What is wrong with this answer, in plain words; None when it is fine (or may stay empty)."""
    kind = spec.get("type", "text")
    text = text.strip()
    if not text:
        return T["prepare.required"] if spec.get("required") else None
    try:
        value = convert(kind, text)
    except ValueError as error:
        vi, en = error.args[0]
        return Text(vi, en)
    if kind == "date" and spec.get("past") and date.fromisoformat(value) > today:
        return T["prepare.date_future"]
    if kind == "email" and not EMAIL.match(text):
        return T["prepare.bad_email"]
    if kind == "phone" and not (text.isdigit() and 9 <= len(text) <= 11 and text.startswith("0")):
        return T["prepare.bad_phone"]
    if kind == "personal_id" and not (text.isdigit() and len(text) == 12):
        return T["prepare.bad_id"]
    if spec.get("min_length") and len(text) < int(spec["min_length"]):
        return T["prepare.too_short"]
    return None
