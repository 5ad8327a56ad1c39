"""Transports under python-escpos, one class each: open, write a job, ask a real-time status byte, close.

python-escpos owns the byte pipe of each transport (its printer classes' `_raw`); these classes add what
it lacks for a kiosk: a short timeout on status answers, draining stale answers, and per-job file handling.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path
from typing import Any

from devices.printers.errors import status_for
from devices.printers.realtime import request
from devices.status import DeviceStatus


class DriverMissingError(RuntimeError):
    """A Python package the transport needs is not installed."""


class Connection:
    """Base: `printer` is the python-escpos printer object while open."""

    bidirectional = False
    printer: Any = None

    def describe(self) -> str:
        raise NotImplementedError

    def open(self) -> None:
        raise NotImplementedError

    def begin_job(self) -> None:
        """Called before each job's bytes."""

    def end_job(self) -> None:
        """Called after each job's bytes."""

    def write(self, data: bytes) -> None:
        self.printer._raw(data)

    def ask(self, n: int, timeout_s: float) -> int | None:
        """Send DLE EOT n; the answer byte, or None if none came within timeout_s."""
        raise NotImplementedError

    def health(self) -> DeviceStatus | None:
        """A problem visible without asking the printer (e.g. a missing output directory), else None."""
        return None

    def close(self) -> None:
        printer, self.printer = self.printer, None
        if printer is None:
            return
        try:
            printer.close()  # may fail on a port that is already gone (e.g. flush on an unplugged tty)
        finally:
            device: Any = getattr(printer, "_device", None)
            if device:
                with contextlib.suppress(Exception):
                    device.close()
            printer._device = False  # so python-escpos's __del__ does not try again


class SerialConnection(Connection):
    bidirectional = True

    def __init__(self, devfile: str, baudrate: int, write_timeout_s: float = 5.0) -> None:
        self.devfile = devfile
        self.baudrate = baudrate
        self.write_timeout_s = write_timeout_s

    def describe(self) -> str:
        return f"serial {self.devfile} at {self.baudrate} baud"

    def open(self) -> None:
        from escpos.printer import Serial

        printer = Serial(devfile=self.devfile, baudrate=self.baudrate, timeout=1)
        printer.open()
        printer.device.write_timeout = self.write_timeout_s
        self.printer = printer

    def ask(self, n: int, timeout_s: float) -> int | None:
        port = self.printer.device
        port.reset_input_buffer()
        port.write(request(n))
        port.timeout = timeout_s
        answer: bytes = port.read(1)
        return answer[0] if answer else None


class NetworkConnection(Connection):
    bidirectional = True

    def __init__(self, host: str, port: int, timeout_s: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout_s = timeout_s

    def describe(self) -> str:
        return f"network printer {self.host}:{self.port}"

    def open(self) -> None:
        from escpos.printer import Network

        printer = Network(host=self.host, port=self.port, timeout=self.timeout_s)
        printer.open()
        self.printer = printer

    def ask(self, n: int, timeout_s: float) -> int | None:
        sock: socket.socket = self.printer.device
        self._drain(sock)
        sock.sendall(request(n))
        sock.settimeout(timeout_s)
        try:
            answer = sock.recv(1)
        except TimeoutError:
            return None
        finally:
            sock.settimeout(self.timeout_s)
        if not answer:
            raise ConnectionError("the printer closed the connection")
        return answer[0]

    @staticmethod
    def _drain(sock: socket.socket) -> None:
        """Drop answers that arrived late for an earlier question."""
        timeout = sock.gettimeout()
        sock.setblocking(False)
        try:
            while True:
                if not sock.recv(256):
                    raise ConnectionError("the printer closed the connection")
        except BlockingIOError:
            pass
        finally:
            sock.settimeout(timeout)


class UsbConnection(Connection):
    bidirectional = True

    def __init__(
        self, vendor_id: int, product_id: int, in_ep: int, out_ep: int, timeout_s: float = 5.0
    ) -> None:
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.in_ep = in_ep
        self.out_ep = out_ep
        self.timeout_s = timeout_s

    def describe(self) -> str:
        return f"USB printer {self.vendor_id:04x}:{self.product_id:04x}"

    def open(self) -> None:
        from escpos.printer import Usb

        if not Usb.is_usable():
            raise DriverMissingError("usb:// printers need pyusb: pip install pyusb (and libusb-1.0)")
        printer = Usb(
            idVendor=self.vendor_id,
            idProduct=self.product_id,
            timeout=int(self.timeout_s * 1000),
            in_ep=self.in_ep,
            out_ep=self.out_ep,
        )
        printer.open()
        self.printer = printer

    def ask(self, n: int, timeout_s: float) -> int | None:
        import usb.core

        device = self.printer.device
        device.write(self.out_ep, request(n), int(self.timeout_s * 1000))
        try:
            answer = device.read(self.in_ep, 16, int(timeout_s * 1000))
        except usb.core.USBTimeoutError:
            return None
        return int(answer[-1]) if len(answer) else None


class FileConnection(Connection):
    """A file or a character device (e.g. /dev/usb/lp0), opened for each job so that a file that was
    moved away or a directory that reappeared is picked up again."""

    def __init__(self, path: Path, append: bool) -> None:
        self.path = path
        self.append = append
        self._parent_made = False

    def describe(self) -> str:
        return f"file {self.path} ({'append' if self.append else 'overwrite'})"

    def open(self) -> None:
        if not self._parent_made:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._parent_made = True
        with open(self.path, "ab" if self.append else "wb"):
            pass  # the file exists from the start, so a demo can watch it

    def begin_job(self) -> None:
        from escpos.printer import File

        printer = File(devfile=str(self.path))
        printer.device = open(self.path, "ab" if self.append else "wb")  # noqa: SIM115 (closed in end_job)
        self.printer = printer

    def end_job(self) -> None:
        self.close()

    def health(self) -> DeviceStatus | None:
        parent = self.path.parent
        if not parent.is_dir():
            return status_for("not_writable", f"directory {parent} does not exist")
        if self.path.is_dir():
            return status_for("not_writable", f"{self.path} is a directory")
        if not os.access(parent, os.W_OK) or (self.path.exists() and not os.access(self.path, os.W_OK)):
            return status_for("not_writable", f"{self.path} is not writable")
        return None


class DummyConnection(Connection):
    """Keeps the bytes in memory (python-escpos Dummy)."""

    def describe(self) -> str:
        return "in-memory dummy printer"

    def open(self) -> None:
        if self.printer is None:
            from escpos.printer import Dummy

            self.printer = Dummy()

    def close(self) -> None:
        """The bytes stay readable after close."""

    @property
    def output(self) -> bytes:
        return b"" if self.printer is None else bytes(self.printer.output)

    def clear(self) -> None:
        if self.printer is not None:
            self.printer.clear()
