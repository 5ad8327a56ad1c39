"""`motcua kiosk` fills the screen under a window manager too: a technician may start it from a desktop
(openbox, landscape) or a kiosk shell (matchbox, the usual one-window manager, portrait). The journeys in
test_kiosk_journeys.py run with no window manager (xinit), as most kiosks are started.

Read back from the X screen itself: the window at (0, 0) with the screen's size, nothing of the bare
root window at the edges, and the start screen's header and both columns read by OCR."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import make_server, running_server
from tests.ui.test_kiosk_journeys import _xvfb, motcua_kiosk_window

pytestmark = pytest.mark.ui
# The start screen whole, from the header to the right column (the old bug cut off the right column).
START_WORDS = ("Công an xã Tân Phú", "Lấy số thứ tự", "Nộp hồ sơ", "Đánh giá", "English")
WAIT_S = 120.0


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("kiosk-wm")
    with running_server(make_server(f"sqlite:///{folder / 'db.sqlite3'}", ManualClock(T0))) as url:
        yield url


def _window_manager(command: list[str], display: str, log: Path) -> subprocess.Popen[bytes]:
    """Start it and wait until it has taken the screen (it names itself on the root window)."""
    env = {**os.environ, "DISPLAY": display}
    with log.open("wb") as output:
        manager = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        check = subprocess.run(
            ["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], env=env, capture_output=True, text=True
        )
        if "window id" in check.stdout:
            return manager
        assert manager.poll() is None, f"{command[0]} ended at start: {log.read_text()[-2000:]}"
        time.sleep(0.05)
    manager.kill()
    raise AssertionError(f"{command[0]} never took the screen")


def _grab(display: str, path: Path) -> Path:
    from PIL import ImageGrab

    ImageGrab.grab(xdisplay=display).save(path)
    return path


def _read_start_screen(display: str, shot: Path) -> tuple[str, list[str]]:
    """OCR of the X screen until the start screen's words are all there (or the wait is over)."""
    seen, missing = "", list(START_WORDS)
    deadline = time.monotonic() + WAIT_S
    while missing and time.monotonic() < deadline:
        seen = _ocr(_grab(display, shot))
        missing = [words for words in START_WORDS if words not in seen]
    return seen, missing


def _ocr(path: Path) -> str:
    answer = subprocess.run(
        ["tesseract", str(path), "-", "-l", "vie"], capture_output=True, text=True, timeout=120, check=True
    )
    return " ".join(answer.stdout.split())


@pytest.mark.parametrize(
    ("manager", "size"),
    [(["openbox"], (1920, 1080)), (["matchbox-window-manager"], (1080, 1920))],
    ids=["openbox-landscape", "matchbox-portrait"],
)
def test_motcua_kiosk_fills_the_screen_under_a_window_manager(
    manager: list[str], size: tuple[int, int], base_url: str, tmp_path: Path
) -> None:
    for tool in (manager[0], "xdotool", "xprop", "tesseract"):
        if shutil.which(tool) is None:
            pytest.skip(f"no {tool} (scripts/system-deps.sh installs it)")
    with contextmanager(_xvfb)(*size) as display:
        wm = _window_manager(manager, display, tmp_path / "wm.log")
        try:
            with motcua_kiosk_window(display, base_url, tmp_path) as found:
                seen, missing = _read_start_screen(display, tmp_path / "screen.png")
        finally:
            wm.terminate()
            wm.wait(10)
    width, height = size
    assert "Position: 0,0" in found, found
    assert f"Geometry: {width}x{height}" in found, found
    assert missing == [], f"not on the screen: {missing}; read: {seen}"
    _assert_covers_the_edges(tmp_path / "screen.png")


def _assert_covers_the_edges(path: Path) -> None:
    """Xvfb's bare root window is black; the kiosk's page is light: no black strip along any edge (a
    window smaller than the screen, or pushed down by a title bar, leaves one)."""
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        edges = [(x, y) for x in range(0, width, 8) for y in (0, height - 1)]
        edges += [(x, y) for y in range(0, height, 8) for x in (0, width - 1)]
        black = [(x, y) for x, y in edges if sum(rgb.getpixel((x, y))) < 60]  # type: ignore[arg-type]
    assert black == [], f"the bare screen shows at {len(black)} edge points, e.g. {black[:5]}"
