"""Preview: ESC/POS bytes back to a picture of the paper, checked against the raster that was drawn."""

from __future__ import annotations

import numpy as np
import pytest
import zxingcpp
from escpos.printer import Dummy
from PIL import Image, ImageChops

from devices.printers.encoding import document_bytes, fit_to_paper
from devices.printers.layout import render_receipt, render_ticket
from devices.printers.preview import PreviewError, render_pages, stack_pages
from devices.printers.sample import sample_receipt, sample_ticket


def _same_pixels(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_ticket_round_trip_pixels_equal_the_raster_and_qr_decodes(paper: str) -> None:
    ticket = sample_ticket(priority=True)
    raster = render_ticket(ticket, paper)
    pages = render_pages(document_bytes(raster, paper), paper)
    assert len(pages) == 1
    page = pages[0]
    assert _same_pixels(page.crop((0, 0, raster.width, raster.height)), raster)
    below = np.asarray(page.crop((0, raster.height, page.width, page.height)).convert("L"))
    assert below.size and (below == 255).all()  # the feed before the cut is blank paper
    assert [r.text for r in zxingcpp.read_barcodes(page.convert("L"))] == [ticket.qr_url]


def test_tall_receipt_is_split_into_raster_bands_and_stacked_back_seamlessly() -> None:
    raster = render_receipt(sample_receipt(), "80mm")
    assert raster.height > 960  # python-escpos sends it as more than one GS v 0 band
    data = document_bytes(raster, "80mm")
    assert data.count(b"\x1dv0") == -(-raster.height // 960)
    page = render_pages(data, "80mm")[0]
    assert _same_pixels(page.crop((0, 0, raster.width, raster.height)), raster)


def test_each_cut_starts_a_new_page() -> None:
    one = render_ticket(sample_ticket(), "58mm")
    two = render_receipt(sample_receipt(), "58mm")
    pages = render_pages(document_bytes(one, "58mm") + document_bytes(two, "58mm"), "58mm")
    assert len(pages) == 2
    assert _same_pixels(pages[1].crop((0, 0, two.width, two.height)), two)
    sheet = stack_pages(pages)
    assert sheet.height == pages[0].height + pages[1].height + 24


def test_graphics_command_and_centering_are_read_too() -> None:
    picture = Image.new("1", (100, 40), 1)
    picture.paste(0, (10, 10, 60, 30))
    dummy = Dummy()
    fit_to_paper(dummy, "80mm")
    dummy.set(align="center")
    dummy.image(picture, impl="graphics")
    dummy.cut()
    page = render_pages(dummy.output, "80mm")[0]
    left = (576 - 100) // 2
    assert _same_pixels(page.crop((left, 0, left + 100, 40)), picture)


def test_plain_text_lines_are_drawn_and_fed() -> None:
    dummy = Dummy()
    dummy.text("A023\n")
    dummy.text("Cu tru\n")
    dummy.cut()
    page = render_pages(dummy.output, "80mm")[0]
    ink_rows = np.flatnonzero((np.asarray(page.convert("L")) == 0).any(axis=1))
    assert ink_rows.size and ink_rows.max() < 60  # two 30-dot lines
    assert page.height == 2 * 30 + 6 * 30


def test_double_size_raster_mode_is_scaled() -> None:
    data = b"\x1b@" + b"\x1dv0\x03\x01\x00\x02\x00" + bytes([0b10000000, 0]) + b"\x1dV\x00"
    page = render_pages(data, "58mm")[0]
    assert page.size == (384, 4)
    ink = np.asarray(page.convert("L")) == 0
    assert ink[:2, :2].all() and not ink[2:, :].any() and not ink[:, 2:].any()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x1b@\x1bZ", "unsupported command ESC 0x5a at offset 2"),
        (b"\x1dk\x04", "unsupported command GS 0x6b"),
        (b"\x1dv0\x00\x02\x00\x05\x00\xff", "cut short"),
        (b"\x1dv0\x00\x64\x00\x01\x00" + b"\x00" * 100, "800 dots wide, paper has 384"),
        (b"\x07", "unknown control byte 0x07 at offset 0"),
        (b"\x1dV\x07", "not a known cut"),
        (b"\x10\x05\x01", "real-time command"),
    ],
)
def test_unreadable_bytes_are_errors_with_the_offset(data: bytes, message: str) -> None:
    with pytest.raises(PreviewError, match=message):
        render_pages(data, "58mm")


def test_empty_stream_has_no_pages() -> None:
    assert render_pages(b"", "80mm") == []
    with pytest.raises(PreviewError, match="no printed pages"):
        stack_pages([])
