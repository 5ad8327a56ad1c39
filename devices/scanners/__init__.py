"""Code scanners: chip ID card (CCCD) QR parsing, QR decoding, serial/HID/camera scanners chosen by URL.

Importing this package is cheap: OpenCV, zxing-cpp and pyserial load only when a scanner needs them.
"""

from devices.scanners.opening import open_scanner
from devices.scanners.ports import (
    AsyncScanQueue,
    CodeScanner,
    ScanEvent,
    ScanHandler,
    ScannerUrlError,
    StatusHandler,
)

__all__ = [
    "AsyncScanQueue",
    "CodeScanner",
    "ScanEvent",
    "ScanHandler",
    "ScannerUrlError",
    "StatusHandler",
    "open_scanner",
]
