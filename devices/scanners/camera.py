"""`CameraCodeScanner`: QR codes from a camera, a video file or a folder of images.

Two threads, neither of them the UI's: the capture thread keeps only the newest frame (latest frame
wins: a slow decode never builds a backlog), the decode thread takes whatever frame is newest when it
is free. `latest_frame()` gives the newest frame for a preview.

    camera://0?width=1280&height=720            camera by index (or camera:///dev/video2)
    camera+file:///path/video.mp4?fps=25        a video file, looping
    camera+file:///path/frames/?fps=10          a folder of images in name order, looping (loop=0: once)
Options: fps, loop, width, height (camera), profile=fast|thorough (decode steps), formats, dedupe,
decode_fps (most frames decoded a second, default 15), nice (the decoder's CPU priority, default 5).

Decoding is the kiosk's costliest work besides drawing, and on a small machine drawing is done by the
CPU too (software rendering), so the decoder takes less than it could: it runs at a lower OS priority
than the UI (Linux: per-thread nice), pauses while the kiosk draws a new screen (hold()), decodes
at most `decode_fps` frames a second, and a frame that looks like the last one decoded (the empty
desk) only a few times a second.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from devices.scanners.base import (
    DEFAULT_DEDUPE_S,
    Deduplicator,
    ThreadedCodeScanner,
    idle_status,
    not_found_status,
)
from devices.scanners.decode import FAST, QR_FORMATS, THOROUGH, decode_image, parse_formats
from devices.scanners.ports import ScannerUrlError
from devices.scanners.urls import ScannerUrl
from devices.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

Frame = npt.NDArray[np.uint8]
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".pgm", ".ppm")
PROFILES: dict[str, tuple[str, ...]] = {"fast": FAST, "thorough": THOROUGH}
_OPTIONS = "fps, loop, width, height, profile, formats, dedupe, decode_fps, nice"
DECODE_FPS = 15.0  # a card shown is read within a frame or two of a 30 fps camera at this rate
NICENESS = 5  # the decoder below the UI thread, which draws (software rendering: on the CPU); more
# starves the decoder when the machine is busy and a card is read late
UNCHANGED_RECHECK_S = 0.2  # a frame like the last one decoded is decoded again after this long
THUMB_SIZE = (80, 45)  # what "like the last one" compares: a 16x16-pixel average per point
CHANGED_LEVEL = 16  # a point differing by this much (of 255) has changed: camera noise averages out
CHANGED_POINTS = 4  # this many changed points make a new frame (a card's corner, a phone coming in)


def lower_thread_priority(niceness: int) -> None:
    """The calling thread only runs when the UI has no use for the core (Linux: a thread's nice value
    is its own; elsewhere nothing changes)."""
    if niceness <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except OSError:  # not allowed here: the thread keeps the process's priority
        log.debug("cannot lower the priority of %s", threading.current_thread().name)


def thumbnail(frame: Frame) -> Frame:
    """A tiny grey picture of the frame: enough to see that something moved, too small for noise."""
    small = cv2.resize(frame, THUMB_SIZE, interpolation=cv2.INTER_AREA)
    return small if small.ndim == 2 else cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)  # type: ignore[return-value]


def looks_alike(one: Frame, other: Frame) -> bool:
    return int(np.count_nonzero(cv2.absdiff(one, other) > CHANGED_LEVEL)) < CHANGED_POINTS


class FrameSourceError(Exception):
    def __init__(self, reason: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status = DeviceStatus(DeviceState.OFFLINE, reason, message_vi, message_en)


class FrameSource(Protocol):
    paced: bool  # True: frames come from storage, so the capture thread paces them at `fps`

    def probe(self) -> DeviceStatus:
        """Whether the source is there, without opening it."""
        ...

    def open(self) -> None: ...

    def read(self) -> Frame | None:
        """The next BGR frame; None at the end of a stream that does not loop."""
        ...

    def close(self) -> None: ...


def natural_key(name: str) -> list[Any]:
    """Sort key putting frame2 before frame10."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def image_files(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES),
        key=lambda p: natural_key(p.name),
    )


