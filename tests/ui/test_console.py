"""The counter console in real headless Chromium against the real server under uvicorn: sign in, take a
counter, call with the keyboard, start, finish, transfer, hold and resume, pause with a reason; API errors
in Vietnamese; a console without a valid sign-in gets nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK, PASSWORD, Server, free_port, make_server
from tests.ui.conftest import bearer, new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    return make_server(f"sqlite:///{tmp_path_factory.mktemp('console') / 'db.sqlite3'}", ManualClock(T0))


@pytest.fixture(scope="module")
def base(server: Server) -> Iterator[str]:
    with serve(server.app, free_port()) as url:
        yield url


def issue(base: str, queue: str) -> dict[str, Any]:
    answer = httpx.post(f"{base}/api/v1/tickets", json={"queue": queue}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def ticket(base: str, ticket_id: int) -> dict[str, Any]:
    return dict(httpx.get(f"{base}/api/v1/tickets/{ticket_id}", headers=KIOSK).json())


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/counter")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")


def test_console_signs_in_calls_finishes_and_transfers(
    chromium: Any, page_errors: list[str], base: str
) -> None:
    first, second, third, fourth = (issue(base, q) for q in "AABA")
    page = new_page(chromium, page_errors)
    sign_in(page, base, "canbo1")
    page.get_by_role("button", name=re.compile("^Quầy 1")).click()
    expect(page.locator("#seat")).to_have_text("Quầy 1")
    expect(page.locator("#waiting tr")).to_have_count(4)
    expect(page.locator("#waiting tr.next")).to_have_attribute("data-number", first["number"])
    expect(page.locator(".keys")).to_contain_text("F1")

    page.keyboard.press("F1")  # call next
    expect(page.locator("#cur-number")).to_have_text(first["number"])
    expect(page.locator("#cur-state")).to_have_text("Đã gọi — chờ công dân đến quầy")
    assert ticket(base, first["id"])["status"] == "called"
    page.keyboard.press("r")  # recall
    expect(page.locator("#cur-detail")).to_have_text("Đã gọi lại 1 lần")
    page.keyboard.press("s")  # start
    expect(page.locator("#cur-state")).to_have_text("Đang phục vụ")
    screenshot(page, "console-1920x1080.png")
    page.keyboard.press("f")  # finish
    expect(page.locator("#cur-number")).to_have_text("—")
    assert ticket(base, first["id"])["status"] == "done"

    # Call a chosen ticket from the list, then transfer it to queue C keeping its place.
    page.locator(f'#waiting tr[data-number="{third["number"]}"] button').click()
    expect(page.locator("#cur-number")).to_have_text(third["number"])
    page.keyboard.press("t")
    expect(page.locator("#transfer-dialog")).to_be_visible()
    page.select_option("#transfer-queue", "C")
    page.click("#transfer-form button[value=ok]")
    expect(page.locator("#notice")).to_have_text(
        f"Đã chuyển số {third['number']} sang hàng Hộ chiếu và thủ tục khác."
    )
    moved = ticket(base, third["id"])
    assert (moved["status"], moved["queue"], moved["number"]) == ("waiting", "C", third["number"])
    expect(page.locator("#cur-number")).to_have_text("—")

    # Space calls next; hold sends the citizen for a paper, the held list calls them back.
    page.keyboard.press(" ")
    expect(page.locator("#cur-number")).to_have_text(second["number"])
    page.keyboard.press("h")
    page.fill("#reason-input", "Đi photo giấy tờ")
    page.click("#reason-form button[value=ok]")
    expect(page.locator("#held tr")).to_have_count(1)
    assert ticket(base, second["id"])["status"] == "on_hold"
    page.locator("#held tr button").click()
    expect(page.locator("#cur-number")).to_have_text(second["number"])
    page.keyboard.press("n")  # no-show
    expect(page.locator("#notice")).to_have_text(f"Số {second['number']}: vắng mặt.")
    assert ticket(base, second["id"])["status"] == "no_show"

    # Pause needs a reason; the counter's state and the keys follow.
    page.keyboard.press("p")
    page.fill("#reason-input", "Họp giao ban")
    page.click("#reason-form button[value=ok]")
    expect(page.locator("#counter-status")).to_have_text("Quầy 1: Tạm dừng (Họp giao ban)")
    expect(page.locator('#actions button[data-action="callNext"]')).to_be_disabled()
    page.set_viewport_size({"width": 1280, "height": 720})
    screenshot(page, "console-paused-1280x720.png")
    page.keyboard.press("p")
    expect(page.locator("#counter-status")).to_have_text("Quầy 1: Đang mở")
    page.keyboard.press("F1")
    expect(page.locator("#cur-number")).to_have_text(fourth["number"])
    screenshot(page, "console-1280x720.png")

    # A change made elsewhere (a kiosk issues a number) reaches the list through the event stream.
    rows = page.locator("#waiting tr").count()
    issue(base, "B")
    expect(page.locator("#waiting tr")).to_have_count(rows + 1)

    page.click('button[data-action="closeCounter"]')
    expect(page.locator("#pick-view")).to_be_visible()
    expect(page.locator("#notice")).to_have_text("Quầy 1 đã đóng.")
    assert page_errors == []


def test_api_errors_are_shown_in_vietnamese(chromium: Any, page_errors: list[str], base: str) -> None:
    page = new_page(chromium, page_errors, 1280, 720)
    sign_in(page, base, "canbo2", "sai-mat-khau")
    expect(page.locator("#error")).to_be_visible()
    assert re.search(r"[àáảãạăâđèéêìíòóôơùúưỳý]", page.locator("#error").inner_text())  # Vietnamese
    expect(page.locator("#login-view")).to_be_visible()

    sign_in(page, base, "canbo2")
    expect(page.locator("#pick-view")).to_be_visible()
    # Meanwhile somebody else sits down at counter 2.
    httpx.post(f"{base}/api/v1/counters/2/open", headers=bearer(base, "canbo3", PASSWORD))
    page.get_by_role("button", name=re.compile("^Quầy 2")).click()
    expect(page.locator("#error")).to_have_text("Quầy 2 đang có cán bộ khác làm việc.")
    assert page_errors == []


def test_a_console_without_a_valid_sign_in_gets_nothing(
    chromium: Any, page_errors: list[str], base: str
) -> None:
    issue(base, "A")
    page = new_page(chromium, page_errors, 1280, 720)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.add_init_script("sessionStorage.setItem('motcua.console.token', 'forged-token-0123456789')")
    page.goto(f"{base}/counter")
    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#error")).to_have_text("Phiên đăng nhập đã hết hạn hoặc không hợp lệ.")
    expect(page.locator("#work-view")).to_be_hidden()
    assert page.locator("#waiting tr").count() == 0
    assert page.evaluate("sessionStorage.getItem('motcua.console.token')") is None
    api_calls = [url for url in asked if "/api/" in url]
    assert api_calls == [f"{base}/api/v1/auth/me"]  # refused there; nothing else was asked for

    forged = {"Authorization": "Bearer forged-token-0123456789"}
    for path in ("/api/v1/counters/1/waiting", "/api/v1/auth/me"):
        assert httpx.get(f"{base}{path}").status_code == 401
        assert httpx.get(f"{base}{path}", headers=forged).status_code == 401
    assert httpx.post(f"{base}/api/v1/counters/1/call-next", headers=forged).status_code == 401
    screenshot(page, "console-signed-out-1280x720.png")
    assert page_errors == []


def test_the_console_shows_the_dossier_of_a_ticket(chromium: Any, page_errors: list[str], base: str) -> None:
    from tests.fixtures.dossiers.helpers import register, submit, upload

    with httpx.Client(base_url=base) as kiosk:
        register(kiosk)
        document = upload(kiosk, "GTCMCHO")
        assert document.status_code == 201, document.text
        answer = submit(kiosk, "console-dossier-0001", [int(document.json()["id"])])
        assert answer.status_code == 201, answer.text
    code, number = answer.json()["dossier"]["code"], answer.json()["ticket"]["number"]
    page = new_page(chromium, page_errors)
    sign_in(page, base, "canbo4")
    page.get_by_role("button", name=re.compile("^Quầy 4")).click()
    row = page.locator(f'#waiting tr[data-number="{number}"]')
    expect(row).to_contain_text(f"Hồ sơ {code}")
    row.locator("button").click()
    expect(page.locator("#cur-number")).to_have_text(number)
    expect(page.locator("#cur-dossier")).to_have_text(f"Hồ sơ: {code}")
    screenshot(page, "console-dossier-1920x1080.png")
    assert page_errors == []


def test_a_key_pressed_while_the_last_action_settles_is_not_lost(
    chromium: Any, page_errors: list[str], base: str
) -> None:
    issue(base, "A")
    page = new_page(chromium, page_errors)
    sign_in(page, base, "canbo1")  # counter 1 was closed by the first test
    page.get_by_role("button", name=re.compile("^Quầy 1")).click()
    expect(page.locator("#seat")).to_have_text("Quầy 1")
    page.keyboard.press("F1")
    expect(page.locator("#cur-state")).to_have_text("Đã gọi — chờ công dân đến quầy")
    page.keyboard.press("r")  # recall, and at once start: the second key comes while the first is running
    page.keyboard.press("s")
    expect(page.locator("#cur-state")).to_have_text("Đang phục vụ")
    desks = httpx.get(f"{base}/api/v1/counters", headers=KIOSK).json()
    current = ticket(base, next(d for d in desks if d["number"] == 1)["current_ticket"]["id"])
    assert (current["status"], current["recall_count"]) == ("serving", 1)
    page.keyboard.press("f")
    expect(page.locator("#cur-number")).to_have_text("—")
