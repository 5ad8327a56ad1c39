"""A kiosk's "Gọi cán bộ hỗ trợ" on the counter console and the supervisors' dashboard, in real headless
Chromium against the real server: which kiosk and since when, live from the event stream, and
"Đã đến hỗ trợ" on one page clearing it on the other."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK, PASSWORD, free_port, make_server
from tests.ui.conftest import bearer, new_page, screenshot, serve
from tests.ui.test_console import sign_in

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect


def press(base: str) -> dict[str, Any]:
    answer = httpx.post(f"{base}/api/v1/kiosk/help", headers=KIOSK)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_console_and_the_dashboard_show_a_kiosk_calling_until_someone_went(
    chromium: Any, page_errors: list[str], tmp_path: Path
) -> None:
    server = make_server(f"sqlite:///{tmp_path / 'help.sqlite3'}", ManualClock(T0))
    with serve(server.app, free_port()) as base:
        console = new_page(chromium, page_errors, 1366, 768)
        sign_in(console, base, "canbo1")
        console.get_by_role("button", name=re.compile("^Quầy 1")).click()
        expect(console.locator("#seat")).to_have_text("Quầy 1")
        dashboard = new_page(chromium, page_errors)
        dashboard.goto(f"{base}/dashboard")
        dashboard.fill("#username", "giamsat")
        dashboard.fill("#password", PASSWORD)
        dashboard.click("button[type=submit]")
        expect(dashboard.locator("#link")).to_have_text("trực tiếp")
        expect(console.locator("#help-calls")).to_be_hidden()
        expect(dashboard.locator("#help-calls")).to_be_hidden()

        # The kiosk calls, and its citizen presses again and again: one call on each page, live.
        call = press(base)
        for _ in range(3):
            press(base)
        for page in (console, dashboard):
            rows = page.locator("#help-calls .help-call")
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text("Máy kiosk-1 cần cán bộ hỗ trợ công dân")
            expect(rows.first.locator("time")).to_have_text(re.compile(r"^từ \d\d:\d\d · vừa xong$"))
            assert rows.first.get_attribute("data-id") == str(call["id"])
        # Five minutes on (the server's clock), a press again: the staff are told again, with the wait.
        server.clock.advance(seconds=300)  # type: ignore[attr-defined]
        assert press(base)["outcome"] == "remind"
        for page in (console, dashboard):
            expect(page.locator("#help-calls time")).to_have_text(re.compile(r"· 5 phút trước$"))
            expect(page.locator("#help-calls .help-call")).to_contain_text("(bấm 5 lần)")
        screenshot(console, "console-kiosk-help.png")
        screenshot(dashboard, "dashboard-kiosk-help.png")

        # "Đã đến hỗ trợ" at the counter: gone here, and from the dashboard by its event.
        console.locator("#help-calls").get_by_role("button", name="Đã đến hỗ trợ").click()
        expect(console.locator("#help-calls")).to_be_hidden()
        expect(dashboard.locator("#help-calls")).to_be_hidden()
        staff = bearer(base, "canbo2", PASSWORD)
        assert httpx.get(f"{base}/api/v1/kiosk-help", headers=staff).json() == []
        mine = httpx.get(f"{base}/api/v1/kiosk/help", headers=KIOSK).json()
        assert mine["id"] == call["id"] and mine["answered_at"]

        # A new call, answered from the dashboard this time.
        second = press(base)
        expect(console.locator(f"#help-calls .help-call[data-id='{second['id']}']")).to_be_visible()
        dashboard.locator("#help-calls").get_by_role("button", name="Đã đến hỗ trợ").click()
        expect(dashboard.locator("#help-calls")).to_be_hidden()
        expect(console.locator("#help-calls")).to_be_hidden()
    assert page_errors == []
