"""The citizen's phone pages at 390x844 in real headless Chromium: take a number (one-time code, a wrong
code, the remote cap, the cut-off), book a time (and lose a race for the last place), then on the
ticket's page "Tôi không đến được" and "Đánh giá"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from queue_server.clock import ManualClock
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.messages.fake import FakeMessageSender
from tests.conftest import T0
from tests.fixtures.messages.helpers import office_config
from tests.support import KIOSK, PASSWORD, Server, free_port, make_server
from tests.ui.conftest import bearer, new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PHONE_TOML = """
[limits]
per_address_per_minute = 1000

[[office]]
code = "CAXTP"
sender = "fake://"
confirm = "code"
remote_tickets = true

[[queue]]
office = "CAXTP"
code = "B"
remote_daily_cap = 1
"""


def _server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Server, FakeMessageSender, MessageDispatcher]:
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")
    config = office_config(tmp_path, PHONE_TOML)
    offices = (config / "offices.toml").read_text(encoding="utf-8")
    offices = offices.replace('["00:00-24:00"]', '["07:30-17:00"]').replace(
        "issue_cutoff_minutes = 0", "issue_cutoff_minutes = 15"
    )
    (config / "offices.toml").write_text(offices, encoding="utf-8")
    server = make_server(f"sqlite:///{tmp_path / 'ui.sqlite3'}", ManualClock(T0), config_dir=config)
    fake = FakeMessageSender()
    return server, fake, MessageDispatcher(server.ctx, senders={"CAXTP": fake})


def _last_code(fake: FakeMessageSender, dispatcher: MessageDispatcher) -> str:
    dispatcher.run_once()
    found = re.search(r"\d{6}", fake.sent[-1].text)
    assert found is not None
    return found.group(0)


def test_take_a_number_with_a_code_then_give_it_up(
    chromium: Any, page_errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, fake, dispatcher = _server(tmp_path, monkeypatch)
    with serve(server.app, free_port()) as base:
        httpx.post(f"{base}/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)  # someone in the hall
        page = new_page(chromium, page_errors, 390, 844)
        page.goto(f"{base}/p/so/CAXTP")
        expect(page.locator("#office")).to_have_text("Công an xã Tân Phú")
        page.get_by_text("Cư trú", exact=True).click()
        page.locator("#phone").fill("0912 345 678")
        page.locator("#consent").check()
        page.get_by_role("button", name="Gửi mã xác nhận qua tin nhắn").click()
        expect(page.locator("#code-sent")).to_be_visible()
        code = _last_code(fake, dispatcher)
        screenshot(page, "phone-take-390x844.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390

        page.locator("#code").fill("000000" if code != "000000" else "111111")
        page.get_by_role("button", name="Lấy số").click()
        expect(page.locator("#error")).to_have_text(re.compile("^Mã xác nhận không đúng"))
        screenshot(page, "phone-take-wrong-code-390x844.png")

        page.locator("#code").fill(code)
        page.get_by_role("button", name="Lấy số").click()
        page.wait_for_url(re.compile(r"/t/[A-Za-z0-9_-]+$"))
        expect(page.locator("#number")).to_have_text("A002")
        expect(page.locator("#ahead")).to_have_text("1")
        expect(page.locator("#cancel")).to_be_visible()
        # The expected call time is the office's clock (Hà Nội), whatever zone the phone is set to.
        expect(page.locator("#eta")).to_have_text(re.compile(r"^khoảng \d\d:\d\d$"))
        page.wait_for_function("window.motcuaPhone.timeZone === 'Asia/Ho_Chi_Minh'")
        shown = page.locator("#eta").inner_text().split()[-1]
        now_hcm = datetime.now(HCM)
        expected = {(now_hcm + timedelta(minutes=m)).strftime("%H:%M") for m in range(0, 12)}
        assert shown in expected, (shown, sorted(expected))
        screenshot(page, "phone-ticket-cancel-390x844.png")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Tôi không đến được").click()
        expect(page.locator("#status")).to_have_text("Số thứ tự này đã bị hủy.")
        expect(page.locator("#cancel")).to_be_hidden()
    assert page_errors == []


def test_the_cap_and_the_cut_off_are_shown_before_anyone_types(
    chromium: Any, page_errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, fake, dispatcher = _server(tmp_path, monkeypatch)
    with serve(server.app, free_port()) as base:
        httpx.post(f"{base}/api/v1/public/phone/code", json={"office": "CAXTP", "phone": "0911111111"})
        body = {"office": "CAXTP", "queue": "B", "phone": "0911111111", "code": _last_code(fake, dispatcher)}
        assert httpx.post(f"{base}/api/v1/public/phone/tickets", json=body).status_code == 201
        page = new_page(chromium, page_errors, 390, 844)
        page.goto(f"{base}/p/so/CAXTP")
        capped = page.locator("label.choice", has_text="Căn cước")
        expect(capped).to_contain_text("Hôm nay đã hết số lấy từ xa")
        expect(capped.locator("input")).to_be_disabled()
        expect(page.locator("label.choice", has_text="Cư trú").locator("input")).to_be_enabled()
        screenshot(page, "phone-take-cap-390x844.png")

        assert isinstance(server.clock, ManualClock)
        server.clock.now = datetime(2026, 3, 10, 16, 50, tzinfo=HCM).astimezone(UTC)
        page.reload()
        expect(page.locator("label.choice").first).to_contain_text("Đã hết giờ lấy số hôm nay.")
        assert page.locator("label.choice input:enabled").count() == 0
        screenshot(page, "phone-take-cutoff-390x844.png")
    assert page_errors == []


def test_book_a_time_and_lose_a_race_for_the_last_place(
    chromium: Any, page_errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _, _ = _server(tmp_path, monkeypatch)
    with serve(server.app, free_port()) as base:
        pages = [new_page(chromium, page_errors, 390, 844) for _ in range(2)]
        for page, (name, phone) in zip(
            pages, [("Trần Thị Bình", "0912345678"), ("Lê Văn Cường", "0987654321")], strict=True
        ):
            page.goto(f"{base}/p/hen/CAXTP")
            page.locator("#procedure").select_option("1.001456")  # passport: one place per slot
            page.locator("#day").select_option("2026-03-11")
            page.locator(".slot[data-start='2026-03-11T09:00:00+07:00']").click()
            page.locator("#name").fill(name)
            page.locator("#phone").fill(phone)
            page.locator("#consent").check()
        screenshot(pages[0], "phone-book-390x844.png")
        first, second = pages
        first.get_by_role("button", name="Đặt lịch").click()
        first.wait_for_url(re.compile(r"/p/booking/[A-Za-z0-9_-]+$"))
        expect(first.locator("#time")).to_have_text("09:00")
        expect(first.locator("#date")).to_have_text("11/03/2026")
        expect(first.locator("#code")).to_have_text(re.compile(r"^[2-9A-Z]{6}$"))
        first.wait_for_function("document.getElementById('qr').naturalWidth > 0")
        screenshot(first, "phone-booked-390x844.png")

        second.get_by_role("button", name="Đặt lịch").click()  # the same slot, a moment later
        expect(second.locator("#error")).to_have_text(re.compile("^Khung giờ này vừa hết chỗ"))
        expect(second.locator(".slot[data-start='2026-03-11T09:00:00+07:00']")).to_be_disabled()
        screenshot(second, "phone-book-race-lost-390x844.png")
        assert "/p/hen/" in second.url
    assert page_errors == []


def test_rate_the_finished_visit_once(
    chromium: Any, page_errors: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, _, _ = _server(tmp_path, monkeypatch)
    with serve(server.app, free_port()) as base:
        ticket = httpx.post(f"{base}/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        staff = bearer(base, "canbo1", PASSWORD)
        httpx.post(f"{base}/api/v1/counters/1/open", headers=staff)
        httpx.post(f"{base}/api/v1/counters/1/call-next", headers=staff)
        httpx.post(f"{base}/api/v1/tickets/{ticket['id']}/start", headers=staff)
        httpx.post(f"{base}/api/v1/tickets/{ticket['id']}/finish", headers=staff, json={})
        page = new_page(chromium, page_errors, 390, 844)
        page.goto(f"{base}/t/{ticket['public_code']}")
        expect(page.locator("#rate-box")).to_be_visible()
        expect(page.locator("#cancel")).to_be_hidden()
        page.get_by_role("button", name="Hài lòng", exact=True).click()
        page.get_by_role("button", name="Gửi đánh giá").click()
        expect(page.locator("#rate-done")).to_be_visible()
        screenshot(page, "phone-rated-390x844.png")
        again = httpx.post(
            f"{base}/api/v1/ratings", json={"ticket": ticket["public_code"], "score": 1, "reasons": ["wait"]}
        )
        assert again.status_code == 409  # bound to the ticket, once
    assert page_errors == []
