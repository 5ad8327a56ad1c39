"""ESC/POS real-time status (DLE EOT n) and what its answers mean for a DeviceStatus.

Each answer is one byte whose fixed bits are 0xx1 xx10 (mask 0x93 == 0x12); a byte without them is not a
status answer. Bits used (Epson ESC/POS, shared by most compatible printers):
  n=1 printer status: bit 3 offline
  n=2 offline cause:  bit 2 cover open, bit 5 printing stopped by paper end, bit 6 error
  n=4 paper sensor:   bits 2-3 roll near end, bits 5-6 roll end (paper out)
"""

from __future__ import annotations

from collections.abc import Callable

from devices.printers.errors import status_for
from devices.status import DeviceState, DeviceStatus

DLE_EOT = b"\x10\x04"
PRINTER_STATUS, OFFLINE_CAUSE, ERROR_CAUSE, PAPER_SENSOR = 1, 2, 3, 4

_FIXED_MASK, _FIXED_VALUE = 0x93, 0x12
_OFFLINE = 0x08
_COVER_OPEN, _PAPER_END_STOP, _ERROR = 0x04, 0x20, 0x40
_NEAR_END, _PAPER_OUT = 0x0C, 0x60


def request(n: int) -> bytes:
    """The DLE EOT n request bytes."""
    return DLE_EOT + bytes((n,))


def is_status_byte(value: int) -> bool:
    return value & _FIXED_MASK == _FIXED_VALUE


# ask(n) sends DLE EOT n and returns the answer byte, or None when the printer did not answer in time.
Ask = Callable[[int], "int | None"]


def read_status(ask: Ask) -> DeviceStatus:
    """Ask the printer (n=1, then 2 if offline, then 4) and map the answers to a DeviceStatus."""
    printer = ask(PRINTER_STATUS)
    if printer is None:
        return status_for("no_answer", "no reply to DLE EOT 1")
    if not is_status_byte(printer):
        return status_for("no_answer", f"unexpected reply 0x{printer:02x} to DLE EOT 1")
    if printer & _OFFLINE:
        return _offline_status(ask(OFFLINE_CAUSE))
    return _paper_status(ask(PAPER_SENSOR))


def _offline_status(cause: int | None) -> DeviceStatus:
    if cause is None or not is_status_byte(cause):
        return status_for("offline")
    if cause & _COVER_OPEN:
        return status_for("cover_open")
    if cause & _PAPER_END_STOP:
        return status_for("paper_out")
    if cause & _ERROR:
        return status_for("printer_error")
    return status_for("offline")


def _paper_status(sensor: int | None) -> DeviceStatus:
    if sensor is None or not is_status_byte(sensor):
        return DeviceStatus(
            DeviceState.READY
        )  # printer is online; some models do not report the paper sensor
    if sensor & _PAPER_OUT:
        return status_for("paper_out")
    if sensor & _NEAR_END:
        return status_for("paper_near_end")
    return DeviceStatus(DeviceState.READY)