class FolderFrames:
    paced = True

    def __init__(self, folder: Path, loop: bool = True) -> None:
        self.folder, self.loop = folder, loop
        self.files: list[Path] = []
        self.index = 0
        self.bad_files: list[Path] = []

    def probe(self) -> DeviceStatus:
        try:
            self._check()
        except FrameSourceError as error:
            return error.status
        return idle_status()

    def open(self) -> None:
        self.files, self.index = self._check(), 0

    def _check(self) -> list[Path]:
        if not self.folder.is_dir():
            raise FrameSourceError(
                "not_found", "Không thấy thư mục ảnh", f"Frame folder not found: {self.folder}"
            )
        files = image_files(self.folder)
        if not files:
            raise FrameSourceError("no_frames", "Thư mục không có ảnh", f"No images in folder {self.folder}")
        return files

    def read(self) -> Frame | None:
        for _ in range(len(self.files)):
            if self.index >= len(self.files):
                if not self.loop:
                    return None
                self.index = 0
            path = self.files[self.index]
            self.index += 1
            frame = _read_color(path)
            if frame is not None:
                return frame
            if path not in self.bad_files:
                self.bad_files.append(path)
                log.warning("skipping unreadable frame %s", path)
        raise FrameSourceError("no_frames", "Không đọc được ảnh nào", f"No readable image in {self.folder}")

    def close(self) -> None:
        self.files = []


class CaptureFrames:
    """cv2.VideoCapture over a video file (paced, looping) or a camera device (its own rate)."""

    def __init__(
        self, target: int | str, is_file: bool, loop: bool = True, size: tuple[int, int] = (0, 0)
    ) -> None:
        self.target, self.paced, self.loop, self.size = target, is_file, loop, size
        self.capture: cv2.VideoCapture | None = None

    def probe(self) -> DeviceStatus:
        if self.paced:
            found = Path(str(self.target)).is_file()
        elif isinstance(self.target, int):  # a camera index: its Linux device node, where there is /dev
            found = not Path("/dev").is_dir() or Path(f"/dev/video{self.target}").exists()
        else:
            found = Path(self.target).exists()
        return idle_status() if found else not_found_status(str(self.target))

    def open(self) -> None:
        if self.capture is not None:
            return
        if self.paced and not Path(str(self.target)).is_file():
            raise FrameSourceError(
                "not_found", "Không thấy tệp video", f"Video file not found: {self.target}"
            )
        capture = cv2.VideoCapture(self.target)
        if not capture.isOpened():
            capture.release()
            if self.paced:
                raise FrameSourceError(
                    "open_failed", "Không mở được tệp video", f"Cannot open video {self.target}"
                )
            raise FrameSourceError(
                "not_found", "Không thấy camera (chưa cắm?)", f"Camera {self.target} not found"
            )
        width, height = self.size
        if width and height:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
        self.capture = capture

    def file_fps(self) -> float:
        return float(self.capture.get(cv2.CAP_PROP_FPS)) if self.capture is not None else 0.0

    def read(self) -> Frame | None:
        assert self.capture is not None
        ok, frame = self.capture.read()
        if ok:
            return np.asarray(frame, dtype=np.uint8)
        if not self.paced:
            raise FrameSourceError(
                "unplugged", "Camera bị ngắt kết nối", f"Camera {self.target} stopped sending"
            )
        if not self.loop:
            return None
        self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        ok, frame = self.capture.read()
        if not ok:
            raise FrameSourceError(
                "bad_video", "Không đọc được khung hình", f"No frame readable in {self.target}"
            )
        return np.asarray(frame, dtype=np.uint8)

    def close(self) -> None:
        if self.capture is not None:
            self.capture.release()
            self.capture = None


