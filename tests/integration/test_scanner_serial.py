"""SerialCodeScanner over pyserial's loop:// and over real pseudo-terminals that vanish and come back."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.backoff import Backoff
from devices.scanners import ScanEvent, ScannerUrlError, open_scanner
from devices.scanners.serial_scanner import SerialCodeScanner
from devices.status import DeviceState, DeviceStatus
from tests.support import wait_for

CARD = "079303012345||Trần Thị Ngọc Ánh|14032003|Nữ|Số 12 Đường Lê Văn Sỹ, Quận 3, Hồ Chí Minh|21072021"


class Recorder:
    def __init__(self) -> None:
        self.events: list[ScanEvent] = []
        self.statuses: list[DeviceStatus] = []
        self.threads: set[str] = set()

    def on_scan(self, event: ScanEvent) -> None:
        self.threads.add(threading.current_thread().name)
        self.events.append(event)

    def on_status(self, status: DeviceStatus) -> None:
        self.statuses.append(status)

    @property
    def texts(self) -> list[str]:
        return [event.text for event in self.events]

    def reasons(self) -> list[str]:
        return [status.reason for status in self.statuses]


class PluggablePty:
    """A pseudo-terminal behind a stable path (a symlink), like /dev/serial/by-id/… for a USB scanner."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "ttyScanner"
        self.master: int | None = None
        self.slave: int | None = None

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        self.path.symlink_to(os.ttyname(self.slave))

    def unplug(self) -> None:
        self.path.unlink()
        for fd in (self.master, self.slave):
            if fd is not None:
                os.close(fd)
        self.master = self.slave = None

    def write(self, data: bytes) -> None:
        assert self.master is not None
        os.write(self.master, data)


@pytest.fixture
def pty(tmp_path: Path) -> Iterator[PluggablePty]:
    device = PluggablePty(tmp_path)
    device.plug()
    yield device
    if device.master is not None:
        device.unplug()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def start(url: str, recorder: Recorder) -> SerialCodeScanner:
    scanner = open_scanner(url)
    assert isinstance(scanner, SerialCodeScanner)
    scanner.backoff = Backoff(initial_s=0.05, cap_s=0.2)
    scanner.start(recorder.on_scan, recorder.on_status)
    assert wait_for(lambda: scanner.status().ready), scanner.status()
    return scanner


def test_loop_url_reads_lines_with_any_line_end(recorder: Recorder) -> None:
    scanner = start("loop://?dedupe=0", recorder)
    try:
        assert scanner.port is not None
        scanner.port.write(f"{CARD}\r\n".encode())
        scanner.port.write(b"A023\rB017\nC001\r\n")
        assert wait_for(lambda: len(recorder.events) == 4)
        assert recorder.texts == [CARD, "A023", "B017", "C001"]
        assert all(
            event.source == "loop://?dedupe=0" and event.format == "unknown" for event in recorder.events
        )
        assert recorder.threads and "MainThread" not in recorder.threads
    finally:
        scanner.stop()
    assert not scanner.running
    assert recorder.statuses[-1].reason == "stopped"


def test_same_code_within_the_window_is_reported_once(recorder: Recorder) -> None:
    scanner = start("loop://?dedupe=30", recorder)
    try:
        assert scanner.port is not None
        scanner.port.write(b"A023\r\nA023\r\nB017\r\nA023\r\nEND1\r\n")
        # Lines are read in order: once the last one is in, any wrong extra event would be too.
        assert wait_for(lambda: "END1" in recorder.texts)
        assert recorder.texts == ["A023", "B017", "END1"]
    finally:
        scanner.stop()


def test_binary_garbage_is_skipped_with_a_status_and_reading_goes_on(recorder: Recorder) -> None:
    scanner = start("loop://?dedupe=0", recorder)
    try:
        assert scanner.port is not None
        scanner.port.write(b"\xff\xfe\x80garbage\r\n")
        assert wait_for(lambda: scanner.status().state is DeviceState.DEGRADED)
        status = scanner.status()
        assert status.reason == "binary_garbage"
        assert "UTF-8" in status.message_en and status.message_vi
        scanner.port.write(b"\x00\x01\x02\r\n" + f"{CARD}\n".encode())
        assert wait_for(lambda: recorder.texts == [CARD])
        assert scanner.status().ready
        assert scanner.lines_skipped == 2
        assert recorder.reasons().count("binary_garbage") >= 1
    finally:
        scanner.stop()


def test_endless_line_without_terminator_is_dropped(recorder: Recorder) -> None:
    scanner = start("loop://?dedupe=0", recorder)
    try:
        assert scanner.port is not None
        scanner.port.write(b"x" * 20_000)
        assert wait_for(lambda: scanner.status().reason == "line_too_long")
        scanner.port.write(b"\r\nok\r\n")
        assert wait_for(lambda: "ok" in recorder.texts)
        assert all(len(text) < 20_000 for text in recorder.texts)
    finally:
        scanner.stop()


