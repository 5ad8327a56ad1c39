"""The citizen's phone page at 390x844 in real headless Chromium: it follows a ticket from waiting to
called without any key, with the expected time of the call; a made-up code gets a plain "not found"."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK, PASSWORD, free_port, make_server
from tests.ui.conftest import bearer, new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect
VIBRATIONS = (
    "window.vibrations = []; navigator.vibrate = (pattern) => { vibrations.push(pattern); return true; };"
)


def issue(base: str, queue: str) -> dict[str, Any]:
    answer = httpx.post(f"{base}/api/v1/tickets", json={"queue": queue}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_phone_follows_a_ticket_from_waiting_to_called(
    chromium: Any, page_errors: list[str], tmp_path: Any
) -> None:
    server = make_server(f"sqlite:///{tmp_path / 'phone.sqlite3'}", ManualClock(T0))
    with serve(server.app, free_port()) as base:
        tickets = [issue(base, "A") for _ in range(3)]
        mine = tickets[2]
        page = new_page(chromium, page_errors, 390, 844)
        page.add_init_script(VIBRATIONS)
        page.goto(f"{base}/t/{mine['public_code']}")
        expect(page.locator("#number")).to_have_text(mine["number"])
        expect(page.locator("#queue")).to_have_text("Cư trú")
        expect(page.locator("#ahead")).to_have_text("2")
        expect(page.locator("#wait")).to_have_text(re.compile(r"^~\d+ phút$"))
        expect(page.locator("#eta")).to_have_text(re.compile(r"^khoảng \d\d:\d\d$"))
        expect(page.locator("#call")).to_be_hidden()
        screenshot(page, "phone-waiting-390x844.png")

        staff = bearer(base, "canbo1", PASSWORD)
        httpx.post(f"{base}/api/v1/counters/1/open", headers=staff)
        assert httpx.post(f"{base}/api/v1/counters/1/call-next", headers=staff).json()["number"] == "A001"
        expect(page.locator("#ahead")).to_have_text("1")  # live, no reload

        called = httpx.post(f"{base}/api/v1/counters/1/call/{mine['id']}", headers=staff)
        assert called.status_code == 200, called.text
        expect(page.locator("#call")).to_be_visible()
        expect(page.locator("#call-text")).to_have_text("Mời Ông/Bà đến quầy 1")
        expect(page).to_have_title(f"{mine['number']} — Mời Ông/Bà đến quầy 1")
        expect(page.locator("#eta")).to_be_hidden()
        assert page.evaluate("vibrations.length") == 1
        screenshot(page, "phone-called-390x844.png")
        box = page.locator("#call").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390

        httpx.post(f"{base}/api/v1/tickets/{mine['id']}/start", headers=staff)
        expect(page.locator("#status")).to_have_text("Ông/Bà đang được phục vụ tại quầy 1.")
        httpx.post(f"{base}/api/v1/tickets/{mine['id']}/finish", headers=staff, json={})
        expect(page.locator("#status")).to_have_text("Đã hoàn thành. Cảm ơn Ông/Bà đã sử dụng dịch vụ!")

        text = page.locator("body").inner_text()
        assert "canbo1" not in text
        shown = page.evaluate("Object.keys(motcuaPhone.ticket)")
        assert not {"id", "public_code", "staff", "staff_id", "office"} & set(shown)
    assert page_errors == []


def test_a_made_up_code_gets_a_plain_not_found(chromium: Any, page_errors: list[str], tmp_path: Any) -> None:
    server = make_server(f"sqlite:///{tmp_path / 'nf.sqlite3'}", ManualClock(T0))
    with serve(server.app, free_port()) as base:
        page = new_page(chromium, page_errors, 390, 844)
        for code in ("KhongCoMaNay12345", "x", "ma-sai-ky-tu-!!"):
            answer = page.goto(f"{base}/t/{code}")
            assert answer is not None and answer.status == 404
            expect(page.locator("h1")).to_have_text("Không tìm thấy số thứ tự")
        screenshot(page, "phone-not-found-390x844.png")
    assert page_errors == []
