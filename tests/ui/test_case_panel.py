"""The officer's case journeys in real headless Chromium against the real server under uvicorn: call a ticket
that carries a case → the panel shows the kiosk's declaration and pages → check → receive → the receipt comes
out of the counter's file printer and as PDF → the citizen's /tra-cuu page says "Đã tiếp nhận" with the due
date; request papers → /tra-cuu lists them → receive once they arrive; refuse → the paper is not offered as on
file next time; forward to another office; search by the citizen's ID number."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import DEMO_CONFIG, T0
from tests.fixtures.dossiers.helpers import NHUNG_ID, page_jpeg, register, submit, upload
from tests.support import KIOSK, PASSWORD, Server, free_port, make_server
from tests.ui.conftest import new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect

SECOND_OFFICE = """

[[office]]
code = "CATDN"
name_vi = "Công an tỉnh Đồng Nai"
name_en = "Dong Nai Provincial Police"
parent = ""
time_zone = "Asia/Ho_Chi_Minh"
issue_cutoff_minutes = 0
open_on_holidays = true

[office.hours]
mon = ["07:00-17:00"]
tue = ["07:00-17:00"]
wed = ["07:00-17:00"]
thu = ["07:00-17:00"]
fri = ["07:00-17:00"]
sat = []
sun = []
lunch = ""
"""


@pytest.fixture(scope="module")
def printer_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("printer") / "quay1.bin"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, printer_file: Path) -> Server:
    """The demo office with a receipt printer (a file) at counter 1, and a provincial office to forward to."""
    root = tmp_path_factory.mktemp("case-panel")
    config = root / "config"
    shutil.copytree(DEMO_CONFIG, config)
    counters = (config / "counters.toml").read_text(encoding="utf-8")
    first = "number = 1\n"
    assert first in counters
    counters = counters.replace(first, f'{first}printer = "file://{printer_file}?mode=append"\n', 1)
    (config / "counters.toml").write_text(counters, encoding="utf-8")
    offices = config / "offices.toml"
    tree = offices.read_text(encoding="utf-8").replace(
        'parent = ""', 'parent = "CATDN"', 1
    )  # under the province
    offices.write_text(tree + SECOND_OFFICE, encoding="utf-8")
    queues = config / "queues.toml"
    lines = "".join(
        f'\n[[queue]]\noffice = "CATDN"\ncode = "{q}"\nprefix = "{q}"\nname_vi = "Hàng {q}"\n' for q in "ABC"
    )
    queues.write_text(queues.read_text(encoding="utf-8") + lines, encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        # The overdue test moves the clock ten days while consoles stay open, faster than their heartbeat
        # (20 s of real time): the "mất kết nối" pause is tested in test_console_transfer_presence.py.
        env.setenv("MOTCUA_CONSOLE_LOST_AFTER_MINUTES", str(60 * 24 * 30))
        return make_server(f"sqlite:///{root / 'db.sqlite3'}", ManualClock(T0), config_dir=config)


@pytest.fixture(scope="module")
def base(server: Server) -> Iterator[str]:
    with serve(server.app, free_port()) as url:
        yield url


def kiosk_case(base: str, key: str, types: tuple[str, ...] = ("GTCMCHO",), pages: int = 1) -> dict[str, Any]:
    """A citizen prepares a case at the kiosk: papers with their pages, the declaration, the ticket."""
    with httpx.Client(base_url=base) as kiosk:
        register(kiosk)  # type: ignore[arg-type]
        ids = []
        for type_code in types:
            files = [
                (f"trang-{n}.jpg", page_jpeg(f"{type_code} TRANG {n}", seed=n * 40), "image/jpeg")
                for n in range(1, pages + 1)
            ]
            answer = upload(kiosk, type_code, files)  # type: ignore[arg-type]
            assert answer.status_code == 201, answer.text
            ids.append(int(answer.json()["id"]))
        submitted = submit(kiosk, key, ids)  # type: ignore[arg-type]
        assert submitted.status_code == 201, submitted.text
        return dict(submitted.json())


def sign_in_at(page: Any, base: str, username: str, counter: int) -> None:
    page.goto(f"{base}/counter")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.get_by_role("button", name=re.compile(f"^Quầy {counter}")).click()
    expect(page.locator("#seat")).to_have_text(f"Quầy {counter}")


def call(page: Any, number: str) -> None:
    page.locator(f'#waiting tr[data-number="{number}"] button').click()
    expect(page.locator("#cur-number")).to_have_text(number)


def lookup_page(chromium: Any, errors: list[str], base: str, code: str) -> Any:
    """The citizen opens the receipt's QR on a phone and types the last four digits of the ID number."""
    phone = new_page(chromium, errors, 390, 844)
    phone.goto(f"{base}/tra-cuu?ma={code}")
    expect(phone.locator("#code")).to_have_value(code)
    phone.fill("#last4", NHUNG_ID[-4:])
    phone.click("#lookup-form button[type=submit]")
    return phone


