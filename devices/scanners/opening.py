"""Opening a scanner by URL: the scheme picks the adapter module, imported only then (OpenCV, pyserial
and evdev load only for the scanner that needs them). The port (ports.py) knows none of its adapters."""

from __future__ import annotations

from devices.scanners.ports import CodeScanner
from devices.scanners.urls import scheme_of


def open_scanner(url: str) -> CodeScanner:
    """The scanner a URL names (not started yet); ScannerUrlError for a URL that cannot work."""
    scheme = scheme_of(url)
    if scheme == "fake":
        from devices.scanners.fake import FakeCodeScanner

        return FakeCodeScanner.from_url(url)
    if scheme == "hid":
        from devices.scanners.hid import HidCodeScanner

        return HidCodeScanner.from_url(url)
    if scheme in ("camera", "camera+file"):
        from devices.scanners.camera import CameraCodeScanner

        return CameraCodeScanner.from_url(url)
    from devices.scanners.serial_scanner import SerialCodeScanner

    return SerialCodeScanner.from_url(url)
