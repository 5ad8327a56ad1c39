"""Why a printer cannot print: reason codes with Vietnamese and English messages.

One table so that `PrinterError`, `DeviceStatus` and the kiosk screen all say the same thing.
"""

from __future__ import annotations

from devices.status import DeviceState, DeviceStatus

# reason code -> (state, message_vi, message_en)
REASONS: dict[str, tuple[DeviceState, str, str]] = {
    "paper_near_end": (
        DeviceState.DEGRADED,
        "Máy in sắp hết giấy, cần thay cuộn giấy mới",
        "Printer paper is nearly out, replace the roll soon",
    ),
    "paper_out": (DeviceState.OFFLINE, "Máy in đã hết giấy", "Printer is out of paper"),
    "cover_open": (DeviceState.OFFLINE, "Nắp máy in đang mở", "Printer cover is open"),
    "unplugged": (
        DeviceState.OFFLINE,
        "Không kết nối được máy in (mất kết nối hoặc chưa cắm)",
        "Cannot reach the printer (disconnected or unplugged)",
    ),
    "no_answer": (
        DeviceState.OFFLINE,
        "Máy in không phản hồi",
        "Printer does not answer status requests",
    ),
    "printer_error": (
        DeviceState.OFFLINE,
        "Máy in báo lỗi (kẹt giấy hoặc lỗi dao cắt)",
        "Printer reports an error (paper jam or cutter error)",
    ),
    "offline": (DeviceState.OFFLINE, "Máy in đang ngoại tuyến", "Printer is offline"),
    "not_writable": (
        DeviceState.OFFLINE,
        "Không ghi được tệp đầu ra của máy in",
        "Cannot write the printer output file",
    ),
    "closed": (DeviceState.OFFLINE, "Máy in đã được đóng", "Printer has been closed"),
    "driver_missing": (
        DeviceState.OFFLINE,
        "Thiếu thư viện điều khiển máy in",
        "A printer driver library is missing",
    ),
}


def status_for(reason: str, detail: str = "") -> DeviceStatus:
    """The DeviceStatus for a reason code; `detail` (English, technical) is appended to the English text."""
    state, message_vi, message_en = REASONS[reason]
    if detail:
        message_en = f"{message_en}: {detail}"
    return DeviceStatus(state, reason, message_vi, message_en)


class PrinterError(Exception):
    """A print job that did not print. `reason` is a code from REASONS."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.status = status_for(reason, detail)
        self.reason = reason
        self.message_vi = self.status.message_vi
        self.message_en = self.status.message_en
        super().__init__(f"{self.message_vi} / {self.message_en} [{reason}]")

    @classmethod
    def from_status(cls, status: DeviceStatus) -> PrinterError:
        error = cls(status.reason)
        error.status = status
        error.message_en = status.message_en
        error.args = (f"{status.message_vi} / {status.message_en} [{status.reason}]",)
        return error


class PrinterUrlError(ValueError):
    """A printer URL that cannot be used; the message says what is wrong and shows a correct example."""
