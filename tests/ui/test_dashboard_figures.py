"""Issue 13 item 6 on the page: a busy office in one state; every figure the dashboard shows (cards, alerts,
advice) agrees with the API and with each other; and each officer's pace (cases, prorated target)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import register, submit, upload
from tests.support import KIOSK, PASSWORD, Server, free_port, make_server
from tests.ui.conftest import bearer, new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    return make_server(f"sqlite:///{tmp_path_factory.mktemp('figures') / 'db.sqlite3'}", ManualClock(T0))


@pytest.fixture(scope="module")
def base(server: Server) -> Iterator[str]:
    with serve(server.app, free_port()) as url:
        yield url


def busy_office(server: Server, base: str) -> None:
    """Desks 1 and 3 open; line A long; canbo1 received two cases."""
    seats = {n: bearer(base, f"canbo{n}", PASSWORD) for n in (1, 3)}
    for n, headers in seats.items():
        assert httpx.post(f"{base}/api/v1/counters/{n}/open", headers=headers).status_code == 200
    with httpx.Client(base_url=base) as kiosk:
        for n in range(2):
            register(kiosk)  # type: ignore[arg-type]
            paper = upload(kiosk, "GTCMCHO").json()["id"]  # type: ignore[arg-type]
            code = submit(kiosk, f"kiosk-fig-{n:06d}", [paper]).json()["dossier"]["code"]  # type: ignore[arg-type]
            answer = httpx.post(f"{base}/api/v1/dossiers/{code}/receive", headers=seats[1])
            assert answer.status_code == 200, answer.text
    for queue, count in (("A", 10), ("B", 3), ("C", 2)):
        for _ in range(count):
            assert (
                httpx.post(f"{base}/api/v1/tickets", json={"queue": queue}, headers=KIOSK).status_code == 201
            )
            server.clock.advance(seconds=40)  # type: ignore[union-attr]
    for n, headers in seats.items():
        assert httpx.post(f"{base}/api/v1/counters/{n}/call-next", headers=headers).status_code == 200
    server.app.state.analytics.alerts.check()  # raised now; the page must not show older figures later
    for _ in range(4):
        httpx.post(f"{base}/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
    server.clock.advance(minutes=7)  # type: ignore[union-attr]


def test_every_figure_on_the_dashboard_agrees(
    chromium: Any, page_errors: list[str], base: str, server: Server
) -> None:
    busy_office(server, base)
    supervisor = bearer(base, "giamsat", PASSWORD)
    data = httpx.get(f"{base}/api/v1/analytics/overview", headers=supervisor).json()
    lines = {q["code"]: q for q in httpx.get(f"{base}/api/v1/queues", headers=KIOSK).json()}
    page = new_page(chromium, page_errors, 1280, 720)
    page.goto(f"{base}/dashboard")
    page.fill("#username", "giamsat")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#queues .queue")
    expect(page.locator("#pace tr")).to_have_count(1)

    shown_minutes = {}
    for card in data["queues"]:
        code = card["code"]
        assert (card["waiting"], card["estimated_wait_s"]) == (
            lines[code]["waiting"],
            lines[code]["estimated_wait_s"],
        )
        text = page.inner_text(f"[data-queue='{code}']")
        big = re.search(r"\n([\d.]+) phút\n", f"\n{text}\n")
        assert big is not None, text
        shown_minutes[code] = big.group(1)
        assert f"{card['waiting']} người đang chờ" in text
    red = [q["code"] for q in data["queues"] if q["over_target"]]
    assert "A" in red
    alerts = page.locator("#alerts p").all_inner_texts()
    wait_alerts = [a for a in alerts if "dự kiến chờ" in a]
    assert len(wait_alerts) == len(red)
    for code in red:
        name = next(q["name_vi"] for q in data["queues"] if q["code"] == code)
        alert = next(a for a in wait_alerts if a.startswith(f"⚠ Hàng {name}:"))
        waiting = next(q["waiting"] for q in data["queues"] if q["code"] == code)
        assert f"dự kiến chờ {shown_minutes[code]} phút" in alert, (alert, shown_minutes[code])
        assert f"({waiting} người đang chờ)" in alert
    advice = page.inner_text("#advice")
    assert advice == f"Gợi ý: {data['advice']['message_vi']}"
    for quoted in re.findall(r"(\d+) phút", advice):
        assert quoted in set(shown_minutes.values()) | {"15"}, advice  # a card's figure or the target

    row = page.locator("#pace tr[data-officer='canbo1']")
    pace = data["pace"][0]
    expect(row).to_contain_text(f"{pace['received']}")
    expect(row).to_contain_text("Chưa đạt")  # two cases since January: below the prorated target
    screenshot(page, "dashboard-figures-1280x720.png")
    assert page_errors == []
