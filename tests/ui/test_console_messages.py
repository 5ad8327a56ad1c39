"""The counter console shows the current ticket's messages to the citizen and how each fared, in real
headless Chromium against the real server, whose dispatcher sends through the in-memory gateway (fake://)
with its faults: down (chờ gửi), back up (đã gửi), a delivery receipt (đã nhận), a refused number (lỗi)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from queue_server.clock import ManualClock
from queue_server.messages import dispatcher as dispatcher_module
from queue_server.messages.fake import FakeMessageSender
from tests.conftest import T0
from tests.support import KIOSK, PASSWORD, free_port, make_server
from tests.ui.conftest import bearer, board_config_dir, new_page, screenshot, serve
from tests.ui.test_console import issue, sign_in

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_the_console_shows_the_current_tickets_messages(
    chromium: Any, page_errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = FakeMessageSender(down=True)
    monkeypatch.setattr(dispatcher_module, "sender_for_url", lambda url, **_: gateway)
    config = board_config_dir(tmp_path, "")
    phone = config / "phone.toml"
    phone.write_text(
        phone.read_text(encoding="utf-8").replace('sender = ""', 'sender = "fake://"', 1), "utf-8"
    )
    clock = ManualClock(T0)
    server = make_server(f"sqlite:///{tmp_path / 'messages.sqlite3'}", clock, config)
    with serve(server.app, free_port()) as base:
        first, second = issue(base, "A"), issue(base, "A")
        for ticket in (first, second):
            contact = {"phone": "0912345678", "consent": True}
            answer = httpx.post(f"{base}/api/v1/tickets/{ticket['id']}/contact", json=contact, headers=KIOSK)
            assert answer.status_code == 201, answer.text
        staff = bearer(base, "canbo2", PASSWORD)

        def statuses(ticket: dict[str, Any]) -> list[str]:
            answer = httpx.get(f"{base}/api/v1/tickets/{ticket['id']}/messages", headers=staff)
            return [m["status"] for m in answer.json() if m["kind"] == "call"]

        page = new_page(chromium, page_errors, timezone_id="America/New_York")  # 12 h behind the office
        sign_in(page, base, "canbo1")
        page.get_by_role("button", name=re.compile("^Quầy 1")).click()
        expect(page.locator("#seat")).to_have_text("Quầy 1")
        expect(page.locator("#cur-messages")).to_be_hidden()

        # The gateway is down: the call's message waits.
        page.keyboard.press("F1")
        expect(page.locator("#cur-number")).to_have_text(first["number"])
        call = page.locator("#cur-message-list li").filter(has_text="Mời đến quầy")
        expect(call).to_have_count(1)
        expect(call.locator(".msg-status")).to_have_text("chờ gửi")
        listed = httpx.get(f"{base}/api/v1/tickets/{first['id']}/messages", headers=staff).json()
        (planned,) = [m for m in listed if m["kind"] == "call"]
        created = datetime.fromisoformat(planned["created_at"])
        office_clock = created.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M")
        assert office_clock != created.astimezone(ZoneInfo("America/New_York")).strftime("%H:%M")
        expect(call.locator("time")).to_have_text(office_clock)  # the office's clock, not the browser's
        assert "0912345678" not in page.locator("#cur-messages").inner_text()

        # Back up, past the back-off: sent. The ticket's next event (a recall) shows it.
        gateway.down = False
        clock.advance(seconds=30)
        wait_until(lambda: statuses(first) == ["sent"], "the message to be sent")
        page.keyboard.press("r")
        expect(call.locator(".msg-status")).to_have_text("đã gửi")

        # The carrier's receipt: delivered, shown on the next event (service starts).
        gateway.deliver("fake-1")
        wait_until(lambda: statuses(first) == ["delivered"], "the receipt")
        page.keyboard.press("s")
        expect(call.locator(".msg-status")).to_have_text("đã nhận")
        screenshot(page, "console-messages-1920x1080.png")

        # The next citizen's number is refused by the gateway: an error, for staff to see.
        gateway.refuse_next = 1
        page.keyboard.press("f")
        expect(page.locator("#cur-messages")).to_be_hidden()
        page.keyboard.press("F1")
        expect(page.locator("#cur-number")).to_have_text(second["number"])
        wait_until(lambda: statuses(second) == ["failed"], "the refusal")
        expect(call.locator(".msg-status")).to_have_text("lỗi", timeout=15000)  # the console's own re-read
        assert page_errors == []
