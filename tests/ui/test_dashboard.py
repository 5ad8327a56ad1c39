"""The supervisors' dashboard in headless Chromium: sign-in by role, today's numbers, alerts, live updates."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.fixtures.analytics.office_day import office_with_a_day
from tests.support import KIOSK, PASSWORD, Server, running_server
from tests.ui.conftest import new_page, screenshot

pytestmark = pytest.mark.ui

STOP_AT_S = 10.25 * 3600  # the morning is played up to 10:15


@pytest.fixture(scope="module")
def office() -> Iterator[tuple[Server, str]]:
    """A real server whose database holds a simulated busy Monday morning (to 10:15), under uvicorn."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-dashboard-"))
    server, _ = office_with_a_day(folder, until_s=STOP_AT_S, rate_factor=1.6)
    with running_server(server) as base:
        yield server, base
    shutil.rmtree(folder, ignore_errors=True)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/dashboard")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")


def overview(base: str) -> dict[str, Any]:
    token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "giamsat", "password": PASSWORD}).json()
    answer = httpx.get(
        f"{base}/api/v1/analytics/overview", headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_staff_cannot_open_the_dashboard(
    chromium: Any, office: tuple[Server, str], page_errors: list[str]
) -> None:
    _, base = office
    page = new_page(chromium, page_errors)
    sign_in(page, base, "canbo1")
    page.wait_for_selector("#login-error:has-text('giám sát')")
    assert page.is_hidden("#app")
    assert page_errors == []


def test_dashboard_shows_todays_numbers(
    chromium: Any, office: tuple[Server, str], page_errors: list[str]
) -> None:
    server, base = office
    data = overview(base)
    page = new_page(chromium, page_errors)
    sign_in(page, base, "giamsat")
    page.wait_for_selector("#queues .queue")
    page.wait_for_selector("#link.on")
    assert page.inner_text("#office-name") == "Công an xã Tân Phú"
    for queue in data["queues"]:
        card = page.locator(f"[data-queue='{queue['code']}']")
        text = card.inner_text()
        assert f"{queue['waiting']} người đang chờ" in text
        assert f"{queue['served_today']}/{queue['issued_today']} xong" in text
    assert "chưa có dữ liệu" in page.inner_text("[data-kpi='satisfaction']")
    assert "chưa có dữ liệu" in page.inner_text("[data-kpi='reuse']")
    wait_kpi = next(k for k in data["kpis"] if k["code"] == "wait")
    assert f"{wait_kpi['value'] / 60:.1f} phút" in page.inner_text("[data-kpi='wait']")
    assert page.inner_text("#advice").startswith("Gợi ý: ")
    assert page.locator("#chart-hours svg rect").count() >= 3
    assert page.locator("[data-counter]").count() == len(server.ctx.config.default_office.counters)
    screenshot(page, "dashboard-1920.png")  # tests/output/; the current set is kept in docs/screenshots/
    page.screenshot(path=str(screenshot(page, "dashboard-1920-full.png")), full_page=True)
    assert page_errors == []


def test_live_update_and_alert_banner(
    chromium: Any, office: tuple[Server, str], page_errors: list[str]
) -> None:
    server, base = office
    page = new_page(chromium, page_errors)
    sign_in(page, base, "giamsat")
    page.wait_for_selector("#link.on")
    before = page.inner_text("[data-queue='C']")
    issued = httpx.post(f"{base}/api/v1/tickets", json={"queue": "C"}, headers=KIOSK)
    assert issued.status_code == 201
    waiting = overview(base)["queues"][2]["waiting"]
    page.wait_for_selector(f"[data-queue='C']:has-text('{waiting} người đang chờ')")
    assert page.inner_text("[data-queue='C']") != before

    staff = httpx.post(f"{base}/api/v1/auth/login", json={"username": "canbo4", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {staff['access_token']}"}
    assert httpx.post(
        f"{base}/api/v1/counters/4/pause", json={"reason": "Họp giao ban"}, headers=headers
    ).is_success
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=16)
    server.app.state.analytics.alerts.check()  # the periodic check, without waiting for it
    page.wait_for_selector("#alerts p:has-text('Quầy 4 tạm dừng')")
    assert "Họp giao ban" in page.inner_text("[data-counter='4']")
    screenshot(page, "dashboard-alert-1920.png")
    assert httpx.post(f"{base}/api/v1/counters/4/resume", headers=headers).is_success
    assert page_errors == []
