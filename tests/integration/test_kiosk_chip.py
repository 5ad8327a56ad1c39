"""Issue 17 item 2: the kiosk identifies a citizen from the card's chip, through the flow and presenters, with
the fake chip reader (an emulated ICAO 9303 card in memory) and a real server that re-authenticates the chip."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")

import pytest

from devices.chip import ChipReader, specimen
from devices.chip.emulated import EmulatedCard
from devices.chip.fake import FakeChipReader
from devices.chip.ports import MrzKey
from devices.scanners.cccd import masked_id
from kiosk.api import KioskApi
from kiosk.config import KioskConfig
from kiosk.flow import KioskFlow
from kiosk.text import T
from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK_KEY, make_server, running_server

R = TypeVar("R")
LAN = replace(
    specimen.Person(),
    id_number="001199007788",
    full_name="Phạm Thị Lan",
    birth_date="07/09/1990",
    residence="Số 12 phố Hàng Bạc, phường Hàng Đào, Hà Nội",
)
CAN = "123456"


class WatchedReader(FakeChipReader):
    """The fake reader, noting which thread each read ran on (the kiosk's loop must not block on it)."""

    def __init__(self, card: EmulatedCard | None) -> None:
        super().__init__("fake://", card)
        self.read_threads: list[int] = []

    def read_card(
        self,
        *,
        can: str | None = None,
        mrz: MrzKey | None = None,
        read_face: bool = True,
        challenge: bytes | None = None,
    ) -> Any:
        self.read_threads.append(threading.get_ident())
        return super().read_card(can=can, mrz=mrz, read_face=read_face, challenge=challenge)


@pytest.fixture(scope="module")
def office_csca() -> specimen.Issuer:
    return specimen.make_issuer()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, office_csca: specimen.Issuer) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("kiosk-chip")
    csca_dir = folder / "csca"
    csca_dir.mkdir()
    (csca_dir / "vn-test.pem").write_bytes(office_csca.csca_pem())
    server = make_server(f"sqlite:///{folder / 'motcua.sqlite3'}", ManualClock(T0), csca_dir=Path(csca_dir))
    with running_server(server) as url:
        yield url


def card(issuer: specimen.Issuer) -> EmulatedCard:
    return EmulatedCard(specimen.build_card(specimen.CardSpec(person=LAN), issuer))


def altered_card(issuer: specimen.Issuer) -> EmulatedCard:
    """The specimen person's card with one DG13 byte of her name changed after signing."""
    return EmulatedCard(specimen.build_card(specimen.CardSpec(), issuer, alter_dg13=True))


def run_flow(base: str, reader: ChipReader | None, scenario: Callable[[KioskFlow], Awaitable[R]]) -> R:
    async def main() -> R:
        settings = KioskConfig(server=base, device_key=KIOSK_KEY)
        api = KioskApi(settings.server, settings.device_key, timeout_s=5.0)
        flow = KioskFlow(api, settings, None, today=lambda: date(2026, 3, 10), chip_reader=reader)
        try:
            await flow.begin("case")
            return await scenario(flow)
        finally:
            flow.health.stop()
            await api.aclose()

    return asyncio.run(main())


async def read_with(flow: KioskFlow, can: str) -> None:
    flow.open_chip()
    for digit in can:
        flow.chip.press_digit(digit)
    await flow.read_chip()


def test_a_genuine_chip_identifies_the_citizen_read_off_the_loop_and_claimed_with_the_server(
    base_url: str, office_csca: specimen.Issuer
) -> None:
    reader = WatchedReader(card(office_csca))

    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        assert flow.has_chip_reader and flow.screen == "identify"
        await read_with(flow, CAN)
        loop_thread = threading.get_ident()
        registered = await flow.prepare.register()
        return {
            "screen": flow.screen,
            "error": flow.chip.error,
            "identify": flow.identify.snapshot(),
            "off_loop": all(t != loop_thread for t in reader.read_threads) and len(reader.read_threads) == 1,
            "registered": registered,
            "claim": flow.prepare.claim,
        }

    seen = run_flow(base_url, reader, scenario)
    assert seen["error"] is None and seen["screen"] == "confirm"
    identify = seen["identify"]
    assert identify["source"] == "chip-genuine" and identify["identified"] and identify["from_card"]
    assert identify["full_name"] == "Phạm Thị Lan" and identify["birth_date"] == date(1990, 9, 7)
    assert identify["id_number"] == "001199007788" and identify["id_masked"] == masked_id("001199007788")
    assert identify["address"].startswith("Số 12 phố Hàng Bạc")
    assert seen["off_loop"], "the chip was read on the asyncio loop's thread"
    # The case goes on with the server's chip claim: no second registration by QR or typed number.
    assert seen["registered"] and seen["claim"] and seen["claim"] == identify["chip_claim"]


def test_a_chip_signed_by_an_unknown_csca_is_a_claim_not_verifiable(base_url: str) -> None:
    stranger_state = specimen.make_issuer(csca_name="CSCA không được cài", signer_name="DS lạ")
    reader = FakeChipReader("fake://", card(stranger_state))

    async def scenario(flow: KioskFlow) -> tuple[str, str]:
        await read_with(flow, CAN)
        return flow.screen, flow.identify.source

    assert run_flow(base_url, reader, scenario) == ("confirm", "chip-not-verifiable")


def failing_read(base: str, reader: FakeChipReader, can: str = CAN) -> dict[str, Any]:
    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        await read_with(flow, can)
        return {
            "screen": flow.screen,
            "error": flow.chip.error,
            "can": flow.chip.can,
            "identified": flow.identify.identified,
            "reading": flow.chip.reading,
        }

    seen = run_flow(base, reader, scenario)
    assert seen["screen"] == "chip" and not seen["identified"] and not seen["reading"]
    return seen


def test_an_altered_card_is_refused_with_the_counter_message(
    base_url: str, office_csca: specimen.Issuer
) -> None:
    seen = failing_read(base_url, FakeChipReader("fake://", altered_card(office_csca)))
    assert seen["error"] == T["chip.invalid"]
    assert seen["error"].vi == "Thẻ không hợp lệ, mời Ông/Bà đến quầy."


def test_no_card_on_the_reader_says_so(base_url: str) -> None:
    seen = failing_read(base_url, FakeChipReader("fake://", None))
    assert seen["error"] == T["chip.no_card"] and "Chưa thấy thẻ" in seen["error"].vi


def test_a_wrong_can_asks_for_it_again_with_the_pad_cleared(
    base_url: str, office_csca: specimen.Issuer
) -> None:
    seen = failing_read(base_url, FakeChipReader("fake://", card(office_csca)), can="654321")
    assert seen["error"] == T["chip.wrong_can"] and seen["can"] == ""


def test_a_short_can_is_refused_before_the_card_is_touched(
    base_url: str, office_csca: specimen.Issuer
) -> None:
    reader = WatchedReader(card(office_csca))
    seen = failing_read(base_url, reader, can="1234")
    assert seen["error"] == T["chip.bad_can"] and reader.read_threads == []


def test_a_card_lifted_mid_read_says_put_it_back(base_url: str, office_csca: specimen.Issuer) -> None:
    reader = FakeChipReader("fake://", card(office_csca))
    reader.remove_after(12)
    seen = failing_read(base_url, reader)
    assert seen["error"] == T["chip.card_removed"] and "nhấc ra" in seen["error"].vi


def test_without_a_reader_the_identify_screen_offers_no_chip(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> tuple[bool, bool]:
        return flow.has_chip_reader, await flow.chip.read()

    assert run_flow(base_url, None, scenario) == (False, False)