def test_other_line_end_option(recorder: Recorder) -> None:
    scanner = start("loop://?end=tab&dedupe=0", recorder)
    try:
        assert scanner.port is not None
        scanner.port.write(b"BEGIN:VCARD\r\nN:Le;An\r\nEND:VCARD\t")
        assert wait_for(lambda: len(recorder.events) == 1)
        assert recorder.texts == ["BEGIN:VCARD\r\nN:Le;An\r\nEND:VCARD"]
    finally:
        scanner.stop()


def test_pty_scanner_reads_unplugs_and_reconnects(pty: PluggablePty, recorder: Recorder) -> None:
    scanner = start(f"serial://{pty.path}?baudrate=9600&dedupe=0", recorder)
    try:
        pty.write(f"{CARD}\r\n".encode())
        assert wait_for(lambda: recorder.texts == [CARD])

        pty.unplug()
        assert wait_for(lambda: scanner.status().state is DeviceState.OFFLINE)
        assert wait_for(lambda: scanner.status().reason == "not_found")
        offline = scanner.status()
        assert "not found" in offline.message_en and offline.message_vi
        assert "unplugged" in recorder.reasons()

        pty.plug()
        assert wait_for(lambda: scanner.status().ready)
        pty.write(b"after replug\r\n")
        assert wait_for(lambda: recorder.texts == [CARD, "after replug"])
    finally:
        scanner.stop()


def test_port_vanishing_mid_line_never_delivers_the_partial_line(
    pty: PluggablePty, recorder: Recorder
) -> None:
    scanner = start(f"serial://{pty.path}?dedupe=0", recorder)
    try:
        pty.write(CARD[:30].encode())  # the cable is pulled while the scanner is sending
        time.sleep(0.2)
        pty.unplug()
        assert wait_for(lambda: scanner.status().state is DeviceState.OFFLINE)
        pty.plug()
        assert wait_for(lambda: scanner.status().ready)
        pty.write(b"-tail\r\n")  # must not be glued to the lost start
        pty.write(f"{CARD}\r\n".encode())
        assert wait_for(lambda: CARD in recorder.texts)
        assert recorder.texts == ["-tail", CARD]
    finally:
        scanner.stop()


def test_scanner_that_is_absent_at_start_comes_online_when_plugged(
    tmp_path: Path, recorder: Recorder
) -> None:
    device = PluggablePty(tmp_path)
    scanner = open_scanner(f"serial://{device.path}")
    assert isinstance(scanner, SerialCodeScanner)
    scanner.backoff = Backoff(initial_s=0.05, cap_s=0.2)
    scanner.start(recorder.on_scan, recorder.on_status)
    try:
        assert wait_for(lambda: scanner.status().reason == "not_found")
        device.plug()
        assert wait_for(lambda: scanner.status().ready)
        device.write(b"A001\r\n")
        assert wait_for(lambda: recorder.texts == ["A001"])
    finally:
        scanner.stop()
        device.unplug()


def test_backoff_is_capped_while_unplugged(tmp_path: Path, recorder: Recorder) -> None:
    scanner = open_scanner(f"serial://{tmp_path / 'absent'}")
    assert isinstance(scanner, SerialCodeScanner)
    scanner.backoff = Backoff(initial_s=0.01, factor=2.0, cap_s=0.04)
    scanner.start(recorder.on_scan, recorder.on_status)
    try:
        # 0.01, 0.02, 0.04, then it stays at the cap however many more attempts follow.
        assert wait_for(lambda: scanner.backoff.last_delay_s == pytest.approx(0.04))
        assert scanner.running
        assert scanner.backoff.next_delay() == pytest.approx(0.04)
    finally:
        scanner.stop()
    assert not scanner.running


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("serial://", "names no device"),
        ("serial:///dev/ttyACM0?baudrate=fast", "whole number"),
        ("serial:///dev/ttyACM0?parity=X", "parity"),
        ("serial:///dev/ttyACM0?speed=9600", "unknown option(s) speed"),
        ("serial:///dev/ttyACM0?end=semicolon", "end="),
        ("loop://?dedupe=-1", "from 0.0"),
        ("/dev/ttyACM0", "no scheme"),
        ("usb://04b8:0e15", "unknown scanner URL scheme 'usb'"),
    ],
)
def test_bad_urls_get_clear_errors(url: str, words: str) -> None:
    with pytest.raises(ScannerUrlError, match=words.replace("(", r"\(").replace(")", r"\)")):
        open_scanner(url)
