"""Printer URLs: parse and check them, and open the printer they name.

    usb://04b8:0e15[?in_ep=0x82&out_ep=0x01]     USB printer by vendor:product id (hex)
    tcp://10.0.0.5:9100                          network printer (raw port, usually 9100)
    serial:///dev/ttyUSB0?baudrate=19200         serial printer (default 9600 baud)
    file:///var/lib/motcua/ticket.bin            file or device node; file://var/x.bin is relative to the
                                                 current directory; ?mode=append (default) or overwrite
    dummy://                                     python-escpos Dummy, bytes kept in memory
    fake://[?fault=paper_out]                    FakeTicketPrinter with an injected fault

usb, tcp and serial also take ?status=off (printer does not answer DLE EOT) and ?timeout=SECONDS (how long
to wait for a status answer, default 0.5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from devices.printers.connections import Connection
from devices.printers.errors import PrinterUrlError
from devices.printers.port import TicketPrinter, check_paper

BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)
FAULTS = ("paper_out", "cover_open", "unplugged", "near_end")
EXAMPLES = (
    "usb://04b8:0e15, tcp://192.168.1.50:9100, serial:///dev/ttyUSB0?baudrate=19200, "
    "file:///var/lib/motcua/ticket.bin, dummy:// or fake://"
)
_OPTIONS: dict[str, tuple[str, ...]] = {
    "usb": ("in_ep", "out_ep", "status", "timeout"),
    "tcp": ("status", "timeout"),
    "serial": ("baudrate", "status", "timeout"),
    "file": ("mode",),
    "dummy": (),
    "fake": ("fault",),
}
_VID_PID = re.compile(r"^([0-9a-fA-F]{4}):([0-9a-fA-F]{4})$")


@dataclass(frozen=True)
class PrinterTarget:
    """A checked printer URL."""

    url: str
    scheme: str
    path: str = ""  # serial device, or file path as written (relative ones resolve against the cwd)
    host: str = ""
    port: int = 0
    vendor_id: int = 0
    product_id: int = 0
    in_ep: int = 0x82
    out_ep: int = 0x01
    baudrate: int = 9600
    append: bool = True
    query_status: bool = True
    status_timeout_s: float = 0.5
    fault: str | None = None


def parse_printer_url(url: str) -> PrinterTarget:
    """Check a printer URL; PrinterUrlError says what is wrong and how a correct one looks."""
    if "://" not in url:
        raise PrinterUrlError(f"not a printer URL: {url!r}; use one of {EXAMPLES}")
    scheme, rest = url.split("://", 1)
    scheme = scheme.lower()
    if scheme not in _OPTIONS:
        raise PrinterUrlError(f"unknown printer URL scheme {scheme!r} in {url!r}; use one of {EXAMPLES}")
    location, _, query = rest.partition("?")
    options = _options(url, scheme, query)
    common = _common_options(url, options)
    parser = {"usb": _usb, "tcp": _tcp, "serial": _serial, "file": _file, "dummy": _dummy, "fake": _fake}
    target: PrinterTarget = parser[scheme](url, location, options, common)
    return target


def _options(url: str, scheme: str, query: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError as error:
        raise PrinterUrlError(f"bad query string in {url!r}: {error}") from error
    allowed = _OPTIONS[scheme]
    options: dict[str, str] = {}
    for name, value in pairs:
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            raise PrinterUrlError(f"unknown option {name!r} in {url!r}; {scheme}:// takes: {known}")
        options[name] = value
    return options


@dataclass(frozen=True)
class _Common:
    query_status: bool = True
    status_timeout_s: float = 0.5


def _common_options(url: str, options: dict[str, str]) -> _Common:
    status = options.get("status", "on")
    if status not in ("on", "off"):
        raise PrinterUrlError(f"status must be 'on' or 'off' in {url!r}, got {status!r}")
    try:
        timeout = float(options.get("timeout", "0.5"))
    except ValueError:
        timeout = -1.0
    if not 0.05 <= timeout <= 30:
        raise PrinterUrlError(f"timeout must be seconds between 0.05 and 30 in {url!r}")
    return _Common(status == "on", timeout)


def _usb(url: str, location: str, options: dict[str, str], common: _Common) -> PrinterTarget:
    match = _VID_PID.match(location)
    if not match:
        raise PrinterUrlError(
            f"bad USB id {location!r} in {url!r}: write vendor and product id as 4 hex digits each, "
            "e.g. usb://04b8:0e15 (see `lsusb`)"
        )
    return PrinterTarget(
        url,
        "usb",
        vendor_id=int(match[1], 16),
        product_id=int(match[2], 16),
        in_ep=_endpoint(url, "in_ep", options.get("in_ep", "0x82")),
        out_ep=_endpoint(url, "out_ep", options.get("out_ep", "0x01")),
        query_status=common.query_status,
        status_timeout_s=common.status_timeout_s,
    )


def _endpoint(url: str, name: str, text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if not 0 <= value <= 0xFF:
        raise PrinterUrlError(f"{name} must be an endpoint number such as 0x82 in {url!r}, got {text!r}")
    return value


def _tcp(url: str, location: str, options: dict[str, str], common: _Common) -> PrinterTarget:
    parts = urlsplit(f"//{location}")
    try:
        port = parts.port
    except ValueError:
        raise PrinterUrlError(
            f"bad port in {url!r}: use a number 1-65535, e.g. tcp://192.168.1.50:9100"
        ) from None
    if not parts.hostname:
        raise PrinterUrlError(f"missing host in {url!r}, e.g. tcp://192.168.1.50:9100")
    if port is None or port == 0:
        raise PrinterUrlError(
            f"missing port in {url!r}: network printers usually listen on 9100, e.g. tcp://{location}:9100"
        )
    return PrinterTarget(
        url,
        "tcp",
        host=parts.hostname,
        port=port,
        query_status=common.query_status,
        status_timeout_s=common.status_timeout_s,
    )


def _serial(url: str, location: str, options: dict[str, str], common: _Common) -> PrinterTarget:
    if not location.startswith("/") or location == "/":
        raise PrinterUrlError(
            f"missing serial device path in {url!r}, e.g. serial:///dev/ttyUSB0?baudrate=19200"
        )
    text = options.get("baudrate", "9600")
    if not text.isdigit() or int(text) not in BAUDRATES:
        raise PrinterUrlError(
            f"bad baudrate {text!r} in {url!r}: use one of {', '.join(map(str, BAUDRATES))}"
        )
    return PrinterTarget(
        url,
        "serial",
        path=location,
        baudrate=int(text),
        query_status=common.query_status,
        status_timeout_s=common.status_timeout_s,
    )


def _file(url: str, location: str, options: dict[str, str], common: _Common) -> PrinterTarget:
    if not location or location.endswith("/"):
        raise PrinterUrlError(f"missing file path in {url!r}, e.g. file:///var/lib/motcua/ticket.bin")
    mode = options.get("mode", "append")
    if mode not in ("append", "overwrite"):
        raise PrinterUrlError(f"mode must be 'append' or 'overwrite' in {url!r}, got {mode!r}")
    return PrinterTarget(url, "file", path=location, append=mode == "append")


def _dummy(url: str, location: str, options: dict[str, str], common: _Common) -> PrinterTarget:
    if location:
        raise PrinterUrlError(f"dummy:// takes no path, got {url!r}")
    return PrinterTarget(url, "dummy")


def _fake(url: str, location: str, options: dict[str, str], common: _Common) -> PrinterTarget:
    if location:
        raise PrinterUrlError(f"fake:// takes no path, got {url!r}")
    fault = options.get("fault") or None
    if fault is not None and fault not in FAULTS:
        raise PrinterUrlError(f"unknown fault {fault!r} in {url!r}; use one of {', '.join(FAULTS)}")
    return PrinterTarget(url, "fake", fault=fault)


def open_printer(url: str, paper: str = "80mm") -> TicketPrinter:
    """The printer a URL names. Bad URLs and paper names raise at once (PrinterUrlError / ValueError);
    an unreachable printer does not: it opens offline, and status() tells why."""
    check_paper(paper)
    target = parse_printer_url(url)
    if target.scheme == "fake":
        from devices.printers.fake import FakeTicketPrinter

        return FakeTicketPrinter(paper, fault=target.fault)
    from devices.printers.escpos_printer import EscposTicketPrinter

    return EscposTicketPrinter(
        connection_for(target),
        paper,
        query_status=target.query_status,
        status_timeout_s=target.status_timeout_s,
    )


def connection_for(target: PrinterTarget) -> Connection:
    from devices.printers import connections

    if target.scheme == "usb":
        return connections.UsbConnection(target.vendor_id, target.product_id, target.in_ep, target.out_ep)
    if target.scheme == "tcp":
        return connections.NetworkConnection(target.host, target.port)
    if target.scheme == "serial":
        return connections.SerialConnection(target.path, target.baudrate)
    if target.scheme == "file":
        return connections.FileConnection(Path(target.path), target.append)
    if target.scheme == "dummy":
        return connections.DummyConnection()
    raise PrinterUrlError(f"{target.scheme}:// has no ESC/POS connection")
