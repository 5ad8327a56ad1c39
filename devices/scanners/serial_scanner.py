"""`SerialCodeScanner`: a scanner in serial or USB-CDC mode, through pyserial's `serial_for_url`.

One code per line (CR, LF or CRLF; `end=tab|etx|eot` for scanners configured with another suffix), read
as UTF-8. A line that is not UTF-8 text is skipped with a degraded status; the next good line makes the
scanner ready again. When the port disappears (unplugged), the partial line is thrown away, the status
goes offline with the reason, and the port is reopened with capped backoff until it comes back.
Note: a payload that itself contains line breaks (a vCard) arrives split in lines with `end=line`.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from typing import Any
from urllib.parse import urlencode, urlsplit

import serial

from devices.scanners.base import (
    DEFAULT_DEDUPE_S,
    MAX_CODE_CHARS,
    ThreadedCodeScanner,
    idle_status,
    not_found_status,
)
from devices.scanners.ports import ScannerUrlError
from devices.scanners.urls import ScannerUrl
from devices.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)

LINE_ENDS: dict[str, bytes] = {"line": b"\r\n", "tab": b"\t", "etx": b"\x03", "eot": b"\x04"}
MAX_LINE_BYTES = MAX_CODE_CHARS * 4
READ_TIMEOUT_S = 0.1
_OPTIONS = "baudrate, bytesize, parity, stopbits, end, dedupe"


class SerialCodeScanner(ThreadedCodeScanner):
    def __init__(
        self,
        url: str,
        port_url: str,
        settings: dict[str, Any] | None = None,
        line_end: str = "line",
        dedupe_s: float = DEFAULT_DEDUPE_S,
    ) -> None:
        super().__init__(url, dedupe_s)
        self.port_url = port_url
        self.settings = dict(settings or {})
        self.line_ends = LINE_ENDS[line_end]
        self._port: serial.SerialBase | None = None
        self.lines_skipped = 0

    @classmethod
    def from_url(cls, url: str) -> SerialCodeScanner:
        parsed = ScannerUrl.parse(url)
        dedupe = parsed.take_float("dedupe", DEFAULT_DEDUPE_S)
        line_end = parsed.take_str("end", "line")
        if line_end not in LINE_ENDS:
            raise ScannerUrlError(f"option end={line_end!r} in {url!r} must be one of {', '.join(LINE_ENDS)}")
        settings = _port_settings(parsed)
        if parsed.scheme == "serial":
            port_url = parsed.require_device("serial:///dev/ttyACM0?baudrate=9600")
            parsed.reject_rest(_OPTIONS)
        else:  # a pyserial URL: its own options are passed on to pyserial
            parts = urlsplit(url)
            query = urlencode(parsed.options)
            port_url = f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{query}" if query else "")
        try:
            serial.serial_for_url(port_url, do_not_open=True, **settings)
        except (ValueError, serial.SerialException) as error:
            raise ScannerUrlError(f"serial port URL {url!r} cannot work: {error}") from None
        return cls(url, port_url, settings, line_end, dedupe)

    def _probe(self) -> DeviceStatus:
        if "://" in self.port_url or os.path.exists(self.port_url):  # pyserial URLs cannot be checked cheaply
            return idle_status()
        return not_found_status(self.port_url)

    @property
    def port(self) -> serial.SerialBase | None:
        """The open port while connected (with loop:// a test writes into it), else None."""
        return self._port

    # --- the device thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            port = self._open()
            if port is None:
                if not self._wait_backoff():
                    break
                continue
            self.backoff.reset()
            self._port = port
            self._set_ready()
            try:
                self._read_lines(port)
            except (serial.SerialException, OSError) as error:
                self._set_status(
                    _offline("unplugged", "Máy quét bị ngắt kết nối", "Scanner disconnected", error)
                )
            finally:
                self._port = None
                _close_quietly(port)
            if not self._wait_backoff():
                break

    def _open(self) -> serial.SerialBase | None:
        try:
            port: serial.SerialBase = serial.serial_for_url(
                self.port_url, timeout=READ_TIMEOUT_S, **self.settings
            )
            return port
        except (serial.SerialException, OSError, ValueError) as error:
            self._set_status(_open_failure(error))
            return None

    def _read_lines(self, port: serial.SerialBase) -> None:
        buffer = bytearray()  # a partial line dies with this frame when the port goes away
        while not self._stopping.is_set():
            chunk = port.read(port.in_waiting or 1)
            if chunk:
                buffer.extend(chunk)
                self._take_lines(buffer)

    def _take_lines(self, buffer: bytearray) -> None:
        while True:
            ends = [index for index in (buffer.find(byte) for byte in self.line_ends) if index >= 0]
            if not ends:
                break
            end = min(ends)
            line = bytes(buffer[:end])
            del buffer[: end + 1]
            if line:
                self._handle_line(line)
        if len(buffer) > MAX_LINE_BYTES:
            buffer.clear()
            self._skip("line_too_long", "dòng quá dài, không có ký tự kết thúc", "line too long, no line end")

    def _handle_line(self, line: bytes) -> None:
        try:
            text = line.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            self._skip("binary_garbage", "dữ liệu không phải văn bản UTF-8", "data that is not UTF-8 text")
            return
        if "\x00" in text:
            self._skip("binary_garbage", "dữ liệu nhị phân", "binary data")
            return
        self._set_ready()
        self._emit(text, "unknown")

    def _skip(self, reason: str, what_vi: str, what_en: str) -> None:
        self.lines_skipped += 1
        self._set_status(
            DeviceStatus(
                DeviceState.DEGRADED,
                reason,
                f"Máy quét gửi {what_vi}; đã bỏ qua một dòng. Kiểm tra cài đặt (UTF-8, kết thúc dòng CR/LF)",
                f"The scanner sent {what_en}; one line skipped. Check its settings (UTF-8, CR/LF suffix)",
            )
        )

    def _interrupt(self) -> None:
        port = self._port
        if port is not None and hasattr(port, "cancel_read"):
            with contextlib.suppress(OSError, serial.SerialException):
                port.cancel_read()


def _port_settings(parsed: ScannerUrl) -> dict[str, Any]:
    settings: dict[str, Any] = {"baudrate": parsed.take_int("baudrate", 9600, 50, 4_000_000)}
    settings["bytesize"] = parsed.take_int("bytesize", 8, 5, 8)
    parity = parsed.take_str("parity", "N").upper()
    if parity not in serial.PARITY_NAMES:
        raise ScannerUrlError(f"option parity={parity!r} in {parsed.url!r} must be one of N, E, O, M, S")
    settings["parity"] = parity
    stopbits = parsed.take_float("stopbits", 1, 1, 2)
    if stopbits not in (1, 1.5, 2):
        raise ScannerUrlError(f"option stopbits in {parsed.url!r} must be 1, 1.5 or 2")
    settings["stopbits"] = int(stopbits) if stopbits != 1.5 else stopbits
    return settings


def _open_failure(error: BaseException) -> DeviceStatus:
    code = getattr(error, "errno", None)
    if code == errno.ENOENT or "No such file" in str(error):
        return _offline(
            "not_found", "Không thấy máy quét (chưa cắm?)", "Scanner not found (not plugged in?)", error
        )
    if code == errno.EACCES:
        return _offline(
            "permission_denied",
            "Không có quyền mở cổng máy quét (thêm người dùng vào nhóm dialout)",
            "No permission to open the scanner port (add the user to the dialout group)",
            error,
        )
    if code == errno.EBUSY:
        return _offline(
            "busy", "Cổng máy quét đang bị chương trình khác dùng", "Scanner port is in use", error
        )
    return _offline("open_failed", "Không mở được cổng máy quét", "Cannot open the scanner port", error)


def _offline(reason: str, message_vi: str, message_en: str, error: BaseException) -> DeviceStatus:
    return DeviceStatus(DeviceState.OFFLINE, reason, message_vi, f"{message_en}: {error}")


def _close_quietly(port: serial.SerialBase) -> None:
    try:
        port.close()
    except (OSError, serial.SerialException):
        log.debug("closing a vanished port failed", exc_info=True)
