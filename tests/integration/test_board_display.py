"""`motcua display URL`: the browser command it builds, its errors, and a real (headless) launch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from display_board.kiosk import DisplayError, check_board_url, find_browser, kiosk_command
from queue_server.clock import ManualClock
from tests.conftest import ROOT, T0
from tests.support import DISPLAY, DISPLAY_KEY, make_server, running_server

CHROMIUM = Path("/usr/bin/chromium")


def motcua(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "motcua", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )


def fake_browser(folder: Path, name: str = "chromium") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_kiosk_command(tmp_path: Path) -> None:
    command = kiosk_command("/opt/chromium", "http://10.0.0.2:8000/board?key=k", profile_dir=tmp_path / "p")
    assert command[0] == "/opt/chromium"
    assert command[-1] == "--app=http://10.0.0.2:8000/board?key=k"
    assert "--kiosk" in command and "--autoplay-policy=no-user-gesture-required" in command
    assert f"--user-data-dir={(tmp_path / 'p').resolve()}" in command
    windowed = kiosk_command("/opt/chromium", "https://x/board", windowed=True, extra_args=["--lang=vi"])
    assert "--kiosk" not in windowed and windowed[-2:] == ["--lang=vi", "--app=https://x/board"]


@pytest.mark.parametrize("url", ["", "board", "ftp://server/board", "http://", "javascript:alert(1)"])
def test_bad_addresses_are_refused(url: str) -> None:
    with pytest.raises(DisplayError, match="not a web address"):
        check_board_url(url)


def test_find_browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    browser = fake_browser(bin_dir, "chromium-browser")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert find_browser(env={}) == str(browser)
    other = fake_browser(tmp_path / "other", "my-chrome")
    assert find_browser(env={"MOTCUA_CHROMIUM": str(other)}) == str(other)
    assert find_browser(str(other), env={"MOTCUA_CHROMIUM": "/nope"}) == str(other)
    with pytest.raises(DisplayError, match="browser not found"):
        find_browser("/nope/chromium", env={})
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(DisplayError, match="apt-get install chromium"):
        find_browser(env={})


def test_cli_prints_the_command_and_reports_problems(tmp_path: Path) -> None:
    browser = fake_browser(tmp_path / "bin")
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}"}
    env.pop("MOTCUA_CHROMIUM", None)
    printed = motcua(
        "display", "http://127.0.0.1:8000/board?key=abc", "--print", "--profile", "var/p", env=env
    )
    assert printed.returncode == 0, printed.stderr
    words = printed.stdout.split()
    assert words[0] == str(browser) and "--kiosk" in words
    assert words[-1] == "'--app=http://127.0.0.1:8000/board?key=abc'"

    bad = motcua("display", "not-a-url", "--print", env=env)
    assert bad.returncode == 2 and "not a web address" in bad.stderr
    no_browser = motcua("display", "http://x/board", "--print", env={**env, "PATH": str(tmp_path / "none")})
    assert no_browser.returncode == 2 and "Chromium not found" in no_browser.stderr


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_cli_really_starts_chromium_on_the_board(tmp_path: Path) -> None:
    """Headless for a moment: the board it opens loads and connects to the server's event stream."""
    server = make_server(f"sqlite:///{tmp_path / 'display.sqlite3'}", ManualClock(T0))
    with running_server(server) as base:
        command = [sys.executable, "-m", "motcua", "display", f"{base}/board?key={DISPLAY_KEY}"]
        command += ["--browser", str(CHROMIUM), "--profile", str(tmp_path / "profile")]
        command += [
            "--browser-arg=--headless=new",
            "--browser-arg=--no-sandbox",
            "--browser-arg=--disable-gpu",
        ]
        launched = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        try:
            connected = wait_for_board_clients(base)
        finally:
            os.killpg(launched.pid, signal.SIGTERM)  # motcua and the Chromium it started, nothing else
            launched.wait()
    assert connected == 1
    assert (tmp_path / "profile").is_dir()


def wait_for_board_clients(base: str) -> int:
    """The number of event-stream clients once the board has connected (0 if it never did)."""
    for _ in range(600):
        clients = int(httpx.get(f"{base}/api/v1/health", headers=DISPLAY).json()["event_clients"])
        if clients:
            return clients
        time.sleep(0.05)
    return 0
