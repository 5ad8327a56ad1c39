"""Looking up a case (the receipt's QR or the typed code + a second factor) and rating a visit."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Awaitable
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

from devices.scanners.cccd import CccdError, parse_cccd
from kiosk.api import ApiError, KioskApi
from kiosk.presenters.base import Presenter
from kiosk.text import T, Text

log = logging.getLogger(__name__)

DOSSIER_CODE = re.compile(r"^[A-Z0-9]{2,16}-\d{6}-\d{4}$")
RECEIPT_URL = re.compile(r"/tra-cuu/?\?(?:.*&)?ma=([A-Za-z0-9-]{8,40})")  # the receipt's QR
TICKET_URL = re.compile(r"/t/([A-Za-z0-9_-]{4,64})/?$")
PUBLIC_CODE = re.compile(r"^[A-Za-z0-9_-]{4,64}$")


def case_code_in(text: str) -> str | None:
    """The case code in a scanned receipt: its QR holds the lookup page's address (…/tra-cuu?ma=CODE),
    an older one the bare code."""
    match = RECEIPT_URL.search(text)
    code = (match.group(1) if match else text).strip().upper()
    return code if DOSSIER_CODE.match(code) else None


class LookupPresenter(Presenter):
    """Two ways to a case: the receipt's QR (or its typed code) with the last 4 digits of the ID number,
    or the ID card's QR alone (the holder's latest cases). The answer holds no name, ID or address."""

    code = StringProperty("")
    last4 = StringProperty("")
    active = StringProperty("code")  # the field the keyboard types into: "code" or "last4"
    cases = ListProperty([])  # the public lookup's answer per case, newest first
    masked_id = StringProperty("")  # the card's number, masked, when the cases were found by the card

    def __init__(self, api: KioskApi) -> None:
        super().__init__()
        self.api = api

    def handle_scan(self, text: str) -> str:
        """What a scanned code is: "code" (a receipt: its code filled in), "card" (an ID card: the
        flow looks its cases up) or "" (something else, said on screen)."""
        text = text.strip()
        code = case_code_in(text)
        if code is not None:
            self.code, self.error, self.cases = code, None, []
            self.active = "code" if len(self.last4) == 4 else "last4"
            return "code"
        if "|" in text:
            try:
                parse_cccd(text)
            except CccdError as error:
                self.fail(Text(error.message_vi, error.message_en))
                return ""
            return "card"
        self.fail(T["lookup.not_case"])
        return ""

    def press(self, key: str) -> None:
        if self.active == "last4":
            if not key.isdigit():
                self.fail(T["lookup.digits_only"])
            elif len(self.last4) < 4:
                self.last4, self.error = self.last4 + key, None
        elif len(self.code) < 24 and (key.isalnum() or key == "-"):
            self.code += key.upper()

    def backspace(self) -> None:
        if self.active == "last4":
            self.last4 = self.last4[:-1]
        else:
            self.code = self.code[:-1]

    def focus(self, field: str) -> None:
        self.active = field if field in ("code", "last4") else "code"

    def ready(self) -> bool:
        """ "Tra cứu" (the keyboard's OK): on a good code with no digits yet, on to the digits; else
        whether both are there, each wrong one said in plain words."""
        if not DOSSIER_CODE.match(self.code):
            self.active = "code"
            self.fail(T["lookup.bad_code"])
            return False
        if not (len(self.last4) == 4 and self.last4.isdigit()):
            if self.active == "code" and not self.last4:
                self.active, self.error = "last4", None
            else:
                self.active = "last4"
                self.fail(T["lookup.need_last4"])
            return False
        return True

    async def search(self) -> bool:
        """The code and the last 4 digits, as the public lookup page asks them."""
        if not self.ready():
            return False
        self.cases, self.masked_id = [], ""  # never the previous case under a new question
        found = await self._ask(self.api.lookup_dossier(self.code, {"last4": self.last4}))
        if found is None:
            return False
        self.cases = [found]
        return True

    async def search_by_card(self, qr: str) -> bool:
        """The ID card's QR: the holder's latest cases (the server checks the card's name and birth date)."""
        self.cases, self.masked_id = [], ""
        found = await self._ask(self.api.lookup_by_card(qr))
        if found is None:
            return False
        if not found.get("cases"):
            self.fail(T["lookup.no_cases"])
            return False
        self.masked_id = str(found.get("personal_id_masked") or "")
        self.cases = list(found["cases"])
        return True

    async def _ask(self, awaitable: Awaitable[dict[str, Any]]) -> dict[str, Any] | None:
        """The server's answer; its refusals said as the kiosk says them (a wrong pair, a lock-out)."""
        self.busy, self.error = True, None
        try:
            return await awaitable
        except ApiError as error:
            log.info("lookup: %s", error.code)
            if error.code == "dossier_not_found":
                self.last4, self.active = "", "last4"  # typed again, digit by digit
                self.fail(T["lookup.not_found"])
            elif error.code == "too_many_lookups":
                wait_s = int(error.details.get("retry_after_s") or 60)
                self.fail(T["lookup.locked"].fill(minutes=max(1, math.ceil(wait_s / 60))))
            else:
                self.fail(Text(error.message_vi, error.message_en))
            return None
        finally:
            self.busy = False

    def again(self) -> None:
        """ "Tra cứu hồ sơ khác": an empty question, nothing of the last answer."""
        self.reset()
        self.active = "code"


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
