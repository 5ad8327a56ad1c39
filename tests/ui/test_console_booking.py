"""Staff book a time for a citizen from the counter console ("Đặt lịch hẹn"), in real headless Chromium
against the real server: the office's procedures, days and free slots, the booking's code on screen, the
slot's last place gone afterwards, and the same phone refused a second booking with the server's words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import PASSWORD, free_port, make_server
from tests.ui.conftest import bearer, board_config_dir, new_page, screenshot, serve
from tests.ui.test_console import sign_in

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect

PASSPORT = "1.001456"  # queue C: 30-minute slots, one place each


def test_staff_book_a_time_for_a_citizen_from_the_console(
    chromium: Any, page_errors: list[str], tmp_path: Path
) -> None:
    config = board_config_dir(tmp_path, "")
    server = make_server(f"sqlite:///{tmp_path / 'booking.sqlite3'}", ManualClock(T0), config)
    with serve(server.app, free_port()) as base:
        page = new_page(chromium, page_errors)
        sign_in(page, base, "canbo1")
        page.get_by_role("button", name="Đặt lịch hẹn").click()
        dialog = page.locator("#book-dialog")
        expect(dialog).to_be_visible()
        expect(page.locator("#book-office")).to_have_text("Công an xã Tân Phú")
        page.select_option("#book-procedure", PASSPORT)
        page.select_option("#book-day", "2026-03-11")
        expect(page.locator("#book-day option:checked")).to_have_text("Thứ Tư, 11/03/2026")
        nine = "2026-03-11T09:00:00+07:00"
        expect(page.locator(f'#book-slot option[value="{nine}"]')).to_have_text("09:00 (còn 1 chỗ)")
        page.select_option("#book-slot", nine)
        page.fill("#book-name", "Nguyễn Văn An")
        page.fill("#book-phone", "0912 345 678")
        page.check("#book-consent")
        page.get_by_role("button", name="Đặt lịch", exact=True).click()

        expect(page.locator("#book-code")).to_have_text(re.compile(r"^[A-Z0-9]{6}$"))
        expect(page.locator("#book-result")).to_contain_text("lúc 09:00 ngày 11/03/2026")
        code = page.locator("#book-code").inner_text()
        expect(page.locator(f'#book-slot option[value="{nine}"]')).to_have_count(0)  # its one place is taken
        screenshot(page, "console-booking-1920x1080.png")

        staff = bearer(base, "canbo1", PASSWORD)
        slots = httpx.get(
            f"{base}/api/v1/appointments/for-citizen/slots",
            params={"procedure": PASSPORT, "day": "2026-03-11"},
            headers=staff,
        ).json()
        assert next(s for s in slots if s["start"] == nine)["free"] == 0

        # The same phone again, another time: refused, with the reason on screen; nothing booked.
        page.select_option("#book-slot", "2026-03-11T10:00:00+07:00")
        page.fill("#book-name", "Nguyễn Văn An")
        page.fill("#book-phone", "0912345678")
        page.get_by_role("button", name="Đặt lịch", exact=True).click()
        expect(page.locator("#book-error")).to_have_text(
            "Số điện thoại này đã có một lịch hẹn cho dịch vụ này."
        )
        assert page.locator("#book-code").inner_text() == code

        page.get_by_role("button", name="Đóng", exact=True).click()
        expect(dialog).to_be_hidden()
        assert page_errors == []
