"""The `CodeScanner` port: a device that reads codes and hands them over as `ScanEvent`s.

Delivery: `start(on_scan, on_status)` takes plain callbacks, called from the scanner's own thread.
They must only hand the event over (put it on a queue, `loop.call_soon_threadsafe`), never touch UI
code: `AsyncScanQueue` does that for an asyncio program.

    queue = AsyncScanQueue(asyncio.get_running_loop())
    scanner = open_scanner("serial:///dev/ttyACM0?baudrate=9600")
    scanner.start(queue.put_threadsafe)
    event = await queue.get()

URLs (`open_scanner`, in devices/scanners/opening.py):
    serial:///dev/ttyACM0?baudrate=9600   a scanner in serial / USB-CDC mode (pyserial; any pyserial URL too:
                                          loop://, socket://host:port, rfc2217://host:port)
    hid:///dev/input/event3               a keyboard-wedge scanner (ASCII only: no Vietnamese diacritics)
    camera://0                            a camera by index (or camera:///dev/video2)
    camera+file:///path/video.mp4         a video file, or a folder of images read in name order, looping
    fake://                               the fake, driven by the test or demo (fake://?text=...&every=5)
Common options: dedupe=1.5 (seconds within which the same text is reported once).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from devices.scanners.cccd import masked_id
from devices.status import DeviceStatus

ScanHandler = Callable[["ScanEvent"], None]
StatusHandler = Callable[[DeviceStatus], None]

_LONG_DIGIT_RUN = re.compile(r"\d{9,}")


def mask_digit_runs(text: str) -> str:
    """Text safe for a log line: every run of 9+ digits (an ID number) shown masked."""
    return _LONG_DIGIT_RUN.sub(lambda match: masked_id(match.group()), text)


@dataclass(frozen=True)
class ScanEvent:
    text: str
    format: str  # "QRCode" from a camera; "unknown" from a serial or keyboard scanner, which does not say
    source: str  # the scanner's URL
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __repr__(self) -> str:  # an event may hold an ID card: never print the full number
        return (
            f"ScanEvent(text={mask_digit_runs(self.text)!r}, format={self.format!r}, source={self.source!r})"
        )


@runtime_checkable
class CodeScanner(Protocol):
    url: str

    def start(self, on_scan: ScanHandler, on_status: StatusHandler | None = None) -> None:
        """Begin reading in a background thread; each code read is passed to `on_scan`."""
        ...

    def stop(self) -> None:
        """Stop reading and release the device; start() may be called again."""
        ...

    def close(self) -> None: ...

    def status(self) -> DeviceStatus: ...


class ScannerUrlError(ValueError):
    """A scanner URL that cannot be used; the message says what is wrong and shows examples."""


class AsyncScanQueue:
    """Hands scan events from a device thread to an asyncio loop; drops the oldest when full."""

    def __init__(self, loop: asyncio.AbstractEventLoop, maxsize: int = 64) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[ScanEvent] = asyncio.Queue(maxsize=maxsize)

    def put_threadsafe(self, event: ScanEvent) -> None:
        self._loop.call_soon_threadsafe(self._put, event)

    def _put(self, event: ScanEvent) -> None:
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(event)

    async def get(self) -> ScanEvent:
        return await self._queue.get()

    def empty(self) -> bool:
        return self._queue.empty()
