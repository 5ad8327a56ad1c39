"""Issue 13 item 6 where people see it: one office in one state (three lines, a priority citizen, a counter
opened then closed, the server's clock moved by the test), and the wait figures read off the pages in real
Chromium — the dashboard's cards, alerts and advice, the lobby board, the phone page of a ticket taken now
and of the priority citizen — agree with each other and with the API's one estimate (`GET /api/v1/queues`).
`/tra-cuu` shows a case's status and due date, no wait, so it has nothing to agree on. The kiosk (Kivy) and
the printed ticket say the wait in whole minutes through `devices.printers.layout.wait_minutes`, checked
against the same rounding in tests/unit/test_wait_minutes.py rather than through an Xvfb journey here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import DISPLAY_KEY, KIOSK, PASSWORD, Server, free_port, make_server
from tests.ui.conftest import bearer, new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    return make_server(f"sqlite:///{tmp_path_factory.mktemp('pages') / 'db.sqlite3'}", ManualClock(T0))


@pytest.fixture(scope="module")
def base(server: Server) -> Iterator[str]:
    with serve(server.app, free_port()) as url:
        yield url


def whole_minutes(seconds: float) -> int:
    return int(seconds / 60 + 0.5)  # half up: every page's rule


def as_people_read_it(seconds: float | None) -> str:
    """The board's and the phone page's words for a wait (display_board/static/live.js formatWait)."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "dưới 1 phút"
    minutes = whole_minutes(seconds)
    if minutes < 60:
        return f"~{minutes} phút"
    hours, rest = divmod(minutes, 60)
    return f"~{hours} giờ {rest} phút" if rest else f"~{hours} giờ"


