"""The kiosk app under Xvfb, driven by simulated touches with an emulated camera (a folder of frames).

Each journey runs the real app in its own process (tests/fixtures/kiosk/driver.py) against a real server
running here; the driver checks what is on screen, saves a screenshot of every screen it passes and
writes its findings to result.json. Screenshots: docs/screenshots/kiosk-*.png are refreshed from them
when MOTCUA_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK_KEY, Server, client_for, free_port, make_server, running_server

pytestmark = pytest.mark.ui
ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "fixtures" / "kiosk" / "driver.py"
SCREENSHOTS = ROOT / "docs" / "screenshots"


def _xvfb(width: int, height: int) -> Iterator[str]:
    """An X screen of this size with no window manager (how a kiosk is started by xinit)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("no Xvfb (apt-get install xvfb)")
    number = 90 + (os.getpid() + width) % 50
    while Path(f"/tmp/.X11-unix/X{number}").exists():
        number += 1
    process = subprocess.Popen(
        # -noreset: an X server resets when its last client leaves, and refuses clients meanwhile (a
        # probe or a quick xprop before the window manager connects would make it fail to start)
        ["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not _accepts(f"/tmp/.X11-unix/X{number}") and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(10)


def _accepts(socket_path: str) -> bool:
    """The X server takes clients, not only has its socket file (made at bind(), before it listens).
    Harmless only with -noreset: without it, this probe's leaving would make the server reset."""
    import socket

    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(socket_path)
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A landscape 1920x1080 screen."""
    yield from _xvfb(1920, 1080)


@pytest.fixture(scope="module")
def portrait() -> Iterator[str]:
    """A portrait 1080x1920 screen (standing kiosks)."""
    yield from _xvfb(1080, 1920)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    return make_server(f"sqlite:///{tmp_path_factory.mktemp('kiosk-ui') / 'db.sqlite3'}", ManualClock(T0))


@pytest.fixture(scope="module")
def base_url(server: Server) -> Iterator[str]:
    with running_server(server) as url:
        yield url


def drive(
    display: str,
    server_url: str,
    work: Path,
    journeys: str,
    *extra: str,
    when_server_wanted: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Run the driver (its own process) and return its findings; fails with what it saw."""
    env = {**os.environ, "DISPLAY": display, "KIVY_HOME": str(work / "kivy-home")}
    command = [sys.executable, str(DRIVER), "--server", server_url, "--key", KIOSK_KEY, "--work", str(work)]
    work.mkdir(parents=True, exist_ok=True)
    log = (work / "driver.log").open("w", encoding="utf-8")  # a file: a full pipe would stop the driver
    process = subprocess.Popen(
        [*command, "--journeys", journeys, *extra], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 420
    while process.poll() is None and time.monotonic() < deadline:
        if when_server_wanted is not None and (work / "server-wanted").exists():
            when_server_wanted()
            when_server_wanted = None
        time.sleep(0.05)
    if process.poll() is None:
        process.kill()
    process.wait(30)
    log.close()
    stderr = (work / "driver.log").read_text(encoding="utf-8", errors="replace")
    result_file = work / "result.json"
    assert result_file.exists(), f"the driver wrote no result:\n{stderr[-3000:]}"
    result: dict[str, Any] = json.loads(result_file.read_text("utf-8"))
    assert result["facts"].get("error", "") == "", result["facts"]["error"]
    assert result["failures"] == [], result["failures"]
    assert process.returncode == 0, stderr[-3000:]
    if os.environ.get("MOTCUA_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in result["facts"].get("shots", []):
            shutil.copyfile(work / name, SCREENSHOTS / name)
    return dict(result["facts"])


def test_take_a_number_in_three_taps_on_a_landscape_screen(
    display: str, base_url: str, tmp_path: Path
) -> None:
    facts = drive(display, base_url, tmp_path, "ticket,looks,maintenance,screens")
    assert facts["window_drawn"] == [0, 0, 1920, 1080]  # the whole screen, without a window manager
    assert facts["ticket_taps"] <= 3
    assert facts["ticket"].startswith("A") and facts["ticket_queue"] == "Cư trú"
    assert facts["second_ticket"] != facts["ticket"]
    assert "Ông/Bà" in facts["ticket_ahead"] and not facts["ticket_ahead"].startswith("Còn 0")
    assert facts["print_state"] == "printed"
    assert facts["qr"].startswith(base_url + "/t/")
    printed = (tmp_path / "ticket.bin").read_bytes()
    assert printed.startswith(b"\x1b@") and len(printed) > 1000  # ESC @ then the raster ticket
    assert "Máy chủ" in facts["maintenance_text"] and "ready" not in facts["maintenance_text"]
    assert {"kiosk-start.png", "kiosk-ticket.png", "kiosk-start-en.png", "kiosk-start-large-en.png"} <= set(
        facts["shots"]
    )


def test_take_a_number_on_a_portrait_screen(portrait: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(portrait, base_url, tmp_path, "ticket,looks,maintenance", "--prefix", "kiosk-portrait-")
    assert facts["window_drawn"] == [0, 0, 1080, 1920] and facts["window"][2] is True
    assert facts["ticket_taps"] <= 3 and facts["print_state"] == "printed"


def test_printer_out_of_paper_shows_the_number_on_screen(display: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(display, base_url, tmp_path, "ticket", "--printer", "fake://?fault=paper_out")
    assert facts["print_state"] == "failed"
    assert "hết giấy" in facts["print_message"] and facts["ticket"]
    assert "kiosk-ticket-printer-failed.png" in facts["shots"]


def test_nothing_of_a_card_reaches_the_next_citizen(display: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(display, base_url, tmp_path, "privacy")
    assert facts["wiped"] is True


def test_out_of_service_then_back_by_itself(display: str, tmp_path: Path) -> None:
    port = free_port()
    server = make_server(f"sqlite:///{tmp_path / 'late.sqlite3'}", ManualClock(T0))
    started: list[Any] = []

    def start_server() -> None:
        started.append(serve_on(server, port))
        started[0].__enter__()

    try:
        facts = drive(
            display, f"http://127.0.0.1:{port}", tmp_path, "out_of_service", when_server_wanted=start_server
        )
    finally:
        if started:
            started[0].__exit__(None, None, None)
    assert facts["out_of_service"] is True and facts["back_after_s"] <= 15
    assert "kiosk-out-of-service.png" in facts["shots"]


@contextmanager
def serve_on(server: Server, port: int) -> Iterator[str]:
    """The app under uvicorn on this port (the kiosk was told it before the server came up)."""
    import uvicorn

    instance = uvicorn.Server(uvicorn.Config(server.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(30)


class WifiLoginPage:
    """In front of the server: answers the kiosk's next GET /api/v1/queues with a captive Wi-Fi login page
    (200, HTML) once the driver writes WORK/break-queues, then lets everything through again."""

    def __init__(self, app: Any, flag: Path) -> None:
        self.app, self.flag = app, flag

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/api/v1/queues" and self.flag.exists():
            self.flag.unlink()
            await send(
                {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
            )
            await send({"type": "http.response.body", "body": b"<html><body>Wi-Fi: dang nhap</body></html>"})
            return
        await self.app(scope, receive, send)


def test_an_unexpected_failure_is_said_plainly_and_the_kiosk_recovers(
    display: str, server: Server, tmp_path: Path
) -> None:
    import uvicorn

    port = free_port()
    front = WifiLoginPage(server.app, tmp_path / "break-queues")
    instance = uvicorn.Server(uvicorn.Config(front, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    try:
        facts = drive(display, f"http://127.0.0.1:{port}", tmp_path, "trouble")
    finally:
        instance.should_exit = True
        thread.join(30)
    assert not (tmp_path / "break-queues").exists()  # the broken answer was given
    read = facts["trouble_ocr"]
    assert "vừa gặp sự cố" in read and "Xin Ông/Bà làm lại" in read, read
    assert "Traceback" not in read and "JSONDecodeError" not in read  # nothing technical for the citizen
    assert "KioskFlow.begin · JSONDecodeError" in facts["maintenance_faults"]
    log = (tmp_path / "kiosk.log").read_text("utf-8")
    assert "kiosk task KioskFlow.begin failed unexpectedly" in log and "Traceback" in log
    assert "kiosk-trouble.png" in facts["shots"]


def _finish_a_ticket(server: Server) -> str:
    """Issue a ticket and serve it at counter 1, as the office would, so that it can be rated."""
    with client_for(server) as client:
        staff = server.login(client, "canbo1")
        issued = client.post("/api/v1/tickets", json={"queue": "A"}, headers={"X-Device-Key": KIOSK_KEY})
        assert issued.status_code == 201, issued.text
        assert client.post("/api/v1/counters/1/open", headers=staff).status_code == 200
        called = client.post(f"/api/v1/counters/1/call/{issued.json()['id']}", headers=staff)
        assert called.status_code == 200, called.text
        ticket_id = issued.json()["id"]
        assert client.post(f"/api/v1/tickets/{ticket_id}/start", headers=staff).status_code == 200
        assert client.post(f"/api/v1/tickets/{ticket_id}/finish", headers=staff).status_code == 200
        client.post("/api/v1/counters/1/close", headers=staff)
        return str(issued.json()["public_code"])


def test_a_residence_case_by_card_with_two_papers_then_look_it_up(
    display: str, base_url: str, tmp_path: Path
) -> None:
    facts = drive(display, base_url, tmp_path, "case,lookup")
    assert facts["dossier"].startswith("CAXTP-")
    assert len(facts["uploaded"]) == 2 and all(n >= 1 for n in facts["photographed"].values())
    assert facts["lookup_wrong"].startswith("Không tìm thấy hồ sơ với mã và 4 số này")
    assert facts["lookup_status"] == "new"
    shown = facts["lookup_text"]
    assert facts["dossier"] in shown and "chờ cán bộ tiếp nhận" in shown and "Ông/Bà" in shown
    assert "Bộ phận Một cửa" in shown  # where to go
    assert facts["lookup_card_codes"][0] == facts["dossier"]  # the card alone: its newest case first
    assert "******" in facts["lookup_card_head"]  # the card's number, masked


def test_a_residence_case_on_a_portrait_screen(portrait: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(portrait, base_url, tmp_path, "case", "--prefix", "kiosk-portrait-")
    # The same citizen's second case in this module: a paper sent with the first may count as given.
    assert facts["dossier"].startswith("CAXTP-") and len(facts["photographed"]) == 2 and facts["uploaded"]


def test_an_id_card_case_by_typed_number_with_choices(display: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(display, base_url, tmp_path, "typed", "--frames", "pages")
    assert facts["typed_dossier"].startswith("CAXTP-")
    assert facts["typed_priority"] == "elderly"  # from the birth date typed in the form


def test_identify_by_the_cards_chip_with_the_can_pad(display: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(display, base_url, tmp_path, "chip", "--frames", "pages", "--chip")
    # The fake's specimen card is signed by a test CSCA this server does not have installed.
    assert (facts["chip_source"], facts["chip_name"]) == ("chip-not-verifiable", "Trần Thị Ngọc Ánh")


def test_identify_by_chip_on_a_portrait_screen(portrait: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(
        portrait, base_url, tmp_path, "chip", "--frames", "pages", "--chip", "--prefix", "kiosk-portrait-"
    )
    assert facts["chip_source"] == "chip-not-verifiable"


def test_rate_a_finished_visit(display: str, server: Server, base_url: str, tmp_path: Path) -> None:
    public_code = _finish_a_ticket(server)
    facts = drive(display, base_url, tmp_path, "rate", "--public-code", public_code)
    assert facts["rated"]["score"] == 2 and facts["rated"]["reasons"]


@contextmanager
def motcua_kiosk_window(display: str, server_url: str, work: Path) -> Iterator[str]:
    """`motcua kiosk` itself (not windowed, emulated devices) on this X screen; yields what xdotool says
    of its window's place and size once it is there."""
    env = {
        **os.environ,
        "DISPLAY": display,
        "KIVY_HOME": str(work / "kivy-home"),
        "MOTCUA_KIOSK_KEY": KIOSK_KEY,
        "PYTHONPATH": str(ROOT),
    }
    config = work / "kiosk.toml"
    config.write_text(
        f'[kiosk]\nemulated_frames = "{work / "frames"}"\nemulated_ticket_file = "{work / "t.bin"}"\n',
        encoding="utf-8",
    )
    kiosk = subprocess.Popen(
        [sys.executable, "-m", "motcua", "kiosk", "--server", server_url, "--config", str(config), "--emulate"],
        env=env, stdout=subprocess.DEVNULL, stderr=(work / "kiosk.log").open("wb"),
    )  # fmt: skip
    try:
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--classname", "python", "getwindowgeometry"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        yield found.stdout + found.stderr
    finally:
        kiosk.terminate()
        kiosk.wait(30)


def test_motcua_kiosk_fills_a_screen_without_a_window_manager(portrait: str, tmp_path: Path) -> None:
    """`motcua kiosk` (not windowed) on a 1080x1920 X screen: one window at (0, 0), the screen's size."""
    if shutil.which("xdotool") is None:
        pytest.skip("no xdotool (scripts/system-deps.sh installs it)")
    with motcua_kiosk_window(portrait, f"http://127.0.0.1:{free_port()}", tmp_path) as found:
        assert "Position: 0,0" in found, found
        assert "Geometry: 1080x1920" in found, found