def test_call_check_receive_print_and_follow(
    chromium: Any, page_errors: list[str], base: str, printer_file: Path, server: Server
) -> None:
    answer = kiosk_case(base, "case-panel-0001", ("GTCMCHO", "GTQHNT", "VBDONGY"), pages=2)
    code, number = answer["dossier"]["code"], answer["ticket"]["number"]
    page = new_page(chromium, page_errors, 1280, 720)
    sign_in_at(page, base, "canbo1", 1)
    call(page, number)

    # the panel: citizen, declaration, papers with their pages, on one screen
    expect(page.locator("body")).to_have_attribute("data-case-ready", code)
    expect(page.locator("#case-code")).to_have_text(code)
    expect(page.locator("#case-status")).to_have_text("Mới")
    expect(page.locator("#cit-name")).to_have_text("Nguyễn Thị Hồng Nhung")
    expect(page.locator("#cit-birth")).to_have_text("01/02/1999")
    expect(page.locator("#cit-id")).to_have_text("001******567")
    expect(page.locator("#case-form")).to_contain_text("Đăng ký thường trú vào hộ gia đình ông Nguyễn Văn An")
    expect(page.locator("#case-papers li.paper")).to_have_count(3)
    expect(page.locator("#case-papers .thumb img")).to_have_count(6)
    page.wait_for_function(
        "[...document.querySelectorAll('#case-papers .thumb img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.evaluate("document.documentElement.scrollHeight") <= 720  # no scrolling for the common case
    assert page.evaluate("document.getElementById('case').getBoundingClientRect().bottom") <= 720
    assert page.locator("#held-empty").is_visible()  # the hold list stays on screen
    screenshot(page, "console-case-1280x720.png")

    # a page opens large, turns and zooms
    page.locator('#case-papers li[data-type="GTCMCHO"] .thumb').nth(1).click()
    expect(page.locator("#viewer-page")).to_have_text("Trang 2/2")
    page.click("#viewer-right")
    page.click("#viewer-in")
    expect(page.locator("#viewer-image")).to_have_attribute("data-rotate", "90")
    expect(page.locator("#viewer-image")).to_have_attribute("data-zoom", "1.25")
    page.keyboard.press("Escape")
    expect(page.locator("#paper-dialog")).not_to_be_visible()

    # the officer checks the identity and a paper against the originals: stored with who and when
    page.check("#check-identity")
    page.locator('#case-papers li[data-type="GTCMCHO"] input[type=checkbox]').check()
    expect(page.locator("#case-history")).to_contain_text("Đã đối chiếu · canbo1 (quầy 1) — Giấy tờ")
    staff = {"Authorization": f"Bearer {page.evaluate('window.motcuaConsole.token')}"}
    checks = httpx.get(f"{base}/api/v1/dossiers/{code}", headers=staff).json()["checks"]
    assert set(checks) == {"identity", "GTCMCHO"} and checks["GTCMCHO"]["by"] == "user:canbo1"
    assert checks["identity"]["counter"] == 1

    # receive (key 1): status, due date in working days, the receipt on the counter's printer
    before = printer_file.stat().st_size if printer_file.exists() else 0
    page.keyboard.press("1")
    expect(page.locator("#case-status")).to_have_text("Đã tiếp nhận")
    expect(page.locator("#case-due")).to_have_text("Hẹn trả: 19/03/2026")
    expect(page.locator("#notice")).to_contain_text("Đã in giấy hẹn")
    assert printer_file.stat().st_size > before
    with page.expect_popup() as popup:
        page.get_by_role("button", name="Mẫu 01 (A4)").click()
    pdf_url = popup.value.url
    assert pdf_url.startswith("blob:")
    pdf = httpx.get(f"{base}/api/v1/dossiers/{code}/receipt.pdf", headers=staff)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert page.evaluate("document.documentElement.scrollHeight") <= 720
    screenshot(page, "console-case-received-1280x720.png")

    # an illegal action is refused in both languages (the button is greyed; the API says why)
    refused = httpx.post(f"{base}/api/v1/dossiers/{code}/receive", headers=staff).json()["error"]
    assert "Không thể tiếp nhận" in refused["message_vi"] and "Cannot receive" in refused["message_en"]
    expect(page.locator('button[data-case="receive"]')).to_be_disabled()

    phone = lookup_page(chromium, page_errors, base, code)
    expect(phone.locator("#status")).to_have_text("Đã tiếp nhận")
    expect(phone.locator("#due")).to_contain_text("19/03/2026")
    assert "4567" not in phone.locator("#result").inner_text()
    screenshot(phone, "tra-cuu-received-390x844.png")
    assert page_errors == []


def test_request_papers_then_receive_when_they_arrive(
    chromium: Any, page_errors: list[str], base: str
) -> None:
    answer = kiosk_case(base, "case-panel-0002", ("GTCMCHO",))
    code, number = answer["dossier"]["code"], answer["ticket"]["number"]
    page = new_page(chromium, page_errors, 1280, 720)
    sign_in_at(page, base, "canbo2", 2)
    call(page, number)
    expect(page.locator("body")).to_have_attribute("data-case-ready", code)
    page.keyboard.press("2")
    dialog = page.locator("#case-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("label.check", has_text="quan hệ").locator("input").check()
    page.fill("#case-dialog-reason", "Thiếu giấy tờ chứng minh quan hệ nhân thân")
    dialog.get_by_role("button", name="Đồng ý").click()
    expect(page.locator("#case-status")).to_have_text("Yêu cầu bổ sung giấy tờ")
    expect(page.get_by_role("button", name="Mẫu 02 (A4)")).to_be_visible()

    phone = lookup_page(chromium, page_errors, base, code)
    expect(phone.locator("#status")).to_have_text("Yêu cầu bổ sung giấy tờ")
    expect(phone.locator("#missing")).to_contain_text("quan hệ")
    expect(phone.locator("#where")).to_contain_text("Công an xã Tân Phú")
    screenshot(phone, "tra-cuu-papers-390x844.png")

    # the papers arrive: the kiosk uploads them, the officer records them and receives the case
    with httpx.Client(base_url=base) as kiosk:
        extra = upload(kiosk, "GTQHNT")  # type: ignore[arg-type]
    staff = {"Authorization": f"Bearer {page.evaluate('window.motcuaConsole.token')}"}
    supplied = httpx.post(
        f"{base}/api/v1/dossiers/{code}/supply", json={"documents": [extra.json()["id"]]}, headers=staff
    )
    assert supplied.status_code == 200 and supplied.json()["status"] == "new"
    expect(page.locator("#case-status")).to_have_text("Mới")  # the event brought it to the console
    page.keyboard.press("1")
    expect(page.locator("#case-status")).to_have_text("Đã tiếp nhận")
    phone.click("#lookup-form button[type=submit]")
    expect(phone.locator("#status")).to_have_text("Đã tiếp nhận")
    assert page_errors == []


def test_a_refused_paper_is_not_on_file_next_time(chromium: Any, page_errors: list[str], base: str) -> None:
    answer = kiosk_case(base, "case-panel-0003", ("GTCMCHO",))
    number = answer["ticket"]["number"]
    paper_id = answer["dossier"]["papers"][0]["document"]["id"]
    page = new_page(chromium, page_errors, 1280, 720)
    sign_in_at(page, base, "canbo3", 4)
    call(page, number)
    page.locator('#case-papers li[data-type="GTCMCHO"] input[type=checkbox]').check()
    expect(page.locator("#case-history")).to_contain_text("Đã đối chiếu")
    page.keyboard.press("3")
    page.fill("#case-dialog-reason", "Giấy tờ giả mạo")
    page.locator("#case-dialog").get_by_role("button", name="Đồng ý").click()
    expect(page.locator("#case-status")).to_have_text("Không tiếp nhận")
    expect(page.get_by_role("button", name="Mẫu 03 (A4)")).to_be_visible()
    checklist = httpx.post(
        f"{base}/api/v1/citizens/documents",
        json={"personal_id": NHUNG_ID, "procedure": "1.004222"},
        headers=KIOSK,
    ).json()
    assert checklist["papers"][0]["status"] != "on_file" and checklist["needed"] == ["GTCMCHO"]
    with httpx.Client(base_url=base) as kiosk:
        again = submit(kiosk, "case-panel-0004", [paper_id])  # type: ignore[arg-type]
    assert again.status_code == 422 and again.json()["code"] == "document_used"
    assert page_errors == []


def test_search_by_id_number_and_forward(chromium: Any, page_errors: list[str], base: str) -> None:
    answer = kiosk_case(base, "case-panel-0005", ("GTCMCHO",))
    code = answer["dossier"]["code"]
    page = new_page(chromium, page_errors, 1280, 720)
    sign_in_at(page, base, "canbo4", 3)
    page.keyboard.press("/")
    page.keyboard.type(NHUNG_ID)
    page.keyboard.press("Enter")
    expect(page.locator("#case-search-results")).to_contain_text(code)
    page.locator("#case-search-results button", has_text=code).click()
    expect(page.locator("#case-code")).to_have_text(code)
    page.keyboard.press("c")
    page.select_option("#case-dialog-office", "CATDN")
    page.locator("#case-dialog").get_by_role("button", name="Đồng ý").click()
    expect(page.locator("#notice")).to_contain_text("Công an tỉnh Đồng Nai")
    expect(page.locator("#case-history")).to_contain_text("Chuyển đơn vị")
    supervisor = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": "giamsat", "password": PASSWORD}
    ).json()["access_token"]
    moved = httpx.get(f"{base}/api/v1/dossiers/{code}", headers={"Authorization": f"Bearer {supervisor}"})
    assert moved.json()["office"] == "CATDN"
    assert page_errors == []


def test_the_case_view_lists_overdue_cases_with_an_injected_clock(
    chromium: Any, page_errors: list[str], base: str, server: Server
) -> None:
    """Last in this module: it moves the server's clock ten days on."""
    code = kiosk_case(base, "case-panel-0006", ("GTCMCHO",))["dossier"]["code"]
    staff = httpx.post(f"{base}/api/v1/auth/login", json={"username": "canbo2", "password": PASSWORD}).json()
    headers = {"Authorization": f"Bearer {staff['access_token']}"}
    assert httpx.post(f"{base}/api/v1/dossiers/{code}/receive", headers=headers).status_code == 200
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(days=10)  # Friday 20 March: due Thursday 19 March, one day late
    page = new_page(chromium, page_errors, 1280, 720)
    page.goto(f"{base}/ho-so")
    page.fill("#username", "giamsat")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    row = page.locator(f'#overdue tr[data-code="{code}"]')
    expect(row).to_contain_text("19/03/2026")
    expect(row).to_contain_text("1 ngày")
    expect(row).to_contain_text("canbo2")
    expect(page.locator("#today")).to_have_text("20/03/2026")
    assert int(page.locator("#n-overdue").inner_text()) >= 1
    expect(page.locator("#productivity")).to_contain_text("canbo2")
    expect(page.locator("#productivity")).to_contain_text("Chưa đạt")  # the dashboard's verdict, year to date
    page.select_option("#f-procedure", "2.000200")  # the identity card procedure: none of these cases
    page.click("#filters button[type=submit]")
    expect(page.locator("#n-overdue")).to_have_text("0")
    page.select_option("#f-procedure", "")
    page.click("#filters button[type=submit]")
    expect(row).to_be_visible()
    screenshot(page, "cases-follow-up-1280x720.png")
    assert page_errors == []


def test_the_officers_day_finish_after_the_call_timer_and_hold_list_in_view(
    chromium: Any, page_errors: list[str], base: str
) -> None:
    numbers = []
    for _ in range(16):
        answer = httpx.post(f"{base}/api/v1/tickets", json={"queue": "B"}, headers=KIOSK)
        assert answer.status_code == 201, answer.text
        numbers.append(answer.json()["number"])
    page = new_page(chromium, page_errors, 1280, 720)
    page.goto(f"{base}/counter")  # canbo4 is still seated at counter 3 (B and C) from an earlier test
    page.fill("#username", "canbo4")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#seat")).to_have_text("Quầy 3")
    call(page, numbers[0])
    page.keyboard.press("h")  # the citizen goes to fetch a paper
    page.fill("#reason-input", "Đi photo giấy tờ")
    page.locator("#reason-dialog").get_by_role("button", name="Đồng ý").click()
    held = page.locator(f'#held tr[data-number="{numbers[0]}"]')
    expect(held).to_be_visible()
    page.wait_for_function(  # visible without scrolling (the list re-renders on events: read it afresh)
        """n => { const row = document.querySelector(`#held tr[data-number="${n}"]`);
                  return row && row.getBoundingClientRect().bottom <= 720 && window.scrollY === 0; }""",
        arg=numbers[0],
    )
    call(page, numbers[1])
    expect(page.locator("#cur-timer")).to_contain_text("Thời gian tiếp công dân: 0:0")
    page.keyboard.press("f")  # finish straight from "called": no S needed
    expect(page.locator("#cur-number")).to_have_text("—")
    staff = {"Authorization": f"Bearer {page.evaluate('window.motcuaConsole.token')}"}
    tickets = httpx.get(f"{base}/api/v1/counters/3/waiting", headers=staff).json()
    assert numbers[1] not in [t["number"] for t in tickets["waiting"]]
    screenshot(page, "console-hold-list-1280x720.png")
    assert page_errors == []
