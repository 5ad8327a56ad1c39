"""The province page in headless Chromium: a province and two communes on one screen, sorted by a click,
and a click into a commune's own dashboard."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from queue_server.clock import ManualClock
from tests.conftest import FIXTURES, T0
from tests.support import PASSWORD, make_server, running_server
from tests.ui.conftest import new_page, screenshot

pytestmark = pytest.mark.ui
PROVINCE, AB, BM = "CATTN", "CAXAB", "CAXBM"


@pytest.fixture
def base(tmp_path: Path) -> Iterator[str]:
    server = make_server(
        f"sqlite:///{tmp_path / 'p.sqlite3'}", ManualClock(T0), FIXTURES / "config" / "province"
    )
    auth = server.services.auth
    auth.add_user(username="giamsat.tinh", role="supervisor", password=PASSWORD, office=PROVINCE)
    for office, count in ((AB, 1), (BM, 3)):
        key = f"kiosk-{office.lower()}-key-0123456789"
        auth.add_device(name=f"kiosk-{office.lower()}", role="kiosk", office=office, key=key)
        kiosk = server.services.auth.principal_for_device_key(key)
        assert kiosk is not None
        for _ in range(count):
            server.services.tickets.issue(actor=kiosk, queue="A")
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