class CameraCodeScanner(ThreadedCodeScanner):
    def __init__(
        self,
        url: str,
        source: FrameSource,
        fps: float = 10.0,
        steps: Sequence[str] = FAST,
        formats: str = QR_FORMATS,
        dedupe_s: float = DEFAULT_DEDUPE_S,
        decode_fps: float = DECODE_FPS,
        niceness: int = NICENESS,
    ) -> None:
        super().__init__(url, dedupe_s)
        self.source, self.fps, self.steps, self.formats = source, fps, tuple(steps), formats
        self.decode_fps, self.niceness = decode_fps, niceness
        self._frame: Frame | None = None
        self._frame_number = 0
        self._frame_ready = threading.Condition()
        self.frames_captured = 0
        self.frames_decoded = 0
        self.frames_skipped = 0  # captured but never decoded: a newer one had arrived
        self.frames_unchanged = 0  # not decoded: like the last one decoded, which was recently
        self._look_again = False  # the next frame is decoded even if it looks like the last one
        self._held_until = 0.0  # monotonic time before which nothing is decoded (hold())
        self._forgotten_up_to = 0  # frames up to this number are never shown or decoded again
        self._forgotten_at = 0.0  # nor frames whose capture began before this (monotonic) time

    @classmethod
    def from_url(cls, url: str) -> CameraCodeScanner:
        parsed = ScannerUrl.parse(url)
        dedupe = parsed.take_float("dedupe", DEFAULT_DEDUPE_S)
        profile = parsed.take_str("profile", "fast")
        if profile not in PROFILES:
            raise ScannerUrlError(f"option profile={profile!r} in {url!r} must be fast or thorough")
        formats = parsed.take_str("formats", QR_FORMATS)
        try:
            parse_formats(formats)
        except ValueError as error:
            raise ScannerUrlError(f"{url!r}: {error}") from None
        loop = parsed.take_bool("loop", True)
        fps = parsed.take_float("fps", 0.0, 0.0, 240.0)
        size = (parsed.take_int("width", 0, 0, 10_000), parsed.take_int("height", 0, 0, 10_000))
        decode_fps = parsed.take_float("decode_fps", DECODE_FPS, 0.5, 240.0)
        niceness = parsed.take_int("nice", NICENESS, 0, 19)
        parsed.reject_rest(_OPTIONS)
        source = _source_for(parsed, loop, size)
        if not fps and isinstance(source, CaptureFrames):
            fps = source.file_fps()
        return cls(url, source, fps or 10.0, PROFILES[profile], formats, dedupe, decode_fps, niceness)

    def _probe(self) -> DeviceStatus:
        return self.source.probe()

    def latest_frame(self) -> Frame | None:
        """The newest captured BGR frame (read-only), for a preview; None before the first."""
        with self._frame_ready:
            return self._frame

    def hold(self, seconds: float) -> None:
        """No decoding for this long (the kiosk is drawing a new screen: on a small machine without a
        GPU that takes both cores); frames are still captured and shown."""
        self._held_until = time.monotonic() + seconds

    def forget(self) -> None:
        """Drop the newest frame and what the decoder has seen: nothing captured until now is shown,
        decoded or reported again (a kiosk's previous citizen), and a code still in view is new."""
        with self._frame_ready:
            self._frame = None
            self._forgotten_up_to = self._frame_number
            self._forgotten_at = time.monotonic()
            self._look_again = True
        self.dedupe = Deduplicator(self.dedupe.window_s)

    # --- threads ---------------------------------------------------------------------------------

    def _run(self) -> None:
        self.forget()  # a frame kept from before a stop belongs to another moment
        worker = threading.Thread(target=self._decode_frames, name=f"decoder {self.url}", daemon=True)
        worker.start()
        try:
            self._capture_frames()
        finally:
            self._stopping.set()
            with self._frame_ready:
                self._frame_ready.notify_all()
            worker.join(5.0)

    def _capture_frames(self) -> None:
        # Not lowered: a capture thread starved by a busy machine would make the preview and every
        # read late (measured: 11 fps and QR reads 3x slower with nice 10 beside a busy core).
        while not self._stopping.is_set():
            try:
                self.source.open()
            except FrameSourceError as error:
                self._set_status(error.status)
                if not self._wait_backoff():
                    return
                continue
            self.backoff.reset()
            self._set_ready()
            try:
                ended = self._stream()
            except FrameSourceError as error:
                self._set_status(error.status)
                ended = False
            finally:
                self.source.close()
            if ended:  # a file that does not loop: nothing more will come
                self._set_status(
                    DeviceStatus(DeviceState.OFFLINE, "end_of_stream", "Hết video", "End of video")
                )
                self._stopping.wait()
                return
            if not self._wait_backoff():
                return

    def _stream(self) -> bool:
        """Publish frames until stopped; True when the stream ended."""
        interval = 1.0 / self.fps if self.source.paced else 0.0
        due = time.monotonic()
        while not self._stopping.is_set():
            reading_since = time.monotonic()
            frame = self.source.read()
            if frame is None:
                return True
            self._publish(frame, reading_since)
            if interval:
                due = max(due + interval, time.monotonic() - interval)  # never race to catch up
                if not self._wait(max(0.0, due - time.monotonic())):
                    break
        return False

    def _publish(self, frame: Frame, reading_since: float) -> None:
        frame.setflags(write=False)
        with self._frame_ready:
            if reading_since < self._forgotten_at:
                return  # being captured when forget() came: it may show the card just taken away
            self._frame = frame
            self._frame_number += 1
            self.frames_captured += 1
            self._frame_ready.notify()

    def _decode_frames(self) -> None:
        lower_thread_priority(self.niceness)
        decoded_number, last_look, last_decode = 0, None, -1e9
        while not self._stopping.is_set():
            number, frame = self._wait_for_frame_after(decoded_number)
            if frame is None or number == decoded_number:
                continue
            self.frames_skipped += max(0, number - decoded_number - 1)
            decoded_number = number
            if number <= self._forgotten_up_to:
                continue
            held = self._held_until - time.monotonic()
            if held > 0:
                self._wait(min(held, 0.05))  # a hold may be shortened
                continue  # then the newest frame
            look = thumbnail(frame)
            with self._frame_ready:
                if self._look_again:
                    last_look, self._look_again = None, False
            recent = time.monotonic() - last_decode < UNCHANGED_RECHECK_S
            if last_look is not None and recent and looks_alike(look, last_look):
                self.frames_unchanged += 1
                continue
            last_look, last_decode = look, time.monotonic()
            self._decode(frame, number)
            # At most decode_fps frames a second: the frame after the pause is the newest one.
            self._wait(max(0.0, last_decode + 1.0 / self.decode_fps - time.monotonic()))

    def _wait_for_frame_after(self, number: int) -> tuple[int, Frame | None]:
        with self._frame_ready:
            self._frame_ready.wait_for(
                lambda: self._frame_number != number or self._stopping.is_set(), timeout=0.5
            )
            return self._frame_number, self._frame

    def _decode(self, frame: Frame, number: int) -> None:
        try:
            codes = decode_image(frame, self.steps, self.formats)
        except Exception as error:  # one odd frame must not stop the camera
            log.exception("decoding a frame of %s failed", self.url)
            self._set_status(
                DeviceStatus(
                    DeviceState.DEGRADED,
                    "decode_error",
                    "Lỗi giải mã khung hình",
                    f"Frame decoding failed: {error}",
                )
            )
            return
        self.frames_decoded += 1
        for code in codes:
            if number > self._forgotten_up_to:  # forget() may have come while this frame was decoded
                self._emit(code.text, code.format)


def _source_for(parsed: ScannerUrl, loop: bool, size: tuple[int, int]) -> FrameSource:
    if parsed.scheme == "camera":
        device = parsed.require_device("camera://0")
        target: int | str = int(device) if device.isdigit() else device
        return CaptureFrames(target, is_file=False, size=size)
    device = parsed.require_device("camera+file:///path/frames/")
    path = Path(device)
    if path.is_dir() or device.endswith("/") or (not path.exists() and not path.suffix):
        return FolderFrames(path, loop)
    source = CaptureFrames(str(path), is_file=True, loop=loop)
    if path.is_file():  # learn the file's frame rate now; a missing file becomes an offline status later
        try:
            source.open()
        except FrameSourceError:
            source.close()
    return source


def _read_color(path: Path) -> Frame | None:
    try:
        data = np.fromfile(str(path), dtype=np.uint8)
    except OSError:
        return None
    image = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    return None if image is None else np.asarray(image, dtype=np.uint8)
