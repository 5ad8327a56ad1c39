"""Looking up a case (the receipt's QR or the typed code + a second factor) and rating a visit."""

from __future__ import annotations

import re
from typing import Any

from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, StringProperty

from devices.scanners.cccd import CccdError, parse_cccd
from kiosk.api import ApiError, KioskApi
from kiosk.presenters.base import Presenter
from kiosk.text import T, Text

DOSSIER_CODE = re.compile(r"^[A-Z0-9]{2,16}-\d{6}-\d{4}$")
TICKET_URL = re.compile(r"/t/([A-Za-z0-9_-]{4,64})/?$")
PUBLIC_CODE = re.compile(r"^[A-Za-z0-9_-]{4,64}$")


class LookupPresenter(Presenter):
    code = StringProperty("")
    last4 = StringProperty("")
    active = StringProperty("code")  # the field the keyboard types into: "code" or "last4"
    result = DictProperty({})

    def __init__(self, api: KioskApi) -> None:
        super().__init__()
        self.api = api

    def handle_scan(self, text: str) -> bool:
        """The receipt's QR fills the code; an ID card's QR fills the last 4 digits."""
        text = text.strip()
        if DOSSIER_CODE.match(text.upper()):
            self.code, self.active, self.error, self.result = text.upper(), "last4", None, {}
            return True
        if "|" in text:
            try:
                card = parse_cccd(text)
            except CccdError as error:
                self.fail(Text(error.message_vi, error.message_en))
                return False
            self.last4, self.error = card.id_number[-4:], None
            return True
        self.fail(T["lookup.not_case"])
        return False

    def press(self, key: str) -> None:
        if self.active == "last4":
            if key.isdigit() and len(self.last4) < 4:
                self.last4 += key
        elif len(self.code) < 24 and (key.isalnum() or key == "-"):
            self.code += key.upper()

    def backspace(self) -> None:
        if self.active == "last4":
            self.last4 = self.last4[:-1]
        else:
            self.code = self.code[:-1]

    def focus(self, field: str) -> None:
        self.active = field if field in ("code", "last4") else "code"

    async def search(self) -> bool:
        if not DOSSIER_CODE.match(self.code):
            self.fail(T["lookup.bad_code"])
            return False
        if not (len(self.last4) == 4 and self.last4.isdigit()):
            self.fail(T["lookup.need_last4"])
            return False
        self.result = {}  # never the previous case's status under a new question
        found = await self.call(self.api.lookup_dossier(self.code, {"last4": self.last4}))
        if found is None:
            return False
        self.result = found
        return True


class RatingPresenter(Presenter):
    ticket_code = StringProperty("")
    ticket_number = StringProperty("")  # the number printed on that ticket, to show it was read
    score = NumericProperty(0)
    reasons = ListProperty([])  # {"code", "label": Text}
    chosen = ListProperty([])  # reason codes
    ask_at_or_below = NumericProperty(3)
    needs_reasons = BooleanProperty(False)
    sent = BooleanProperty(False)

    def __init__(self, api: KioskApi) -> None:
        super().__init__()
        self.api = api

    async def load(self) -> bool:
        found: dict[str, Any] | None = await self.call(self.api.rating_reasons())
        if found is None:
            return False
        self.ask_at_or_below = int(found.get("ask_reasons_at_or_below", 3))
        self.reasons = [
            {"code": r["code"], "label": Text(r["label_vi"], r.get("label_en") or r["label_vi"])}
            for r in found.get("reasons", [])
        ]
        return True

    def handle_scan(self, text: str) -> bool:
        if "|" in text:  # an ID card held up by habit: not a ticket, and nothing to complain about
            return False
        match = TICKET_URL.search(text.strip())
        code = match.group(1) if match else text.strip()
        if not PUBLIC_CODE.match(code):
            self.fail(T["rate.not_ticket"])
            return False
        self.ticket_code, self.error, self.ticket_number = code, None, ""
        return True

    async def read_ticket(self, text: str) -> bool:
        """The ticket's QR: its code, and the number on it (asked of the server) to show it was read."""
        if not self.handle_scan(text):
            return False
        try:
            ticket = await self.api.public_ticket(self.ticket_code)
        except ApiError:
            return True  # the rating still works; the server will say if the code is wrong
        self.ticket_number = str(ticket.get("number") or "")
        return True

    def press(self, key: str) -> None:
        if len(self.ticket_code) < 64 and (key.isalnum() or key in "-_"):
            self.ticket_code += key

    def backspace(self) -> None:
        self.ticket_code = self.ticket_code[:-1]

    def choose_face(self, score: int) -> None:
        """Five faces, 1 (very unhappy) to 5 (very happy): the office's 1–5 scale."""
        if 1 <= score <= 5:
            self.score = score
            self.needs_reasons = score <= self.ask_at_or_below
            if not self.needs_reasons:
                self.chosen = []

    def toggle_reason(self, code: str) -> None:
        self.chosen = [c for c in self.chosen if c != code] if code in self.chosen else [*self.chosen, code]

    async def send(self) -> bool:
        if not self.ticket_code:
            self.fail(T["rate.hint"])
            return False
        if not self.score:
            self.fail(T["rate.choose_face"])
            return False
        if self.needs_reasons and not self.chosen:
            self.fail(T["rate.reasons"])
            return False
        done = await self.call(self.api.rate(self.ticket_code, int(self.score), list(self.chosen)))
        sent = done is not None
        self.sent = sent
        return sent
