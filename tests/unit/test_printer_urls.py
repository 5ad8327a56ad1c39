"""Printer URL parsing: what each scheme accepts, and clear errors for what it does not."""

from __future__ import annotations

import pytest

from devices.printers import PrinterUrlError, open_printer, parse_printer_url
from devices.printers.fake import FakeTicketPrinter


def test_usb_url() -> None:
    target = parse_printer_url("usb://04b8:0E15?in_ep=0x81&out_ep=3&status=off&timeout=1.5")
    assert (target.scheme, target.vendor_id, target.product_id) == ("usb", 0x04B8, 0x0E15)
    assert (target.in_ep, target.out_ep) == (0x81, 3)
    assert (target.query_status, target.status_timeout_s) == (False, 1.5)
    default = parse_printer_url("usb://04b8:0e15")
    assert (default.in_ep, default.out_ep) == (0x82, 1)
    assert (default.query_status, default.status_timeout_s) == (True, 0.5)


def test_tcp_url() -> None:
    target = parse_printer_url("tcp://192.168.1.50:9100")
    assert (target.scheme, target.host, target.port) == ("tcp", "192.168.1.50", 9100)
    assert parse_printer_url("tcp://printer.lan:9101").host == "printer.lan"
    assert parse_printer_url("tcp://[::1]:9100").host == "::1"


def test_serial_url() -> None:
    target = parse_printer_url("serial:///dev/ttyUSB0?baudrate=19200")
    assert (target.scheme, target.path, target.baudrate) == ("serial", "/dev/ttyUSB0", 19200)
    assert parse_printer_url("serial:///dev/ttyS1").baudrate == 9600


def test_file_urls_absolute_relative_and_modes() -> None:
    absolute = parse_printer_url("file:///var/lib/motcua/ticket.bin")
    assert (absolute.path, absolute.append) == ("/var/lib/motcua/ticket.bin", True)
    relative = parse_printer_url("file://var/kiosk/ticket.bin?mode=overwrite")
    assert (relative.path, relative.append) == ("var/kiosk/ticket.bin", False)


def test_dummy_and_fake_urls() -> None:
    assert parse_printer_url("dummy://").scheme == "dummy"
    assert parse_printer_url("fake://?fault=near_end").fault == "near_end"
    assert parse_printer_url("FAKE://").scheme == "fake"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://printer", "unknown printer URL scheme 'ftp'"),
        ("/dev/usb/lp0", "not a printer URL"),
        ("usb://04b8", "bad USB id '04b8'"),
        ("usb://4b8:e15", "4 hex digits each"),
        ("usb://04b8:0e1g", "bad USB id"),
        ("usb://04b8:0e15?in_ep=x", "in_ep must be an endpoint number"),
        ("usb://04b8:0e15?in_ep=0x182", "in_ep must be an endpoint number"),
        ("tcp://192.168.1.50", "missing port"),
        ("tcp://:9100", "missing host"),
        ("tcp://host:99999", "bad port"),
        ("tcp://host:abc", "bad port"),
        ("serial://", "missing serial device path"),
        ("serial://dev/ttyUSB0", "missing serial device path"),
        ("serial:///dev/ttyUSB0?baudrate=12345", "bad baudrate '12345'"),
        ("serial:///dev/ttyUSB0?baudrate=fast", "bad baudrate"),
        ("serial:///dev/ttyUSB0?parity=E", "unknown option 'parity'"),
        ("file://", "missing file path"),
        ("file:///var/kiosk/", "missing file path"),
        ("file:///tmp/t.bin?mode=truncate", "mode must be 'append' or 'overwrite'"),
        ("dummy://something", "dummy:// takes no path"),
        ("fake://?fault=on_fire", "unknown fault 'on_fire'"),
        ("tcp://host:9100?status=maybe", "status must be 'on' or 'off'"),
        ("tcp://host:9100?timeout=0", "timeout must be seconds"),
        ("tcp://host:9100?timeout=soon", "timeout must be seconds"),
        ("dummy://?x", "bad query string"),
        ("dummy://?x=1", "unknown option 'x'"),
    ],
)
def test_bad_urls_say_what_is_wrong(url: str, message: str) -> None:
    with pytest.raises(PrinterUrlError, match=message.replace("?", r"\?")) as caught:
        parse_printer_url(url)
    assert url in str(caught.value) or "not a printer URL" in str(caught.value)


def test_open_printer_checks_the_paper_and_returns_the_fake_for_fake_urls() -> None:
    with pytest.raises(ValueError, match="unknown paper '76mm'"):
        open_printer("fake://", "76mm")
    printer = open_printer("fake://?fault=cover_open", "58mm")
    assert isinstance(printer, FakeTicketPrinter)
    assert (printer.paper, printer.status().reason) == ("58mm", "cover_open")


def test_open_printer_rejects_bad_urls_before_touching_anything() -> None:
    with pytest.raises(PrinterUrlError):
        open_printer("serial://")
