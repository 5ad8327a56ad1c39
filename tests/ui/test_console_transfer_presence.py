"""The counter console in real Chromium against the real server: a transfer to a specific counter, a
transfer keeping its place that does not come back to the counter that sent it, and a counter paused
"mất kết nối" when its console's script froze (socket still open) or its tab was closed for 10 minutes
(the server's clock moved, no waiting)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.tables.counters import CounterState
from tests.conftest import T0
from tests.support import DISPLAY_KEY, KIOSK, PASSWORD, Server, free_port, make_server, wait_for
from tests.ui.conftest import bearer, new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOTCUA_PRESENCE_CHECK_S", "0.05")  # the sweep runs often; the clock decides
        yield make_server(f"sqlite:///{tmp_path_factory.mktemp('transfer') / 'db.sqlite3'}", ManualClock(T0))


@pytest.fixture(scope="module")
def base(server: Server) -> Iterator[str]:
    with serve(server.app, free_port()) as url:
        yield url


def issue(base: str, queue: str) -> dict[str, Any]:
    answer = httpx.post(f"{base}/api/v1/tickets", json={"queue": queue}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def sign_in_at(page: Any, base: str, username: str, counter: int) -> None:
    page.goto(f"{base}/counter")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.get_by_role("button", name=re.compile(f"^Quầy {counter}")).click()
    expect(page.locator("#seat")).to_have_text(f"Quầy {counter}")


def call_next(base: str, counter: int, headers: dict[str, str]) -> str:
    answer = httpx.post(f"{base}/api/v1/counters/{counter}/call-next", headers=headers)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["number"])


def test_transfer_to_a_counter_and_keeping_the_place(
    chromium: Any, page_errors: list[str], base: str
) -> None:
    two = bearer(base, "canbo2", PASSWORD)
    assert httpx.post(f"{base}/api/v1/counters/2/open", headers=two).status_code == 200
    first, second = issue(base, "A"), issue(base, "A")
    page = new_page(chromium, page_errors, 1280, 720)
    sign_in_at(page, base, "canbo1", 1)
    page.keyboard.press("F1")
    expect(page.locator("#cur-number")).to_have_text(first["number"])

    # To counter 2: the dialog lists the other counters; counter 1 does not call the citizen back.
    page.keyboard.press("t")
    expect(page.locator("#transfer-dialog")).to_be_visible()
    expect(page.locator("#transfer-counter option")).to_have_count(4)  # any, 2, 3, 4
    page.select_option("#transfer-counter", "2")
    expect(page.locator("#transfer-queue")).to_have_value("A")  # counter 2 serves the ticket's own line
    screenshot(page, "console-transfer-1280x720.png")
    page.click("#transfer-form button[value=ok]")
    expect(page.locator("#notice")).to_have_text(f"Đã chuyển số {first['number']} đến quầy 2 (hàng Cư trú).")
    expect(page.locator(f'#waiting tr[data-number="{first["number"]}"]')).to_contain_text("chờ quầy 2")
    page.keyboard.press("F1")
    expect(page.locator("#cur-number")).to_have_text(second["number"])
    assert call_next(base, 2, two) == first["number"]

    # Keeping its place in line A while counter 2 serves A: counter 1 does not get it back.
    page.keyboard.press("t")
    page.select_option("#transfer-queue", "A")
    page.check('#transfer-form input[value="keep"]')
    page.click("#transfer-form button[value=ok]")
    expect(page.locator("#notice")).to_have_text(f"Đã chuyển số {second['number']} sang hàng Cư trú.")
    page.keyboard.press("F1")
    expect(page.locator("#notice")).to_have_text("Không còn ai đang chờ.")
    assert call_next(base, 2, two) == second["number"]
    page.click('button[data-action="closeCounter"]')
    expect(page.locator("#pick-view")).to_be_visible()
    httpx.post(f"{base}/api/v1/counters/2/close", headers=two)
    assert page_errors == []


def counter_row(server: Server, number: int) -> CounterState:
    with server.ctx.db.read() as session:
        row = session.scalar(select(CounterState).where(CounterState.number == number))
        assert row is not None
        return row


def freeze_script(page: Any) -> Any:
    """Stop the page's JavaScript where it stands (the debugger pauses it); its WebSocket stays open, as in
    a hung tab or a machine asleep with its socket held. Answers the CDP session that resumes it."""
    cdp = page.context.new_cdp_session(page)
    paused: list[Any] = []
    cdp.on("Debugger.paused", lambda event: paused.append(event))
    cdp.send("Debugger.enable")
    cdp.send("Debugger.pause")
    while not paused:  # the console's 1-second visit timer runs into the pause
        page.wait_for_timeout(10)  # lets Playwright's loop deliver the CDP event (time.sleep would not)
    return cdp


def test_a_frozen_console_pauses_its_counter_after_ten_minutes(
    chromium: Any, page_errors: list[str], base: str, server: Server
) -> None:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    hub = server.ctx.hub
    page = new_page(chromium, page_errors, 1280, 720)
    page.clock.install()  # the page's own timers, moved by the test (time still flows)
    sign_in_at(page, base, "canbo3", 3)
    assert wait_for(lambda: counter_row(server, 3).console_seen_at == clock.now)  # the heartbeat at connect

    # While the script runs, its heartbeat timer keeps the counter open however much time passes.
    clock.advance(minutes=11)
    page.clock.run_for("00:21")  # the next heartbeat (every 20 s)
    assert wait_for(lambda: counter_row(server, 3).console_seen_at == clock.now)
    assert counter_row(server, 3).status == "open"

    sockets = hub.client_count
    cdp = freeze_script(page)
    counters = server.app.state.services.counters  # the app's own services hold the heartbeats
    clock.advance(minutes=9, seconds=59)
    assert counters.sweep_consoles(counters.presence.beats()) == []
    assert counter_row(server, 3).status == "open"
    clock.advance(seconds=1)  # ten minutes without a heartbeat, the socket still open
    assert wait_for(lambda: counter_row(server, 3).status == "paused")
    assert counter_row(server, 3).pause_reason == "mất kết nối"
    assert hub.client_count == sockets  # the frozen page's socket was never closed

    supervisor = bearer(base, "giamsat", PASSWORD)
    overview = httpx.get(f"{base}/api/v1/analytics/overview", headers=supervisor).json()
    three = next(c for c in overview["counters"] if c["number"] == 3)
    assert (three["status"], three["pause_reason"]) == ("paused", "mất kết nối")
    dashboard = new_page(chromium, page_errors, 1280, 720)
    dashboard.goto(f"{base}/dashboard")
    dashboard.fill("#username", "giamsat")
    dashboard.fill("#password", PASSWORD)
    dashboard.click("button[type=submit]")
    expect(dashboard.locator("[data-counter='3']")).to_contain_text("Tạm dừng")
    expect(dashboard.locator("[data-counter='3']")).to_contain_text("mất kết nối")
    board = new_page(chromium, page_errors)
    board.goto(f"{base}/board?key={DISPLAY_KEY}")
    expect(board.locator(".tile.paused")).to_have_count(1)
    expect(board.locator(".tile.paused .state")).to_have_text("Tạm dừng (mất kết nối)")

    # The script runs again: the console says why its counter paused, and it stays paused (a machine that
    # wakes up is not an officer back at the desk) until the officer presses P.
    cdp.send("Debugger.resume")
    expect(page.locator("#counter-status")).to_have_text("Quầy 3: Tạm dừng (mất kết nối)")
    expect(page.locator("#notice")).to_contain_text("tự tạm dừng vì mất kết nối")
    woke = clock.advance(seconds=30)
    page.clock.run_for("00:21")
    assert wait_for(lambda: counter_row(server, 3).console_seen_at == woke)  # heard again, still paused
    assert counter_row(server, 3).status == "paused"
    screenshot(page, "console-lost-connection-1280x720.png")
    page.keyboard.press("p")
    expect(page.locator("#counter-status")).to_have_text("Quầy 3: Đang mở")
    expect(dashboard.locator("[data-counter='3']")).to_contain_text("Đang mở")
    expect(board.locator(".tile.paused")).to_have_count(0)

    # A closed tab sends nothing either: ten minutes later the counter pauses the same way.
    sockets = hub.client_count
    page.context.close()
    assert wait_for(lambda: hub.client_count == sockets - 1)
    clock.advance(minutes=10, seconds=1)
    assert wait_for(lambda: counter_row(server, 3).status == "paused")
    expect(dashboard.locator("[data-counter='3']")).to_contain_text("mất kết nối")
    assert page_errors == []
