"""Help at the kiosk, in the real window under Xvfb touched by xdotool, against a real server:
"Gọi cán bộ hỗ trợ" reaches the staff (and their answer reaches the kiosk); 🔊 reads each screen aloud
into a folder speaker (file://: a WAV and its words per sentence) and goes quiet when the citizen leaves."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK_KEY, PASSWORD, Server, make_server, running_server
from tests.ui.conftest import new_page
from tests.ui.test_console import sign_in
from tests.ui.test_kiosk_journeys import _xvfb, drive

pytestmark = pytest.mark.ui
expect = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").expect


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    yield from _xvfb(1920, 1080)


@pytest.fixture(scope="module")
def portrait() -> Iterator[str]:
    yield from _xvfb(1080, 1920)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    return make_server(f"sqlite:///{tmp_path_factory.mktemp('kiosk-help') / 'db.sqlite3'}", ManualClock(T0))


@pytest.fixture(scope="module")
def base_url(server: Server) -> Iterator[str]:
    with running_server(server) as url:
        yield url


def staff(base: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"username": "canbo1", "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def answer_when_called(base: str, work: Path, seen: dict[str, object], stop: threading.Event) -> None:
    """A staff member at the console: sees the kiosk's call, then "Đã đến hỗ trợ" (over HTTP)."""
    while not stop.is_set() and not (work / "help-called").exists():
        stop.wait(0.05)
    if stop.is_set():
        return
    headers = staff(base)
    seen["open"] = httpx.get(f"{base}/api/v1/kiosk-help", headers=headers).json()
    call_id = int((work / "help-called").read_text("utf-8"))
    seen["answer"] = httpx.post(f"{base}/api/v1/kiosk-help/{call_id}/answer", headers=headers).json()


def test_call_staff_for_help_from_the_kiosk_and_their_answer(
    display: str, base_url: str, tmp_path: Path
) -> None:
    seen: dict[str, object] = {}
    stop = threading.Event()
    helper = threading.Thread(target=answer_when_called, args=(base_url, tmp_path, seen, stop), daemon=True)
    helper.start()
    try:
        facts = drive(display, base_url, tmp_path, "help")
    finally:
        stop.set()
        helper.join(30)
    assert facts["help_title"] == "Cán bộ sẽ đến hỗ trợ Ông/Bà"
    assert "chờ tại máy" in facts["help_body"]
    opened = seen["open"]
    # One call from this kiosk, pressed once: the kiosk's second press sent nothing.
    assert isinstance(opened, list) and [(c["kiosk"], c["presses"]) for c in opened] == [("kiosk-1", 1)]
    assert seen["answer"]["staff"] == "canbo1"  # type: ignore[index]
    assert facts["help_button_called"].replace("\xa0", " ") == "Đã gọi cán bộ"
    assert facts["help_after_wipe"].replace("\xa0", " ") == "Gọi cán bộ hỗ trợ"
    # The call from the queues screen was a new one; nobody came and the citizen left: it closed.
    assert httpx.get(f"{base_url}/api/v1/kiosk-help", headers=staff(base_url)).json() == []
    latest = httpx.get(f"{base_url}/api/v1/kiosk/help", headers={"X-Device-Key": KIOSK_KEY}).json()
    assert (latest["id"], latest["withdrawn_reason"]) == (facts["second_call"], "citizen_left")
    assert {"kiosk-help.png", "kiosk-help-queues.png"} <= set(facts["shots"])


def wait_for_file(path: Path, driving: threading.Thread) -> None:
    while not path.exists():
        assert driving.is_alive(), f"the kiosk stopped before {path.name}"
        time.sleep(0.05)


def test_a_call_nobody_answered_leaves_the_console_when_the_citizen_goes(
    chromium: Any, page_errors: list[str], display: str, base_url: str, tmp_path: Path
) -> None:
    """The real window (xdotool) calls; the console (headless Chromium) shows the yellow bar; the citizen
    taps "Về đầu": the bar goes, the record says "Người dân đã rời đi", the next citizen sees no call."""
    console = new_page(chromium, page_errors, 1366, 768)
    sign_in(console, base_url, "canbo1")
    console.get_by_role("button", name=re.compile("^Quầy 1")).click()
    expect(console.locator("#seat")).to_have_text("Quầy 1")
    found: dict[str, Any] = {}
    driving = threading.Thread(
        target=lambda: found.update(drive(display, base_url, tmp_path, "help_left")), daemon=True
    )
    driving.start()
    try:
        wait_for_file(tmp_path / "help-called", driving)
        call_id = (tmp_path / "help-called").read_text("utf-8")
        expect(console.locator(f"#help-calls .help-call[data-id='{call_id}']")).to_be_visible()
        (tmp_path / "console-saw").write_text("seen", "utf-8")
        wait_for_file(tmp_path / "help-left", driving)
        expect(console.locator("#help-calls")).to_be_hidden()
    finally:
        driving.join()
    assert found["next_citizen_button"].replace("\xa0", " ") == "Gọi cán bộ hỗ trợ"
    assert found["next_citizen_cover"] is False
    assert "đang đến" not in found["next_citizen_ocr"] and "Đã gọi" not in found["next_citizen_ocr"]
    assert "cần làm việc gì" in found["next_citizen_ocr"]  # the screen is read back
    headers = staff(base_url)
    assert httpx.get(f"{base_url}/api/v1/kiosk-help", headers=headers).json() == []
    # The record: the event log says the call closed because the citizen left.
    events = httpx.get(f"{base_url}/api/v1/events", headers=headers).json()
    closed = [e["data"]["help"] for e in events if e["type"] == "kiosk.help_withdrawn"]
    assert [(c["id"], c["withdrawn_words"]) for c in closed][-1] == (int(call_id), "Người dân đã rời đi")
    assert page_errors == []


def test_spoken_guidance_reads_each_screen_until_the_citizen_leaves(
    display: str, base_url: str, tmp_path: Path
) -> None:
    facts = drive(display, base_url, tmp_path, "voice")
    spoken = [text for _, text in facts["spoken"]]
    assert spoken[0].startswith("Kính chào Ông/Bà.")
    assert any("chọn việc cần làm" in text for text in spoken)
    number = facts["ticket_number"]  # A012 is read as the board calls it: "a không một hai"
    digits = " ".join(
        ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")[int(c)] for c in number[1:]
    )
    assert any(f"Số thứ tự của Ông/Bà là a {digits}." in text for text in spoken), spoken
    assert spoken[-1] == "Cán bộ sẽ đến hỗ trợ Ông/Bà. Xin Ông/Bà chờ tại máy này."
    assert all(language == "vi" for language, _ in facts["spoken"])
    assert len(spoken) == len(set(spoken))  # each screen's words once
    for clip in facts["clips"]:  # real speech from espeak-ng, not an empty file
        assert clip["rate"] == 22050 and clip["channels"] == 1 and clip["seconds"] > 1.0, clip


def test_help_buttons_on_a_portrait_screen_in_larger_text(
    portrait: str, base_url: str, tmp_path: Path
) -> None:
    facts = drive(portrait, base_url, tmp_path, "help_screens", "--prefix", "kiosk-portrait-")
    assert "kiosk-portrait-start-help-large.png" in facts["shots"]


def test_help_buttons_on_a_landscape_screen_in_larger_text(
    display: str, base_url: str, tmp_path: Path
) -> None:
    facts = drive(display, base_url, tmp_path, "help_screens")
    assert "kiosk-help-large.png" in facts["shots"]
