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
import time
from collections.abc import Iterator
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


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """The X display: the one we have, or an Xvfb of our own."""
    if os.environ.get("DISPLAY"):
        yield os.environ["DISPLAY"]
        return
    if shutil.which("Xvfb") is None:
        pytest.skip("no DISPLAY and no Xvfb (apt-get install xvfb)")
    number = 90 + os.getpid() % 50
    process = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{number}").exists():
            break
        time.sleep(0.05)
    try:
        yield f":{number}"
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Server:
    return make_server(f"sqlite:///{tmp_path_factory.mktemp('kiosk-ui') / 'db.sqlite3'}", ManualClock(T0))


@pytest.fixture(scope="module")
def base_url(server: Server) -> Iterator[str]:
    with running_server(server) as url:
        yield url


def drive(display: str, server_url: str, work: Path, journeys: str, *extra: str) -> dict[str, Any]:
    env = {**os.environ, "DISPLAY": display, "KIVY_HOME": str(work / "kivy-home")}
    answer = subprocess.run(
        [
            sys.executable,
            str(DRIVER),
            "--server",
            server_url,
            "--key",
            KIOSK_KEY,
            "--work",
            str(work),
            "--journeys",
            journeys,
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    result_file = work / "result.json"
    assert result_file.exists(), f"the driver wrote no result:\n{answer.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(result_file.read_text("utf-8"))
    assert result["facts"].get("error", "") == "", result["facts"]["error"]
    assert result["failures"] == [], result["failures"]
    assert answer.returncode == 0, answer.stderr[-3000:]
    if os.environ.get("MOTCUA_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in result["facts"].get("shots", []):
            shutil.copyfile(work / name, SCREENSHOTS / name)
    return dict(result["facts"])


def test_take_a_number_and_change_the_look(display: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(display, base_url, tmp_path, "ticket,looks")
    assert facts["ticket"].startswith("A") and facts["ticket_queue"] == "Cư trú"
    assert facts["print_state"] == "printed"
    assert facts["qr"].startswith(base_url + "/t/")
    printed = (tmp_path / "ticket.bin").read_bytes()
    assert printed.startswith(b"\x1b@") and len(printed) > 1000  # ESC @ then the raster ticket
    assert {
        "kiosk-start.png",
        "kiosk-ticket.png",
        "kiosk-start-en.png",
        "kiosk-start-high-contrast.png",
    } <= set(facts["shots"])


def test_printer_out_of_paper_shows_the_number_on_screen(display: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(display, base_url, tmp_path, "ticket", "--printer", "fake://?fault=paper_out")
    assert facts["print_state"] == "failed"
    assert "hết giấy" in facts["print_message"] and facts["ticket"]
    assert "kiosk-ticket-printer-failed.png" in facts["shots"]


def test_card_fills_in_and_idle_wipes_everything(display: str, base_url: str, tmp_path: Path) -> None:
    facts = drive(display, base_url, tmp_path, "identify_idle,maintenance")
    assert facts["wiped"] is True
    assert ("server", "ready") in [tuple(d) for d in facts["devices"]]
    assert ("camera", "ready") in [tuple(d) for d in facts["devices"]]


def test_server_down_shows_out_of_service(display: str, tmp_path: Path) -> None:
    facts = drive(display, f"http://127.0.0.1:{free_port()}", tmp_path, "out_of_service")
    assert facts["out_of_service"] is True
    assert "kiosk-out-of-service.png" in facts["shots"]


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


def _has_api(server: Server, path: str) -> bool:
    return path in server.app.openapi()["paths"]


def test_submit_a_case_then_look_it_up(display: str, server: Server, base_url: str, tmp_path: Path) -> None:
    if not _has_api(server, "/api/v1/dossiers"):
        pytest.skip("the server has no cases API yet (docs/api-dossiers.md)")
    facts = drive(display, base_url, tmp_path, "case,lookup")
    assert facts["dossier"].startswith("CAXTP-")
    assert facts["case_ticket"]
    assert facts["lookup_status"] == "new"


def test_rate_a_finished_visit(display: str, server: Server, base_url: str, tmp_path: Path) -> None:
    if not _has_api(server, "/api/v1/ratings"):
        pytest.skip("the server has no ratings API yet (docs/api-dossiers.md)")
    public_code = _finish_a_ticket(server)
    facts = drive(display, base_url, tmp_path, "rate", "--public-code", public_code)
    assert facts["rated"]["score"] == 2 and facts["rated"]["reasons"]
