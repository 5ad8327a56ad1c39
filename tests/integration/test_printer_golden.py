"""Golden bytes: the sample 58 mm ticket through python-escpos's Dummy printer, compared byte for byte.

After a deliberate layout change: .venv/bin/python tests/fixtures/printers/make_golden.py, look at the PNG,
commit both files.
"""

from __future__ import annotations

from pathlib import Path

from devices.printers import open_printer
from devices.printers.connections import DummyConnection
from devices.printers.escpos_printer import EscposTicketPrinter
from devices.printers.preview import render_pages
from devices.printers.sample import sample_ticket

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "printers"
REGENERATE = "regenerate with: .venv/bin/python tests/fixtures/printers/make_golden.py (after looking at it)"


def _dummy_bytes() -> bytes:
    printer = open_printer("dummy://", "58mm")
    assert isinstance(printer, EscposTicketPrinter) and isinstance(printer.connection, DummyConnection)
    printer.print_ticket(sample_ticket())
    return printer.connection.output


def test_sample_ticket_bytes_equal_the_golden_file() -> None:
    golden = (FIXTURES / "ticket_58mm.bin").read_bytes()
    actual = _dummy_bytes()
    if actual != golden:
        first = next((i for i, (a, b) in enumerate(zip(actual, golden, strict=False)) if a != b), None)
        raise AssertionError(
            f"bytes differ from the golden file at offset {first} "
            f"(length {len(actual)} vs {len(golden)}); {REGENERATE}"
        )


def test_golden_file_starts_with_init_raster_header_and_ends_with_feed_and_cut() -> None:
    golden = (FIXTURES / "ticket_58mm.bin").read_bytes()
    assert golden[:5] == b"\x1b@\x1dv0"
    width_bytes = golden[6] + 256 * golden[7]
    assert width_bytes == 384 // 8
    assert golden.endswith(b"\x1bd\x06\x1dV\x00")  # ESC d 6, GS V 0 (full cut)
    assert len(render_pages(golden, "58mm")) == 1
