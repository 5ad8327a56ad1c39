"""The CodeScanner port: the fake and its fault injection, de-duplication, asyncio hand-over, URLs."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from devices.scanners import AsyncScanQueue, CodeScanner, ScanEvent, ScannerUrlError, open_scanner
from devices.scanners.base import Deduplicator
from devices.scanners.camera import CameraCodeScanner
from devices.scanners.fake import FakeCodeScanner
from devices.scanners.hid import HidCodeScanner
from devices.scanners.ports import mask_digit_runs
from devices.scanners.serial_scanner import SerialCodeScanner
from devices.status import DeviceState, DeviceStatus
from tests.support import wait_for

CARD = "079303012345||Trần Thị Ngọc Ánh|14032003|Nữ|Quận 3, Hồ Chí Minh|21072021"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("fake://", FakeCodeScanner),
        ("loop://", SerialCodeScanner),
        ("serial:///dev/ttyACM0?baudrate=9600", SerialCodeScanner),
        ("socket://127.0.0.1:9999", SerialCodeScanner),
        ("hid:///dev/input/event3", HidCodeScanner),
        ("camera://0", CameraCodeScanner),
        ("camera+file:///tmp/frames/", CameraCodeScanner),
    ],
)
def test_open_scanner_picks_the_adapter_and_does_not_start_it(url: str, kind: type) -> None:
    scanner = open_scanner(url)
    assert isinstance(scanner, kind)
    assert isinstance(scanner, CodeScanner)
    assert scanner.url == url
    assert scanner.status().reason in ("idle", "not_found")  # a cheap check, nothing opened


def test_unstarted_scanners_tell_whether_their_device_is_there(tmp_path: Path) -> None:
    (tmp_path / "ttyACM0").touch()
    (tmp_path / "event3").touch()
    assert open_scanner(f"serial://{tmp_path / 'ttyACM0'}").status().reason == "idle"
    assert open_scanner(f"serial://{tmp_path / 'ttyACM9'}").status().reason == "not_found"
    assert open_scanner(f"hid://{tmp_path / 'event3'}").status().ready
    missing = open_scanner(f"hid://{tmp_path / 'event9'}").status()
    assert missing.state is DeviceState.OFFLINE and "event9" in missing.message_en
    assert open_scanner(f"camera+file://{tmp_path / 'none.mp4'}").status().reason == "not_found"
    assert open_scanner("camera://97").status().reason == "not_found"
    fake = FakeCodeScanner()
    fake.unplug()
    assert fake.status().reason == "unplugged"


def test_fake_delivers_scans_and_injects_faults() -> None:
    events: list[ScanEvent] = []
    statuses: list[DeviceStatus] = []
    scanner = FakeCodeScanner(dedupe_s=0)
    assert not scanner.scan("before start")
    scanner.start(events.append, statuses.append)
    try:
        assert wait_for(lambda: scanner.status().ready)
        assert scanner.scan(CARD, "QRCode")
        scanner.unplug()
        assert scanner.status().reason == "unplugged"
        assert not scanner.scan("while unplugged")
        scanner.replug()
        assert scanner.status().ready
        scanner.garbage(b"\xff\xfe")
        assert scanner.status().state is DeviceState.DEGRADED
        assert scanner.scan("A023")
        assert scanner.status().ready
    finally:
        scanner.stop()
    assert [event.text for event in events] == [CARD, "A023"]
    assert events[0].format == "QRCode"
    assert [s.reason for s in statuses] == ["", "unplugged", "", "binary_garbage", "", "stopped"]


def test_fake_url_repeats_a_text_for_demos() -> None:
    events: list[ScanEvent] = []
    scanner = open_scanner("fake://?text=A%C4%90%20023&every=0.05&dedupe=0")
    scanner.start(events.append)
    try:
        assert wait_for(lambda: len(events) >= 3)
    finally:
        scanner.stop()
    assert {event.text for event in events} == {"AĐ 023"}


def test_fake_url_errors() -> None:
    with pytest.raises(ScannerUrlError, match="needs a 'text'"):
        open_scanner("fake://?every=3")
    with pytest.raises(ScannerUrlError, match="unknown option"):
        open_scanner("fake://?color=red")


def test_starting_twice_is_refused() -> None:
    scanner = FakeCodeScanner()
    scanner.start(lambda event: None)
    try:
        with pytest.raises(RuntimeError, match="already started"):
            scanner.start(lambda event: None)
    finally:
        scanner.stop()


def test_a_failing_handler_does_not_kill_the_scanner() -> None:
    received: list[str] = []

    def handler(event: ScanEvent) -> None:
        received.append(event.text)
        raise RuntimeError("consumer bug")

    scanner = FakeCodeScanner(dedupe_s=0)
    scanner.start(handler)
    try:
        assert wait_for(lambda: scanner.status().ready)
        scanner.scan("one")
        scanner.scan("two")
        assert scanner.running and scanner.status().ready
    finally:
        scanner.stop()
    assert received == ["one", "two"]


def test_deduplicator_reports_again_only_after_a_quiet_window() -> None:
    now = [0.0]
    dedupe = Deduplicator(1.5, clock=lambda: now[0])
    seen = []
    for t, text in [(0.0, "A"), (0.5, "A"), (1.9, "A"), (2.0, "B"), (3.0, "B"), (3.6, "A")]:
        now[0] = t
        seen.append(dedupe.accept(text))
    # A held in view (0 → 1.9) is reported once; after 1.7 s without it, again
    assert seen == [True, False, False, True, False, True]


def test_events_reach_asyncio_from_the_device_thread() -> None:
    async def main() -> tuple[ScanEvent, str]:
        queue = AsyncScanQueue(asyncio.get_running_loop())
        loop_thread = threading.current_thread().name
        scanner = FakeCodeScanner()
        scanner.start(queue.put_threadsafe)
        try:
            assert wait_for(lambda: scanner.status().ready)
            threading.Thread(target=scanner.scan, args=(CARD,)).start()
            event = await asyncio.wait_for(queue.get(), timeout=5)
        finally:
            scanner.stop()
        return event, loop_thread

    event, _ = asyncio.run(main())
    assert event.text == CARD


def test_async_queue_drops_the_oldest_when_full() -> None:
    async def main() -> list[str]:
        queue = AsyncScanQueue(asyncio.get_running_loop(), maxsize=2)
        for text in ("a", "b", "c"):
            queue.put_threadsafe(ScanEvent(text, "unknown", "fake://"))
        await asyncio.sleep(0)
        return [(await queue.get()).text, (await queue.get()).text]

    assert asyncio.run(main()) == ["b", "c"]


def test_events_never_show_a_full_id_number() -> None:
    event = ScanEvent(CARD, "QRCode", "fake://")
    assert "079303012345" not in repr(event)
    assert "079******345" in repr(event)
    assert mask_digit_runs("old 013456789 new 079303012345") == "old 013***789 new 079******345"
