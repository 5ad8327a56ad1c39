"""Who the citizen is: the card's chip (kiosk/presenters/chip.py), the chip ID card's QR (camera or scanner)
or the ID number typed on a keypad.

The full ID number lives only here, for the citizen's own confirmation screen while they stand at the
kiosk; everything else (logs, tickets, other screens) gets `id_masked`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from devices.chip import ChipReadResult
from devices.scanners.cccd import CccdCard, CccdError, masked_id, parse_cccd
from kiosk.presenters.base import Presenter
from kiosk.text import T, Text

ID_DIGITS = 12


def grouped_id(digits: str) -> str:
    """079056001234 -> "079 056 001 234": easier to check against the card, three digits at a time."""
    return " ".join(digits[index : index + 3] for index in range(0, len(digits), 3))


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _chip_date(text: str) -> date | None:
    """dd/mm/yyyy as the chip holds it."""
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


class IdentifyPresenter(Presenter):
    full_name = StringProperty("")
    birth_date = ObjectProperty(None, allownone=True)  # date
    birth_text = StringProperty("")  # dd/mm/yyyy as printed on the card
    sex = StringProperty("")
    address = StringProperty("")
    id_number = StringProperty("")  # full: only on the confirmation screen
    id_masked = StringProperty("")
    from_card = BooleanProperty(False)
    qr_text = StringProperty("")  # the card's QR text, sent once to the server to register the citizen
    source = StringProperty("")  # where the identity came from, as the server said (chip-genuine, …)
    chip_claim = StringProperty("")  # the server's claim token for a chip read (already registered)
    warnings = ListProperty([])  # Text
    typed = StringProperty("")  # keypad digits
    identified = BooleanProperty(False)

    def handle_scan(self, text: str) -> bool:
        """A code read by a scanner while this screen is up; True when it was an ID card."""
        if "|" not in text:
            self.fail(T["identify.not_card"])
            return False
        try:
            card = parse_cccd(text)
        except CccdError as error:
            self.fail(T["identify.bad_card"].fill(problem=Text(error.message_vi, error.message_en)))
            return False
        self._take_card(card, text)
        return True

    def _take_card(self, card: CccdCard, text: str) -> None:
        self.error = None
        self.full_name, self.sex, self.address = card.full_name, card.sex, card.address
        self.birth_date, self.birth_text = card.birth_date, card.birth_date.strftime("%d/%m/%Y")
        self.id_number, self.id_masked = card.id_number, card.id_number_masked
        self.qr_text, self.from_card = text, True
        self.source, self.chip_claim = "qr", ""
        # Warnings are for checking, not for stopping: the card still works.
        self.warnings = [
            T["identify.card_note"].fill(note=Text(w.message_vi, w.message_en)) for w in card.warnings
        ]
        self.typed, self.identified = "", True

    def take_chip(self, result: ChipReadResult, answer: dict[str, Any]) -> None:
        """A chip read the server accepted: the chip's facts, and the claim it answered."""
        citizen = result.citizen
        if citizen is None:  # the reader always reads DG13; kept honest for the type checker
            raise ValueError("a chip read without DG13")
        self.error, self.warnings = None, []
        self.full_name, self.sex, self.address = citizen.full_name, citizen.sex, citizen.residence
        self.birth_date = _chip_date(citizen.birth_date)
        self.birth_text = citizen.birth_date
        self.id_number, self.id_masked = citizen.id_number, masked_id(citizen.id_number)
        self.qr_text, self.from_card = "", True
        self.source, self.chip_claim = str(answer.get("source") or ""), str(answer.get("claim") or "")
        self.typed, self.identified = "", True

    def press_digit(self, digit: str) -> None:
        if digit.isdigit() and len(digit) == 1 and len(self.typed) < ID_DIGITS:
            self.typed += digit
            self.error = None

    def backspace(self) -> None:
        self.typed = self.typed[:-1]

    def clear_typed(self) -> None:
        self.typed, self.error = "", None

    def submit_typed(self) -> bool:
        if len(self.typed) != ID_DIGITS or not self.typed.isdigit():
            self.fail(T["identify.bad_typed"])
            return False
        self.error, self.warnings = None, []
        self.id_number, self.id_masked = self.typed, masked_id(self.typed)
        self.full_name = self.address = self.sex = self.birth_text = self.qr_text = ""
        self.birth_date, self.from_card, self.identified = None, False, True
        self.source, self.chip_claim = "typed", ""
        self.typed = ""
        return True

    def age(self, today: date) -> int | None:
        return age_on(self.birth_date, today) if self.birth_date is not None else None

    def citizen_fields(self) -> dict[str, Any]:
        """What the card said, for prefilling a form: the names the dossier API's `prefill` uses."""
        return {
            "citizen.full_name": self.full_name,
            "citizen.birth_date": self.birth_date.isoformat() if self.birth_date else "",
            "citizen.sex": self.sex,
            "citizen.address": self.address,
            "citizen.personal_id": self.id_number,
        }

    def registration(self, form: dict[str, Any] | None = None) -> dict[str, Any]:
        """The body of POST /citizens: the card's QR, or the typed number with what the form says."""
        if self.qr_text:
            return {"qr": self.qr_text}
        body: dict[str, Any] = {"personal_id": self.id_number}
        for key in ("full_name", "birth_date", "sex", "address"):
            if form and form.get(key):
                body[key] = form[key]
        return body
