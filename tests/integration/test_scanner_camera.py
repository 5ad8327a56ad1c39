"""CameraCodeScanner over folders of generated 1280x720 frames and a video file."""

from __future__ import annotations

import os
import threading
from functools import partial
from pathlib import Path

import cv2
import pytest

from devices.backoff import Backoff
from devices.scanners import ScanEvent, ScannerUrlError, open_scanner
from devices.scanners.camera import CameraCodeScanner, image_files
from devices.scanners.synthetic import card_photo
from devices.status import DeviceState
from tests import support

CARD = "079303012345||Trần Thị Ngọc Ánh|14032003|Nữ|Số 12 Đường Lê Văn Sỹ, Quận 3, Hồ Chí Minh|21072021"


wait_for = partial(support.wait_for, seconds=10.0, every=0.02)  # frames take longer to go through


def write_frames(folder: Path, with_card: range, count: int = 10) -> None:
    """Frames 0..count-1; those in `with_card` show the card's QR, the others an empty desk."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        center = (0.55, 0.5) if index in with_card else (3.0, 3.0)  # off-frame: the desk only
        frame = card_photo(CARD, angle_deg=4.0 + index, center=center, seed=index)
        assert cv2.imwrite(str(folder / f"frame{index}.jpg"), frame, [cv2.IMWRITE_JPEG_QUALITY, 90])


def start(url: str) -> tuple[CameraCodeScanner, list[ScanEvent]]:
    events: list[ScanEvent] = []
    scanner = open_scanner(url)
    assert isinstance(scanner, CameraCodeScanner)
    scanner.backoff = Backoff(initial_s=0.05, cap_s=0.2)
    scanner.start(events.append)
    return scanner, events


def test_folder_of_frames_yields_the_card_once_with_preview(tmp_path: Path) -> None:
    write_frames(tmp_path / "frames", with_card=range(3, 7))
    scanner, events = start(f"camera+file://{tmp_path / 'frames'}/?fps=25&dedupe=60")
    try:
        assert wait_for(lambda: len(events) >= 1)
        assert wait_for(lambda: scanner.frames_captured >= 25)  # looped more than twice
        assert [event.text for event in events] == [CARD]  # seen on many frames, reported once
        assert events[0].format == "QRCode"
        assert events[0].source.startswith("camera+file://")
        frame = scanner.latest_frame()
        assert frame is not None and frame.shape == (720, 1280, 3)
        assert not frame.flags.writeable
        assert scanner.status().ready
    finally:
        scanner.stop()
    assert not scanner.running


def test_card_shown_again_after_the_window_is_reported_again(tmp_path: Path) -> None:
    write_frames(tmp_path / "frames", with_card=range(0, 2), count=8)
    scanner, events = start(f"camera+file://{tmp_path / 'frames'}/?fps=20&dedupe=0.1")
    try:
        assert wait_for(lambda: len(events) >= 2)
        assert {event.text for event in events} == {CARD}
    finally:
        scanner.stop()


def test_decoding_runs_off_the_capture_thread_and_latest_frame_wins(tmp_path: Path) -> None:
    write_frames(tmp_path / "frames", with_card=range(0, 1), count=6)
    threads: list[str] = []

    def on_scan(event: ScanEvent) -> None:
        threads.append(threading.current_thread().name)

    # thorough decoding of empty 720p frames is far slower than 100 frames a second
    scanner = open_scanner(f"camera+file://{tmp_path / 'frames'}/?fps=100&profile=thorough&dedupe=0")
    assert isinstance(scanner, CameraCodeScanner)
    scanner.start(on_scan)
    try:
        assert wait_for(lambda: scanner.frames_skipped > 20 and len(threads) >= 1)
        assert scanner.frames_decoded < scanner.frames_captured
        assert all(name.startswith("decoder ") for name in threads)
    finally:
        scanner.stop()


def test_unreadable_frames_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    write_frames(folder, with_card=range(1, 2), count=2)
    (folder / "frame0.jpg").write_bytes(b"\xff\xd8 truncated jpeg")
    (folder / "notes.txt").write_text("not a frame")
    scanner, events = start(f"camera+file://{folder}/?fps=30")
    try:
        assert wait_for(lambda: len(events) == 1)
        assert events[0].text == CARD
    finally:
        scanner.stop()


def test_missing_folder_is_offline_until_frames_appear(tmp_path: Path) -> None:
    folder = tmp_path / "later"
    scanner, events = start(f"camera+file://{folder}/?fps=30")
    try:
        assert wait_for(lambda: scanner.status().reason == "not_found")
        assert scanner.status().state is DeviceState.OFFLINE
        folder.mkdir()
        assert wait_for(lambda: scanner.status().reason == "no_frames")
        write_frames(folder, with_card=range(0, 1), count=1)
        assert wait_for(lambda: [event.text for event in events] == [CARD])
    finally:
        scanner.stop()


def test_folder_without_loop_ends(tmp_path: Path) -> None:
    write_frames(tmp_path / "frames", with_card=range(0), count=3)
    scanner, _ = start(f"camera+file://{tmp_path / 'frames'}/?fps=50&loop=0")
    try:
        assert wait_for(lambda: scanner.status().reason == "end_of_stream")
        assert scanner.frames_captured == 3
    finally:
        scanner.stop()


def test_video_file(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 15, (1280, 720))
    assert writer.isOpened()
    for index in range(12):
        center = (0.5, 0.5) if 4 <= index < 8 else (3.0, 3.0)
        writer.write(card_photo(CARD, angle_deg=-5.0, center=center, seed=index))
    writer.release()
    scanner, events = start(f"camera+file://{path}?dedupe=60")
    try:
        assert scanner.fps == pytest.approx(15.0)  # the file's own frame rate
        assert wait_for(lambda: len(events) == 1)
        assert events[0].text == CARD
        assert wait_for(lambda: scanner.frames_captured > 12)  # it loops
    finally:
        scanner.stop()


def test_missing_camera_device_is_offline(tmp_path: Path) -> None:
    scanner, _ = start(f"camera://{tmp_path / 'video99'}")
    try:
        assert wait_for(lambda: scanner.status().reason == "not_found")
    finally:
        scanner.stop()


def test_frames_are_read_in_natural_name_order(tmp_path: Path) -> None:
    for name in ("f10.png", "f2.png", "f1.png", "readme.md"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in image_files(tmp_path)] == ["f1.png", "f2.png", "f10.png"]


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("camera://", "names no device"),
        ("camera://0?profile=slow", "fast or thorough"),
        ("camera://0?formats=QRCode,Nonsense", "unknown barcode format"),
        ("camera+file:///tmp/x/?fps=1000", "from 0.0 to 240.0"),
        ("camera://0?zoom=2", "unknown option(s) zoom"),
    ],
)
def test_bad_camera_urls(url: str, words: str) -> None:
    with pytest.raises(ScannerUrlError) as caught:
        open_scanner(url)
    assert words in str(caught.value)


def test_preview_is_none_before_the_first_frame(tmp_path: Path) -> None:
    scanner = open_scanner(f"camera+file://{tmp_path}/nothing/")
    assert isinstance(scanner, CameraCodeScanner)
    assert scanner.latest_frame() is None
    assert scanner.status().reason == "not_found"  # checked without starting it
    (tmp_path / "nothing").mkdir()
    assert scanner.status().reason == "no_frames"
    write_frames(tmp_path / "nothing", with_card=range(0), count=1)
    assert scanner.status().ready and scanner.status().reason == "idle"


def test_a_still_desk_is_decoded_a_few_times_a_second_and_a_card_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "frames"
    write_frames(folder, with_card=range(0), count=1)  # the same empty desk again and again
    scanner, events = start(f"camera+file://{folder}/?fps=30")
    try:
        assert wait_for(lambda: scanner.frames_unchanged >= 20)
        assert scanner.frames_decoded < scanner.frames_unchanged  # most frames: nothing new to read
        write_frames(folder, with_card=range(0, 1), count=1)  # the camera's picture changes
        assert wait_for(lambda: [event.text for event in events] == [CARD])
    finally:
        scanner.stop()


def test_held_decoder_reads_nothing_until_the_hold_ends(tmp_path: Path) -> None:
    write_frames(tmp_path / "frames", with_card=range(0, 3), count=3)
    scanner = open_scanner(f"camera+file://{tmp_path / 'frames'}/?fps=30")
    assert isinstance(scanner, CameraCodeScanner)
    events: list[ScanEvent] = []
    scanner.hold(3600)  # as the kiosk does while it draws a new screen
    scanner.start(events.append)
    try:
        assert wait_for(lambda: scanner.frames_captured >= 20)  # the preview still gets frames
        assert scanner.frames_decoded == 0 and events == []
        scanner.hold(0)
        assert wait_for(lambda: [event.text for event in events] == [CARD])
    finally:
        scanner.stop()


def test_only_the_decoder_yields_the_cpu(tmp_path: Path) -> None:
    write_frames(tmp_path / "frames", with_card=range(0), count=2)
    scanner, _ = start(f"camera+file://{tmp_path / 'frames'}/?fps=30&nice=7")
    try:
        assert wait_for(lambda: scanner.frames_decoded >= 1)
        threads = {thread.name.split(" ")[0]: thread.native_id for thread in threading.enumerate()}
        own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert os.getpriority(os.PRIO_PROCESS, threads["decoder"]) == max(own, 7)
        capture = next(t.native_id for t in threading.enumerate() if t.name.startswith("scanner"))
        assert os.getpriority(os.PRIO_PROCESS, capture) == own
    finally:
        scanner.stop()
