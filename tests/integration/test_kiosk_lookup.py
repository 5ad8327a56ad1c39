"""A citizen follows a case at the kiosk, without a window: the receipt's QR with the last 4 digits, or
the ID card's QR alone, against a real server (its own per test: the lookups' limits are per client)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")

import pytest

from kiosk.api import KioskApi
from kiosk.config import KioskConfig
from kiosk.flow import KioskFlow
from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import NHUNG_QR, seated, submit
from tests.support import KIOSK_KEY, Server, client_for, make_server, running_server

RECEIPT = "{base}/tra-cuu?ma={code}"  # what the receipt's QR holds


@pytest.fixture
def server(tmp_path: Path) -> Server:
    return make_server(f"sqlite:///{tmp_path / 'db.sqlite3'}", ManualClock(T0))


@pytest.fixture
def base_url(server: Server) -> Iterator[str]:
    with running_server(server) as url:
        yield url


def a_case(server: Server, papers_requested: bool = False) -> str:
    """A residence case submitted at a kiosk by the card's QR; the counter may ask for a paper."""
    with client_for(server) as client:
        code = str(
            submit(client, f"kiosk-follow-{T0.timestamp()}-{papers_requested}", []).json()["dossier"]["code"]
        )
        if papers_requested:
            staff = seated(server, client, "canbo1", 1)
            asked = client.post(
                f"/api/v1/dossiers/{code}/request-papers",
                json={"reason": "Cần bản sao sổ đỏ", "papers": ["GTCMCHO"]},
                headers=staff,
            )
            assert asked.status_code == 200, asked.text
    return code


def run(base: str, scenario: Any) -> Any:
    async def main() -> Any:
        settings = KioskConfig(server=base, device_key=KIOSK_KEY)
        api = KioskApi(settings.server, settings.device_key, timeout_s=5.0)
        flow = KioskFlow(api, settings, None)
        try:
            return await scenario(flow)
        finally:
            flow.health.stop()
            await api.aclose()

    return asyncio.run(main())


def now() -> datetime:
    return datetime.now(UTC)


def test_the_receipts_qr_and_the_last_4_digits_show_the_case_then_a_wipe_forgets_it(
    server: Server, base_url: str
) -> None:
    code = a_case(server, papers_requested=True)

    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        await flow.begin("lookup")
        await flow.on_scan(RECEIPT.format(base=base_url, code=code), now())
        assert flow.lookup.code == code and flow.lookup.active == "last4" and flow.screen == "lookup"
        for digit in "4567":
            flow.lookup.press(digit)
        await flow.search_lookup()
        seen = {"screen": flow.screen, "cases": list(flow.lookup.cases), "masked": flow.lookup.masked_id}
        flow.wipe()
        seen["after_wipe"] = flow.lookup.snapshot()
        return seen

    seen = run(base_url, scenario)
    assert seen["screen"] == "lookup_result" and seen["masked"] == ""
    (case,) = seen["cases"]
    assert case["code"] == code and case["status"] == "papers_requested"
    assert [m["type"] for m in case["missing"]] == ["GTCMCHO"] and case[
        "missing_reason"
    ] == "Cần bản sao sổ đỏ"
    assert case["office_name_vi"]  # where to bring them
    assert (
        not seen["after_wipe"]["cases"] and not seen["after_wipe"]["code"] and not seen["after_wipe"]["last4"]
    )


def test_the_id_cards_qr_alone_shows_the_holders_cases_masked(server: Server, base_url: str) -> None:
    code = a_case(server)

    async def scenario(flow: KioskFlow) -> tuple[str, list[Any], str]:
        await flow.begin("lookup")
        await flow.on_scan(NHUNG_QR, now())
        return flow.screen, list(flow.lookup.cases), flow.lookup.masked_id

    screen, cases, masked = run(base_url, scenario)
    assert screen == "lookup_result" and [c["code"] for c in cases] == [code]
    assert masked == "001******567" and "Nhung" not in str(cases)


def test_a_card_shown_before_the_lookup_opened_is_not_taken(server: Server, base_url: str) -> None:
    a_case(server)

    async def scenario(flow: KioskFlow) -> tuple[str, list[Any]]:
        before = now() - timedelta(seconds=1)  # read while the previous citizen was here
        await flow.begin("lookup")
        await flow.on_scan(NHUNG_QR, before)
        return flow.screen, list(flow.lookup.cases)

    assert run(base_url, scenario) == ("lookup", [])


def test_a_card_without_cases_and_a_wrong_pair_are_said_plainly(server: Server, base_url: str) -> None:
    code = a_case(server)
    stranger = "079185009999||Phạm Thị Lan|01011960|Nữ|Xã Tân Phú|01032022"

    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        await flow.begin("lookup")
        await flow.on_scan(stranger, now())
        said = {"no_cases": flow.lookup.error.vi, "screen": flow.screen}
        await flow.on_scan("ABC", now())
        said["not_case"] = flow.lookup.error.vi
        await flow.on_scan(code, now())  # an older receipt: the bare code
        for digit in "0000":
            flow.lookup.press(digit)
        await flow.search_lookup()
        said.update(wrong=flow.lookup.error.vi, last4=flow.lookup.last4, active=flow.lookup.active)
        said["screen_after"] = flow.screen
        return said

    said = run(base_url, scenario)
    assert said["screen"] == said["screen_after"] == "lookup"
    assert said["no_cases"].startswith("Không tìm thấy hồ sơ nào của thẻ căn cước này")
    assert "không phải giấy tiếp nhận" in said["not_case"]
    assert said["wrong"].startswith("Không tìm thấy hồ sơ với mã và 4 số này")
    assert (said["last4"], said["active"]) == ("", "last4")  # typed again from the first digit


def test_wrong_digits_lock_the_code_at_this_kiosk_as_on_the_lookup_page(
    server: Server, base_url: str
) -> None:
    code = a_case(server)

    async def scenario(flow: KioskFlow) -> list[str]:
        await flow.begin("lookup")
        await flow.on_scan(code, now())
        said = []
        for guess in ("0001", "0002", "0003", "0004", "0005", "4567"):
            for digit in guess:
                flow.lookup.press(digit)
            await flow.search_lookup()
            said.append(flow.lookup.error.vi if flow.lookup.error else flow.screen)
        return said

    said = run(base_url, scenario)
    assert all(s.startswith("Không tìm thấy hồ sơ với mã") for s in said[:5])
    assert said[5] == "Đã tra cứu sai nhiều lần. Xin Ông/Bà thử lại sau 15 phút, hoặc hỏi cán bộ tại quầy."