def issue(base: str, queue: str, priority: str | None = None) -> dict[str, Any]:
    answer = httpx.post(f"{base}/api/v1/tickets", json={"queue": queue, "priority": priority}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def one_state(server: Server, base: str) -> dict[str, Any]:
    """Desks 1 and 3 open, desk 2 opened and closed again; A long with one elderly citizen, B and C short;
    the first citizens called; an alert raised, then more people and seven minutes later."""
    seats = {n: bearer(base, f"canbo{n}", PASSWORD) for n in (1, 2, 3)}
    for n, headers in seats.items():
        assert httpx.post(f"{base}/api/v1/counters/{n}/open", headers=headers).status_code == 200
    assert httpx.post(f"{base}/api/v1/counters/2/close", headers=seats[2]).status_code == 200
    for queue, count in (("A", 9), ("B", 3), ("C", 2)):
        for _ in range(count):
            issue(base, queue)
            server.clock.advance(seconds=40)  # type: ignore[union-attr]
    for n in (1, 3):
        assert httpx.post(f"{base}/api/v1/counters/{n}/call-next", headers=seats[n]).status_code == 200
    server.app.state.analytics.alerts.check()
    elderly = issue(base, "A", "elderly")
    for _ in range(4):
        issue(base, "A")
    server.clock.advance(minutes=7)  # type: ignore[union-attr]
    return elderly


def phone_page(chromium: Any, errors: list[str], base: str, public_code: str) -> Any:
    """The ticket's phone page with the phone's clock held still, so its count-down reads the estimate."""
    phone = new_page(chromium, errors, 390, 844)
    phone.clock.set_fixed_time(datetime.now(UTC))
    phone.goto(f"{base}/t/{public_code}")
    expect(phone.locator("#ahead")).not_to_have_text("—")
    return phone


def test_the_pages_show_one_set_of_figures(
    chromium: Any, page_errors: list[str], base: str, server: Server
) -> None:
    elderly = one_state(server, base)
    supervisor = bearer(base, "giamsat", PASSWORD)
    data = httpx.get(f"{base}/api/v1/analytics/overview", headers=supervisor).json()
    lines = {q["code"]: q for q in httpx.get(f"{base}/api/v1/queues", headers=KIOSK).json()}
    assert lines["A"]["waiting"] >= 12 and lines["A"]["estimated_wait_s"] > data["targets"]["wait_s"]

    # The lobby board: each line's count and wait, in the words of a wait.
    board = new_page(chromium, page_errors)
    board.goto(f"{base}/board?key={DISPLAY_KEY}")
    expect(board.locator("#queues .queue")).to_have_count(len(lines))
    board_words = {}
    for code, line in lines.items():
        tile = board.locator("#queues .queue").filter(has_text=re.compile(rf"^{line['prefix']} · "))
        expect(tile.locator(".waiting")).to_have_text(str(line["waiting"]))
        words = as_people_read_it(line["estimated_wait_s"]) if line["waiting"] else "không phải chờ"
        expect(tile.locator(".wait")).to_have_text(words)
        board_words[code] = words
    expect(board.locator(".tile.open")).to_have_count(2)  # desks 1 and 3; desk 2 closed, not counted

    # The dashboard: cards, alerts and advice say the same figures.
    dashboard = new_page(chromium, page_errors, 1280, 720)
    dashboard.goto(f"{base}/dashboard")
    dashboard.fill("#username", "giamsat")
    dashboard.fill("#password", PASSWORD)
    dashboard.click("button[type=submit]")
    dashboard.wait_for_selector("#queues .queue")
    card_minutes = {}
    for code, line in lines.items():
        text = dashboard.inner_text(f"[data-queue='{code}']")
        assert f"{line['waiting']} người đang chờ" in text, text
        big = re.search(r"\n([\d.]+) phút\n", f"\n{text}\n")
        assert big is not None, text
        shown = float(big.group(1))
        assert abs(shown - line["estimated_wait_s"] / 60) <= 0.05 + (0.5 if shown >= 10 else 0), (code, text)
        card_minutes[code] = whole_minutes(line["estimated_wait_s"])
        if line["estimated_wait_s"] >= 60:
            assert board_words[code].startswith(f"~{card_minutes[code]} phút") or card_minutes[code] >= 60
    red = {q["code"] for q in data["queues"] if q["over_target"]}
    assert "A" in red
    alerts = [a for a in dashboard.locator("#alerts p").all_inner_texts() if "dự kiến chờ" in a]
    assert len(alerts) == len(red)
    for code in red:
        name = lines[code]["name_vi"]
        alert = next(a for a in alerts if a.startswith(f"⚠ Hàng {name}:"))
        assert f"dự kiến chờ {card_minutes[code]} phút" in alert, (alert, card_minutes[code])
        assert f"({lines[code]['waiting']} người đang chờ)" in alert
    advice = dashboard.inner_text("#advice")
    target = whole_minutes(data["targets"]["wait_s"])
    for quoted in re.findall(r"(\d+) phút", advice):
        assert int(quoted) in set(card_minutes.values()) | {target}, advice  # a card's figure or the target
    screenshot(dashboard, "figures-dashboard-1280x720.png")

    # A citizen takes a number now: the phone page says what the board said a moment ago.
    ahead = lines["A"]["waiting"]
    ticket = issue(base, "A")
    assert ticket["estimated_wait_s"] == lines["A"]["estimated_wait_s"]
    phone = phone_page(chromium, page_errors, base, ticket["public_code"])
    expect(phone.locator("#ahead")).to_have_text(str(ahead))
    expect(phone.locator("#wait")).to_have_text(board_words["A"])
    screenshot(phone, "figures-phone-390x844.png")

    # The elderly citizen is ahead of the line: the page tells their own, shorter wait, as the API does.
    mine = httpx.get(f"{base}/api/v1/public/tickets/{elderly['public_code']}").json()
    assert mine["people_ahead"] < ahead and mine["estimated_wait_s"] < lines["A"]["estimated_wait_s"]
    priority_phone = phone_page(chromium, page_errors, base, elderly["public_code"])
    expect(priority_phone.locator("#ahead")).to_have_text(str(mine["people_ahead"]))
    expect(priority_phone.locator("#wait")).to_have_text(as_people_read_it(mine["estimated_wait_s"]))

    # The board moved on with the new ticket, to the API's new figure.
    after = next(q for q in httpx.get(f"{base}/api/v1/queues", headers=KIOSK).json() if q["code"] == "A")
    tile = board.locator("#queues .queue").filter(has_text=re.compile(rf"^{after['prefix']} · "))
    expect(tile.locator(".waiting")).to_have_text(str(after["waiting"]))
    expect(tile.locator(".wait")).to_have_text(as_people_read_it(after["estimated_wait_s"]))
    screenshot(board, "figures-board-1920x1080.png")
    assert page_errors == []
