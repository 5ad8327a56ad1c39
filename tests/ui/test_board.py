"""The lobby board in real headless Chromium against the real server under uvicorn.

A call made through the API shows on the board (tile, recent calls, queue panel, spoken text); after the
server restarts on the same port and database the board shows that it is stale, reconnects by itself and
shows the calls made while it was cut off.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from queue_server.app import build_context, create_app
from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import DISPLAY_KEY, KIOSK, PASSWORD, free_port, make_server
from tests.ui.conftest import bearer, board_config_dir, new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect

BOARD_TOML = """
notice = "Thông báo thử nghiệm: công dân vui lòng giữ trật tự."
highlight_count = 4
flash_seconds = 3
[voice]
repeat = 1
"""
STALE_TEXT = "Mất kết nối máy chủ — đang kết nối lại…"


def issue(base: str, queue: str) -> dict[str, Any]:
    answer = httpx.post(f"{base}/api/v1/tickets", json={"queue": queue}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def open_board(chromium: Any, errors: list[str], base: str, width: int = 1920, height: int = 1080) -> Any:
    page = new_page(chromium, errors, width, height)
    page.goto(f"{base}/board?key={DISPLAY_KEY}")
    expect(page.locator("body")).not_to_have_class(re.compile(r"\bstale\b"))
    return page


def tile(page: Any, counter: int) -> Any:
    return page.locator(".tile").nth(counter - 1)


def test_a_call_through_the_api_shows_on_the_board(
    chromium: Any, page_errors: list[str], tmp_path: Path
) -> None:
    server = make_server(
        f"sqlite:///{tmp_path / 'board.sqlite3'}", ManualClock(T0), board_config_dir(tmp_path, BOARD_TOML)
    )
    with serve(server.app, free_port()) as base:
        for queue in "AABC":
            issue(base, queue)
        staff = bearer(base, "canbo1", PASSWORD)
        assert httpx.post(f"{base}/api/v1/counters/1/open", headers=staff).status_code == 200
        page = open_board(chromium, page_errors, base)

        # The display key was taken out of the address and kept for the next start.
        assert "key=" not in page.url
        assert page.evaluate("localStorage.getItem('motcua.board.key')") == DISPLAY_KEY
        expect(page.locator("#title")).to_have_text("Công an xã Tân Phú")
        expect(page.locator("#notice")).to_have_text("Thông báo thử nghiệm: công dân vui lòng giữ trật tự.")
        expect(page.locator(".queue").first).to_contain_text("Đang chờ: 2")

        called = httpx.post(f"{base}/api/v1/counters/1/call-next", headers=staff).json()
        assert called["number"] == "A001"
        expect(tile(page, 1).locator(".number")).to_have_text("A001")
        expect(tile(page, 1).locator(".counter")).to_have_text("Quầy 1")
        expect(page.locator("#recent li").first).to_have_text(re.compile(r"A001\s*Quầy 1"))
        expect(page.locator(".queue").first).to_contain_text("Đang chờ: 1")
        page.wait_for_function("window.motcuaBoard.stats.announced >= 1")
        spoken = page.evaluate("window.motcuaBoard.stats.lastAnnouncement")
        assert spoken == "Xin mời công dân có số thứ tự A không không một đến quầy số một"

        httpx.post(f"{base}/api/v1/tickets/{called['id']}/recall", headers=staff)
        page.wait_for_function("window.motcuaBoard.stats.announced >= 2")
        second = httpx.post(f"{base}/api/v1/counters/1/call-next", headers=staff).json()
        expect(page.locator("#recent li").first).to_have_text(re.compile(rf"{second['number']}\s*Quầy 1"))
        expect(page.locator("#recent li.newest")).to_have_count(1)
        expect(tile(page, 2)).to_have_class(re.compile(r"\bclosed\b"))
        expect(tile(page, 2).locator(".state")).to_have_text("Quầy đóng")

        text = page.locator("body").inner_text()
        assert "canbo1" not in text  # who sits at a counter is not for the hall
        screenshot(page, "board-1920x1080.png")
        page.set_viewport_size({"width": 1280, "height": 720})
        number_box = tile(page, 1).locator(".number").bounding_box()
        assert number_box is not None and number_box["y"] + number_box["height"] <= 720
        screenshot(page, "board-1280x720.png")
    assert page_errors == []


def test_board_reconnects_after_a_server_restart_and_catches_up(
    chromium: Any, page_errors: list[str], tmp_path: Path
) -> None:
    server = make_server(
        f"sqlite:///{tmp_path / 'restart.sqlite3'}", ManualClock(T0), board_config_dir(tmp_path, BOARD_TOML)
    )
    port = free_port()
    with serve(server.app, port) as base:
        for queue in "AAAA":
            issue(base, queue)
        staff = bearer(base, "canbo1", PASSWORD)
        httpx.post(f"{base}/api/v1/counters/1/open", headers=staff)
        httpx.post(f"{base}/api/v1/counters/1/call-next", headers=staff)
        page = open_board(chromium, page_errors, base, 1280, 720)
        expect(tile(page, 1).locator(".number")).to_have_text("A001")
        announced_before = page.evaluate("window.motcuaBoard.stats.announced")

    # The server is down: the board says so plainly and dims what it shows.
    expect(page.locator("#banner")).to_be_visible()
    expect(page.locator("#banner")).to_have_text(STALE_TEXT)
    expect(page.locator("body")).to_have_class(re.compile(r"\bstale\b"))
    screenshot(page, "board-stale-1280x720.png")

    # Calls made while the board is cut off (a new server process on the same database, not listening yet).
    again = create_app(build_context(server.ctx.settings, server.clock))
    with TestClient(again) as client:
        staff = login(client, "canbo1")
        assert client.post("/api/v1/counters/1/call-next", headers=staff).json()["number"] == "A002"
        staff2 = login(client, "canbo2")
        client.post("/api/v1/counters/2/open", headers=staff2)
        assert client.post("/api/v1/counters/2/call-next", headers=staff2).json()["number"] == "A003"

    with serve(again, port) as base:
        # The board retries with capped backoff (15 s at most between attempts): allow for one full wait.
        expect(page.locator("body")).not_to_have_class(re.compile(r"\bstale\b"), timeout=20_000)
        expect(page.locator("#banner")).to_be_hidden()
        expect(tile(page, 1).locator(".number")).to_have_text("A002")
        expect(tile(page, 2).locator(".number")).to_have_text("A003")
        expect(page.locator("#recent li").nth(0)).to_have_text(re.compile(r"A003\s*Quầy 2"))
        expect(page.locator("#recent li").nth(1)).to_have_text(re.compile(r"A002\s*Quầy 1"))
        # Missed calls are shown, not read out minutes late; new calls are read out again.
        assert page.evaluate("window.motcuaBoard.stats.announced") == announced_before
        staff = bearer(base, "canbo1", PASSWORD)
        assert httpx.post(f"{base}/api/v1/counters/1/call-next", headers=staff).json()["number"] == "A004"
        expect(tile(page, 1).locator(".number")).to_have_text("A004")
        page.wait_for_function(f"window.motcuaBoard.stats.announced > {announced_before}")
        assert page.evaluate("window.motcuaBoard.stats.reconnects") >= 1
    assert page_errors == []


def test_board_without_a_valid_key_says_so(chromium: Any, page_errors: list[str], tmp_path: Path) -> None:
    server = make_server(f"sqlite:///{tmp_path / 'key.sqlite3'}", ManualClock(T0))
    with serve(server.app, free_port()) as base:
        page = new_page(chromium, page_errors)
        page.goto(f"{base}/board?key=not-a-real-key-000")
        expect(page.locator("#banner")).to_contain_text("khóa thiết bị")
        expect(page.locator("body")).to_have_class(re.compile(r"\bstale\b"))
    assert page_errors == []


def login(client: Any, username: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
