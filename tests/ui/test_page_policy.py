"""The board, the console, the dashboard and the rating tablet work under their Content-Security-Policy
(issue 12): Chromium enforces it here (no bypass), and no script or style is refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import expect

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import DISPLAY_KEY, KIOSK, PASSWORD, free_port, make_server
from tests.ui.conftest import bearer, new_page, serve


def _policed_page(chromium: Any, errors: list[str], refused: list[str]) -> Any:
    page = new_page(chromium, errors, enforce_csp=True)
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page


def test_pages_work_under_their_content_security_policy(
    chromium: Any, page_errors: list[str], tmp_path: Path
) -> None:
    refused: list[str] = []
    server = make_server(f"sqlite:///{tmp_path / 'csp.sqlite3'}", ManualClock(T0))
    with serve(server.app, free_port()) as base:
        httpx.post(f"{base}/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        staff = bearer(base, "canbo2", PASSWORD)
        assert httpx.post(f"{base}/api/v1/counters/2/open", headers=staff).status_code == 200

        board = _policed_page(chromium, page_errors, refused)
        response = board.goto(f"{base}/board?key={DISPLAY_KEY}")
        assert (
            response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
        )
        expect(board.locator("#title")).to_have_text("Công an xã Tân Phú")
        called = httpx.post(f"{base}/api/v1/counters/2/call-next", headers=staff).json()
        assert called["number"] == "A001"
        expect(board.locator(".tile").nth(1).locator(".number")).to_have_text("A001")  # live, WebSocket

        console = _policed_page(chromium, page_errors, refused)
        console.goto(f"{base}/counter")
        console.fill("#username", "canbo1")
        console.fill("#password", PASSWORD)
        console.click("#login-form button[type=submit]")
        console.get_by_role("button", name=re.compile("^Quầy 1")).click()
        expect(console.locator("#seat")).to_have_text("Quầy 1")

        dashboard = _policed_page(chromium, page_errors, refused)
        dashboard.goto(f"{base}/dashboard")
        dashboard.fill("#username", "giamsat")
        dashboard.fill("#password", PASSWORD)
        dashboard.click("button[type=submit]")
        expect(dashboard.locator("#queues .queue").first).to_be_visible()
        expect(dashboard.locator("#link.on")).to_have_count(1)
        expect(dashboard.locator("#chart-hours svg").first).to_be_attached()

        # The rating tablet's inline script (allowed by its hash) asks about the visit just finished.
        for action in ("start", "finish"):
            finished = httpx.post(f"{base}/api/v1/tickets/{called['id']}/{action}", headers=staff)
            assert finished.status_code == 200, finished.text
        tablet = _policed_page(chromium, page_errors, refused)
        tablet.goto(f"{base}/rate/2?key={DISPLAY_KEY}")
        expect(tablet.locator("#idle h1")).to_have_text("Quầy 2")
        expect(tablet.locator("#ask")).to_be_visible(timeout=15_000)
        expect(tablet.locator("#number")).to_have_text("A001")
        expect(tablet.locator("#faces button")).to_have_count(5)
    assert refused == []
    assert page_errors == []
