"""What every threaded scanner shares: status with change callbacks, de-duplication, a stoppable thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from devices.backoff import Backoff
from devices.scanners.ports import ScanEvent, ScanHandler, StatusHandler
from devices.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

DEFAULT_DEDUPE_S = 1.5
MAX_CODE_CHARS = 4096  # the largest QR holds 2,953 bytes; anything longer is not a code


def idle_status() -> DeviceStatus:
    return DeviceStatus(
        DeviceState.READY, "idle", "Máy quét sẵn sàng (chưa bật đọc)", "Scanner available (not reading yet)"
    )


def not_found_status(what_en: str) -> DeviceStatus:
    return DeviceStatus(
        DeviceState.OFFLINE, "not_found", "Không thấy máy quét (chưa cắm?)", f"Scanner not found: {what_en}"
    )


def stopped_status() -> DeviceStatus:
    return DeviceStatus(
        DeviceState.OFFLINE, "stopped", "Máy quét chưa được bật", "The scanner is not started"
    )


class Deduplicator:
    """Reports a text once while it keeps being seen: again only after `window_s` without it.

    A card held in front of a camera is seen on every frame; a person may press the trigger twice.
    """

    def __init__(
        self, window_s: float = DEFAULT_DEDUPE_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.window_s = window_s
        self._clock = clock
        self._last_seen: dict[str, float] = {}

    def accept(self, text: str) -> bool:
        now = self._clock()
        self._last_seen = {t: seen for t, seen in self._last_seen.items() if now - seen <= self.window_s}
        is_new = text not in self._last_seen
        self._last_seen[text] = now
        return is_new


class ThreadedCodeScanner:
    """Base of the device adapters: subclasses implement `_run()`, which loops until `_stopping` is set."""

    def __init__(self, url: str, dedupe_s: float = DEFAULT_DEDUPE_S, backoff: Backoff | None = None) -> None:
        self.url = url
        self.dedupe = Deduplicator(dedupe_s)
        self.backoff = backoff or Backoff(initial_s=0.2, cap_s=5.0)
        self._status = stopped_status()
        self._status_lock = threading.Lock()
        self._on_scan: ScanHandler | None = None
        self._on_status: StatusHandler | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- the port --------------------------------------------------------------------------------

    def start(self, on_scan: ScanHandler, on_status: StatusHandler | None = None) -> None:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError(f"scanner {self.url} is already started")
        self._on_scan, self._on_status = on_scan, on_status
        self._stopping.clear()
        self.backoff.reset()
        self._thread = threading.Thread(target=self._run_guarded, name=f"scanner {self.url}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 3.0) -> None:
        self._stopping.set()
        self._interrupt()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
        self._thread = None
        self._set_status(stopped_status())

    def close(self) -> None:
        self.stop()

    def status(self) -> DeviceStatus:
        """While reading: the device thread's view. Before start / after stop: a cheap check of the device."""
        with self._status_lock:
            status = self._status
        if self.running or status.reason == "internal_error":
            return status
        return self._probe()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # --- for subclasses --------------------------------------------------------------------------

    def _run(self) -> None:
        raise NotImplementedError

    def _probe(self) -> DeviceStatus:
        """Is the device there, without opening it? Adapters that can tell override this."""
        return idle_status()

    def _interrupt(self) -> None:
        """Wake the device thread from a blocking read, if a subclass can (default: reads time out)."""

    def _run_guarded(self) -> None:
        try:
            self._run()
        except Exception as error:  # a bug must become a status, not a silent dead thread
            log.exception("scanner %s stopped by an unexpected error", self.url)
            self._set_status(
                DeviceStatus(
                    DeviceState.OFFLINE,
                    "internal_error",
                    "Máy quét gặp lỗi phần mềm, cần khởi động lại",
                    f"Scanner software error, restart needed: {type(error).__name__}",
                )
            )

    def _set_status(self, status: DeviceStatus) -> None:
        with self._status_lock:
            old = self._status
            same = (old.state, old.reason, old.message_en) == (status.state, status.reason, status.message_en)
            if not same:
                self._status = status
        if not same:
            log.info("scanner %s: %s %s", self.url, status.state.value, status.reason)
            if self._on_status is not None:
                try:
                    self._on_status(status)
                except Exception:
                    log.exception("status handler of scanner %s failed", self.url)

    def _set_ready(self, reason: str = "", message_vi: str = "", message_en: str = "") -> None:
        self._set_status(DeviceStatus(DeviceState.READY, reason, message_vi, message_en))

    def _emit(self, text: str, code_format: str) -> bool:
        """Hand a code to the consumer unless it is a repeat; True if it was handed over."""
        if not self.dedupe.accept(text):
            return False
        event = ScanEvent(text=text, format=code_format, source=self.url)
        if self._on_scan is not None:
            try:
                self._on_scan(event)
            except Exception:
                log.exception("scan handler of scanner %s failed", self.url)
        return True

    def _wait(self, seconds: float) -> bool:
        """Sleep unless stopped; True if the thread should go on."""
        return not self._stopping.wait(seconds)

    def _wait_backoff(self) -> bool:
        return self._wait(self.backoff.next_delay())
