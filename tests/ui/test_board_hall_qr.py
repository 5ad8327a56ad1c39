"""The hall's rotating QR on the lobby board, in real headless Chromium against the real server.

The QR is read back from a screenshot (zxing-cpp), so what is checked is what a citizen's phone would see:
the take-a-number page with the hall's current token, a new one after the period (the server's clock is a
ManualClock, the office's period 2 s), one <img> and no growing timers, the numbers still the biggest thing.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import DISPLAY_KEY, free_port, make_server
from tests.ui.conftest import board_config_dir, screenshot, serve
from tests.ui.test_board import open_board

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed")
expect = playwright_api.expect

# Counts the page's pending timeouts, to see that the QR's refreshes do not pile up over time.
COUNT_TIMEOUTS = """
(() => {
  const pending = new Set(), set = window.setTimeout, clear = window.clearTimeout;
  window.setTimeout = (fn, ms, ...args) => {
    const id = set(() => { pending.delete(id); fn(...args); }, ms);
    pending.add(id);
    return id;
  };
  window.clearTimeout = (id) => { pending.delete(id); clear(id); };
  window.pendingTimeouts = () => pending.size;
})();
"""


def config_with_phone(tmp_path: Path, remote_tickets: bool) -> Path:
    config = board_config_dir(tmp_path, "highlight_count = 4\n")
    phone = config / "phone.toml"
    text = phone.read_text(encoding="utf-8")
    text = text.replace('confirm = "hall_qr"', 'confirm = "hall_qr"\nhall_qr_period_s = 2', 1)
    if not remote_tickets:
        text = text.replace("remote_tickets = true", "remote_tickets = false", 1)
    phone.write_text(text, encoding="utf-8")
    return config


def current_link(base: str) -> str:
    answer = httpx.get(f"{base}/api/v1/public/phone/hall-qr/CAXTP", headers={"X-Device-Key": DISPLAY_KEY})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["url"])


def decoded_qr(page: Any, name: str) -> list[str]:
    from PIL import Image

    image = Image.open(io.BytesIO(screenshot(page, name).read_bytes()))
    return [found.text for found in zxingcpp.read_barcodes(image)]


def wait_for_qr(page: Any, link: str, name: str) -> None:
    """The board shows `link` once it has fetched it: wait on the image's source, then read the screen."""
    page.wait_for_function("(link) => window.motcuaBoard.hallQr.url === link", arg=link)
    assert decoded_qr(page, name) == [link]


def test_the_board_shows_the_halls_qr_and_rotates_it(
    chromium: Any, page_errors: list[str], tmp_path: Path
) -> None:
    clock = ManualClock(T0)
    server = make_server(f"sqlite:///{tmp_path / 'qr.sqlite3'}", clock, config_with_phone(tmp_path, True))
    with serve(server.app, free_port()) as base:
        page = chromium.new_context(viewport={"width": 1920, "height": 1080}, locale="vi-VN").new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.add_init_script(COUNT_TIMEOUTS)
        page.goto(f"{base}/board?key={DISPLAY_KEY}")
        qr = page.locator("#hall-qr")
        expect(qr).to_be_visible()
        expect(qr).to_contain_text("Lấy số bằng điện thoại")

        first = current_link(base)
        assert first.startswith(f"{base}/p/so/CAXTP?hall=")
        wait_for_qr(page, first, "board-hall-qr-1920x1080.png")
        assert httpx.get(first).status_code == 200  # the take-a-number page opens

        # The numbers stay the largest thing on the board.
        number_px = float(
            page.locator(".tile .number").first.evaluate("n => getComputedStyle(n).fontSize")[:-2]
        )
        qr_box = page.locator("#hall-qr-img").bounding_box()
        assert number_px > qr_box["height"]
        assert page.locator(".tile").first.bounding_box()["width"] > 2 * qr_box["width"]

        timeouts = page.evaluate("window.pendingTimeouts()")
        for turn in range(3):
            clock.advance(seconds=2)  # the next period on the server's clock
            link = current_link(base)
            assert link != first
            wait_for_qr(page, link, f"board-hall-qr-turn{turn}.png")
            first = link
        assert page.locator("img").count() == 1
        assert page.evaluate("window.pendingTimeouts()") <= timeouts + 1
        assert page_errors == []


def test_no_qr_where_the_office_takes_no_remote_numbers(
    chromium: Any, page_errors: list[str], tmp_path: Path
) -> None:
    server = make_server(
        f"sqlite:///{tmp_path / 'noqr.sqlite3'}", ManualClock(T0), config_with_phone(tmp_path, False)
    )
    with serve(server.app, free_port()) as base:
        answer = httpx.get(f"{base}/api/v1/public/phone/hall-qr/CAXTP", headers={"X-Device-Key": DISPLAY_KEY})
        assert answer.json() == {"enabled": False, "refresh_s": 1}
        page = open_board(chromium, page_errors, base)
        page.wait_for_function("window.motcuaBoard.hallQr.refreshS === 1")
        expect(page.locator("#hall-qr")).to_be_hidden()
        assert decoded_qr(page, "board-no-hall-qr.png") == []
        assert page_errors == []
