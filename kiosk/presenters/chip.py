"""The card's chip: the citizen lays the chip ID card on the reader and types its 6-digit CAN on a pad.

The read talks to the card for a second or two, so it runs on a worker thread and its answer comes back
to the asyncio loop. Before it the kiosk asks the server for a one-time challenge, which the chip signs
(active authentication); the kiosk sends the chip's raw files and that signature to the server, which
authenticates them itself (POST /citizens/chip): the kiosk's own verdict only stops an altered card early.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from devices.chip import ChipError, ChipReader, ChipReadResult, Verdict
from devices.chip.ports import ChipErrorCode
from kiosk.api import ApiError, KioskApi
from kiosk.presenters.base import Presenter
from kiosk.presenters.identify import IdentifyPresenter
from kiosk.text import T, Text

log = logging.getLogger(__name__)
CAN_DIGITS = 6
# The files the server re-authenticates; DG2 (the face) goes along for the officer to compare.
SENT_FILES = {"SOD": "sod", "DG1": "dg1", "DG13": "dg13", "DG2": "dg2", "DG15": "dg15"}
REFUSED_BY_SERVER = ("chip_altered", "chip_not_live")  # altered data, or a read the chip did not sign
SPECIFIC_ERRORS = {
    ChipErrorCode.NO_CARD: "chip.no_card",
    ChipErrorCode.WRONG_CAN: "chip.wrong_can",
    ChipErrorCode.CARD_REMOVED: "chip.card_removed",
    ChipErrorCode.NO_READER: "chip.no_reader",
    ChipErrorCode.PCSC_UNAVAILABLE: "chip.no_reader",
    ChipErrorCode.NOT_AN_ID_CARD: "chip.not_id_card",
}


class ChipPresenter(Presenter):
    can = StringProperty("")  # the digits typed on the pad
    reading = BooleanProperty(False)

    def __init__(self, reader: ChipReader | None, api: KioskApi, identify: IdentifyPresenter) -> None:
        super().__init__()
        self.reader, self.api, self.identify = reader, api, identify

    @property
    def available(self) -> bool:
        return self.reader is not None

    def press_digit(self, digit: str) -> None:
        if digit.isdigit() and len(digit) == 1 and len(self.can) < CAN_DIGITS:
            self.can += digit
            self.error = None

    def backspace(self) -> None:
        self.can = self.can[:-1]

    def clear(self) -> None:
        self.can, self.error = "", None

    async def read(self) -> bool:
        """Read the card with the typed CAN, have the server check it; True when the citizen is identified."""
        if self.reader is None or self.reading:
            return False
        if len(self.can) != CAN_DIGITS:
            self.fail(T["chip.bad_can"])
            return False
        self.reading, self.error = True, None
        try:
            challenge = await self._challenge()
            if challenge is None:
                return False
            result = await self._read_on_worker(self.can, challenge)
            if result is None:
                return False
            if result.verdict is Verdict.ALTERED:
                log.warning("chip read: altered card refused (%s)", "; ".join(result.reasons)[:200])
                self.fail(T["chip.invalid"])
                return False
            answer = await self._claim(result, challenge)
            if answer is None:
                return False
            self.identify.take_chip(result, answer)
            self.can = ""
            return True
        finally:
            self.reading = False

    async def _challenge(self) -> bytes | None:
        try:
            return await self.api.chip_challenge()
        except ApiError as error:
            log.info("chip challenge refused: %s", error.code)
            self.fail(Text(error.message_vi, error.message_en))
            return None

    async def _read_on_worker(self, can: str, challenge: bytes) -> ChipReadResult | None:
        reader = self.reader
        assert reader is not None
        try:
            return await asyncio.to_thread(reader.read_card, can=can, challenge=challenge)
        except ChipError as error:
            log.info("chip read failed: %s", error.code.value)
            key = SPECIFIC_ERRORS.get(error.code)
            if error.code is ChipErrorCode.WRONG_CAN:
                self.can = ""
            self.fail(
                T[key] if key else T["chip.failed"].fill(problem=Text(error.message_vi, error.message_en))
            )
            return None
        except Exception:  # a driver fault must not take the kiosk down
            log.exception("chip read crashed")
            self.fail(T["chip.failed"].fill(problem=Text("Lỗi đầu đọc thẻ", "Card reader fault")))
            return None

    async def _claim(self, result: ChipReadResult, challenge: bytes) -> dict[str, Any] | None:
        files = {
            field: base64.b64encode(result.files[name]).decode()
            for name, field in SENT_FILES.items()
            if name in result.files
        }
        files["challenge"] = challenge.hex()  # the one asked for, whatever the reader says it signed
        if result.active_signature is not None:
            files["aa_signature"] = base64.b64encode(result.active_signature).decode()
        self.busy = True
        try:
            return await self.api.claim_by_chip(files)
        except ApiError as error:
            log.info("chip claim refused: %s", error.code)
            if error.code in REFUSED_BY_SERVER:
                self.fail(T["chip.invalid"])
            else:
                self.fail(Text(error.message_vi, error.message_en))
            return None
        finally:
            self.busy = False
