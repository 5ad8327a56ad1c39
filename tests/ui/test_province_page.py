"""The province page in headless Chromium: a province and two communes on one screen, sorted by a click,
a click into a commune's own dashboard, and the province's alerts appearing live (injected clock)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.clock import ManualClock
from tests.conftest import FIXTURES, T0
from tests.support import PASSWORD, Server, make_server, running_server
from tests.ui.conftest import new_page, screenshot

pytestmark = pytest.mark.ui
PROVINCE, AB, BM = "CATTN", "CAXAB", "CAXBM"


@pytest.fixture
def built(tmp_path: Path) -> Server:
    return make_server(
        f"sqlite:///{tmp_path / 'p.sqlite3'}", ManualClock(T0), FIXTURES / "config" / "province"
    )


@pytest.fixture
def base(built: Server) -> Iterator[str]:
    server = built
    auth = server.services.auth
    auth.add_user(username="giamsat.tinh", role="supervisor", password=PASSWORD, office=PROVINCE)
    for office, count in ((AB, 1), (BM, 3)):
        key = f"kiosk-{office.lower()}-key-0123456789"
        auth.add_device(name=f"kiosk-{office.lower()}", role="kiosk", office=office, key=key)
        kiosk = server.services.auth.principal_for_device_key(key)
        assert kiosk is not None
        for _ in range(count):
            server.services.tickets.issue(actor=kiosk, queue="A")
    auth.add_user(username="canbo.ab", role="staff", password=PASSWORD, office=AB)
    staff = auth.login(username="canbo.ab", password=PASSWORD).principal
    server.services.counters.open(number=2, actor=staff, office=AB)
    server.services.counters.pause(number=2, actor=staff, office=AB, reason="Họp giao ban")
    server.clock.advance(minutes=20)  # type: ignore[attr-defined]
    with running_server(server) as url:
        yield url


def test_the_province_sees_its_communes_and_opens_one(
    chromium: Any, base: str, page_errors: list[str]
) -> None:
    page = new_page(chromium, page_errors)
    page.goto(f"{base}/province")
    page.fill("#username", "giamsat.tinh")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(f"#rows tr[data-office={BM}]")
    assert page.locator("#rows tr").count() == 3
    assert "Toàn tỉnh — Công an tỉnh Thử Nghiệm" in page.inner_text("#title")
    page.click("th[data-key=waiting]")  # most waiting first
    assert page.get_attribute("#rows tr:first-child", "data-office") == BM
    assert page.inner_text(f"#rows tr[data-office={BM}] td:nth-child(2)") == "3"
    longest = page.locator(f"#rows tr[data-office={BM}] td:nth-child(3)")
    assert (
        longest.inner_text() == "20 phút" and longest.get_attribute("class") == "over"
    )  # over the 15 min target
    shot = screenshot(page, "province-1920.png")
    shutil.copy(shot, Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "province-1920.png")
    page.click(f"#rows tr[data-office={AB}]")
    page.wait_for_url(f"**/dashboard?office={AB}")
    page.wait_for_selector("#office-name:has-text('Công an xã An Bình')")
    assert page_errors == []


def test_the_province_sees_its_alerts_live_and_opens_the_office(
    chromium: Any, base: str, built: Server, page_errors: list[str]
) -> None:
    page = new_page(chromium, page_errors)
    page.goto(f"{base}/province")
    page.fill("#username", "giamsat.tinh")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(f"#rows tr[data-office={BM}]")
    assert page.is_visible("#no-alerts") and page.inner_text("#alert-count") == "0"  # over since 5 min only
    built.clock.advance(minutes=11)  # type: ignore[attr-defined]
    built.app.state.analytics.alerts.check()  # the server's periodic check; the page hears the events
    page.wait_for_selector("#alerts a[data-kind=counter_paused_long]")
    page.wait_for_function("document.querySelectorAll('#alerts a').length === 3")
    kinds = {
        (link.get_attribute("data-office"), link.get_attribute("data-kind"))
        for link in page.locator("#alerts a").all()
    }
    assert kinds == {(AB, "office_over_target"), (BM, "office_over_target"), (AB, "counter_paused_long")}
    paused = page.inner_text(f"#alerts a[data-office={AB}][data-kind=counter_paused_long]")
    assert "Công an xã An Bình · Quầy tạm dừng lâu" in paused and "Quầy 2 tạm dừng đã 31 phút" in paused
    over = page.inner_text(f"#alerts a[data-office={BM}][data-kind=office_over_target]")
    assert "Quá mục tiêu chờ" in over and "đã 16 phút (người chờ lâu nhất: 31 phút)" in over
    assert page.inner_text(f"#rows tr[data-office={AB}] td:nth-child(13)") == "⚠ 2"
    assert page.inner_text(f"#rows tr[data-office={AB}] td:nth-child(8)") == "0 / 0"  # no cases yet
    assert page.inner_text(f"#rows tr[data-office={AB}] td:nth-child(9)") == "—"  # no result: no data
    assert page.is_hidden("#no-alerts") and page.inner_text("#alert-count") == "3"
    shot = screenshot(page, "province-alerts-1920.png")
    shutil.copy(
        shot, Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "province-alerts-1920.png"
    )
    page.click(f"#alerts a[data-office={BM}]")
    page.wait_for_url(f"**/dashboard?office={BM}")
    page.wait_for_selector("#office-name:has-text('Công an xã Bình Minh')")
    assert page_errors == []
