"""`FakeCodeScanner`: a scanner driven by a test or a demo, with fault injection.

    scanner = FakeCodeScanner()
    scanner.start(events.append)
    scanner.scan("079303012345||Trần Thị Ngọc Ánh|…")   # delivered like a real read (de-duplicated)
    scanner.unplug(); scanner.replug(); scanner.garbage(b"\\xff\\xfe")

`fake://?text=<url-encoded>&every=5` repeats one text every 5 seconds (a kiosk demo without hardware).
"""

from __future__ import annotations

from devices.scanners.base import ThreadedCodeScanner, idle_status
from devices.scanners.ports import ScannerUrlError
from devices.scanners.urls import ScannerUrl
from devices.status import DeviceState, DeviceStatus

UNPLUGGED = ("unplugged", "Máy quét bị rút ra", "The scanner is unplugged")
GARBAGE = (
    "binary_garbage",
    "Máy quét gửi dữ liệu không phải văn bản; đã bỏ qua",
    "The scanner sent data that is not text; skipped",
)


class FakeCodeScanner(ThreadedCodeScanner):
    def __init__(
        self, url: str = "fake://", dedupe_s: float = 1.5, repeat_text: str = "", every_s: float = 0.0
    ) -> None:
        super().__init__(url, dedupe_s)
        self.repeat_text = repeat_text
        self.every_s = every_s
        self.plugged = True
        self.emitted = 0

    @classmethod
    def from_url(cls, url: str) -> FakeCodeScanner:
        parsed = ScannerUrl.parse(url)
        dedupe = parsed.take_float("dedupe", 1.5)
        text = parsed.take_str("text", "")
        every = parsed.take_float("every", 0.0, maximum=86_400)
        parsed.reject_rest("dedupe, text, every")
        if every and not text:
            raise ScannerUrlError(f"{url!r}: 'every' needs a 'text' to repeat")
        return cls(url, dedupe, text, every)

    def _probe(self) -> DeviceStatus:
        return idle_status() if self.plugged else DeviceStatus(DeviceState.OFFLINE, *UNPLUGGED)

    def _run(self) -> None:
        self._set_ready() if self.plugged else self._set_unplugged()
        while self._wait(self.every_s or 0.2):
            if self.every_s and self.repeat_text:
                self.scan(self.repeat_text)

    # --- what a test or demo does ----------------------------------------------------------------

    def scan(self, text: str, code_format: str = "unknown") -> bool:
        """Deliver `text` as if read; False when not delivered (stopped, unplugged, or a repeat)."""
        if not self.running or not self.plugged:
            return False
        self._set_ready()
        delivered = self._emit(text, code_format)
        self.emitted += int(delivered)
        return delivered

    def unplug(self) -> None:
        self.plugged = False
        if self.running:
            self._set_unplugged()

    def replug(self) -> None:
        self.plugged = True
        if self.running:
            self._set_ready()

    def garbage(self, data: bytes) -> None:
        """Bytes that are not a code: no event, a degraded status until the next good read."""
        if self.running and self.plugged and data:
            self._set_status(DeviceStatus(DeviceState.DEGRADED, *GARBAGE))

    def _set_unplugged(self) -> None:
        self._set_status(DeviceStatus(DeviceState.OFFLINE, *UNPLUGGED))
