"""Ticket and receipt layout: width, Vietnamese glyphs, QR/barcode content, local time, validation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from devices.printers.layout import (
    Canvas,
    Style,
    font,
    local_time_text,
    qr_image,
    render_receipt,
    render_ticket,
    wait_minutes_text,
    wrap,
)
from devices.printers.port import PAPER_DOTS, TicketPrint, mask_personal_id
from devices.printers.sample import sample_receipt, sample_ticket

VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


def _glyph(char: str, bold: bool) -> bytes:
    canvas = Image.new("L", (60, 60), 0)
    ImageDraw.Draw(canvas).text((10, 5), char, font=font(32, bold), fill=255)
    return canvas.tobytes()


@pytest.mark.parametrize("bold", [False, True])
def test_bundled_font_draws_every_vietnamese_letter_in_both_cases(bold: bool) -> None:
    missing = _glyph("\ue000", bold)  # a private-use code point: drawn as the font's "missing" box
    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    absent = [char for char in letters if _glyph(char, bold) == missing]
    assert absent == []
    # and accented letters really differ from their base letter
    assert _glyph("ệ", bold) != _glyph("e", bold) != _glyph("ê", bold)


@pytest.mark.parametrize("paper", sorted(PAPER_DOTS))
def test_ticket_is_a_one_bit_image_exactly_the_paper_width(paper: str) -> None:
    image = render_ticket(sample_ticket(), paper)
    assert image.mode == "1"
    assert image.width == PAPER_DOTS[paper]
    assert 400 < image.height < 2000
    ink = np.asarray(image.convert("L")) == 0
    assert 0.05 < ink.mean() < 0.5  # printed something, not a black block


def test_58mm_ticket_is_narrower_and_shorter_per_line_than_80mm() -> None:
    wide = render_ticket(sample_ticket(), "80mm")
    narrow = render_ticket(sample_ticket(), "58mm")
    assert narrow.width < wide.width
    assert narrow.height < wide.height


@pytest.mark.parametrize("paper", sorted(PAPER_DOTS))
def test_ticket_qr_decodes_to_the_ticket_url(paper: str) -> None:
    ticket = sample_ticket()
    results = zxingcpp.read_barcodes(render_ticket(ticket, paper).convert("L"))
    assert [result.text for result in results] == [ticket.qr_url]


def test_ticket_without_url_has_no_qr_and_is_shorter() -> None:
    ticket = dataclasses.replace(sample_ticket(), qr_url=None)
    image = render_ticket(ticket, "80mm")
    assert zxingcpp.read_barcodes(image.convert("L")) == []
    assert image.height < render_ticket(sample_ticket(), "80mm").height


def test_priority_label_adds_a_black_band() -> None:
    plain = np.asarray(render_ticket(sample_ticket(priority=False)).convert("L")) == 0
    marked = np.asarray(render_ticket(sample_ticket(priority=True)).convert("L")) == 0
    full_black_rows = lambda ink: int((ink[:, 20:-20].mean(axis=1) > 0.6).sum())  # noqa: E731
    assert full_black_rows(marked) > full_black_rows(plain) + 20


@pytest.mark.parametrize("paper", sorted(PAPER_DOTS))
def test_receipt_carries_the_dossier_code_as_code128_and_qr(paper: str) -> None:
    receipt = sample_receipt()
    results = zxingcpp.read_barcodes(render_receipt(receipt, paper).convert("L"))
    found = {(result.format.name, result.text) for result in results}
    assert found == {("Code128", receipt.dossier_code), ("QRCode", receipt.dossier_code)}


def test_receipt_masks_the_citizen_id_on_construction() -> None:
    receipt = sample_receipt()
    assert receipt.citizen_id == "001******567"
    assert "001099004567" not in repr(receipt)


@pytest.mark.parametrize(
    ("given", "printed"),
    [("001099004567", "001******567"), ("123456789", "123***789"), ("001******567", "001******567")],
)
def test_mask_personal_id(given: str, printed: str) -> None:
    assert mask_personal_id(given) == printed


@pytest.mark.parametrize(
    "bad", ["00109900456", "0010990045678", "00109900456x", "001099004*567123", "0010****4567", ""]
)
def test_mask_personal_id_rejects_what_it_cannot_mask_safely(bad: str) -> None:
    with pytest.raises(ValueError, match="ID number"):
        mask_personal_id(bad)


def test_time_is_printed_in_ho_chi_minh_local_time() -> None:
    assert local_time_text(datetime(2025, 11, 22, 1, 5, tzinfo=UTC)) == "08:05 22/11/2025"
    late_utc = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)  # already 1 January in Vietnam
    assert local_time_text(late_utc) == "00:30 01/01/2026"


@pytest.mark.parametrize(
    ("seconds", "vi"),
    [
        (None, "Thời gian chờ dự kiến: chưa xác định"),
        (0, "Thời gian chờ dự kiến: khoảng 1 phút"),
        (12 * 60 + 20, "Thời gian chờ dự kiến: khoảng 12 phút"),
        (95 * 60, "Thời gian chờ dự kiến: khoảng 95 phút"),
    ],
)
def test_wait_text(seconds: int | None, vi: str) -> None:
    assert wait_minutes_text(seconds)[0] == vi


def test_wrap_keeps_every_line_inside_the_width_and_every_word() -> None:
    face = font(25)
    text = "Tờ khai thay đổi thông tin cư trú Giấyxácnhậnthôngtincưtrúrấtdàikhôngcókhoảngtrắng nữa"
    lines = wrap(text, face, 300, 20)
    assert len(lines) > 2
    assert all(face.getlength(line) <= 300 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_long_office_name_wraps_instead_of_overflowing() -> None:
    long_name = "Bộ phận Tiếp nhận và Trả kết quả Ủy ban nhân dân phường Nguyễn Thái Bình"
    ticket = dataclasses.replace(sample_ticket(), office_name=long_name)
    image = render_ticket(ticket, "58mm")
    assert image.width == 384
    assert image.height > render_ticket(sample_ticket(), "58mm").height


def test_qr_modules_are_whole_dots_with_a_quiet_zone() -> None:
    image = qr_image("https://motcua.example.vn/t/X", 200)
    modules = 29 + 2 * 4  # version 3 for 29 bytes at level M, plus a 4-module quiet zone each side
    assert image.width == image.height and image.width % modules == 0 and image.width <= 200
    small = image.resize((modules, modules), Image.Resampling.NEAREST)
    assert small.resize(image.size, Image.Resampling.NEAREST).tobytes() == image.tobytes()
    assert small.getpixel((0, 0)) == small.getpixel((3, 3)) == 1  # quiet zone is white
    assert small.getpixel((4, 4)) == 0  # finder pattern corner is black


def _ticket(**changes: object) -> TicketPrint:
    return dataclasses.replace(sample_ticket(), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issued_at": datetime(2025, 1, 1, 8, 0)}, "timezone-aware"),
        ({"people_ahead": -1}, "people_ahead"),
        ({"estimated_wait_s": -5}, "estimated_wait_s"),
        ({"number": "  "}, "number must not be empty"),
        ({"number": "A0123456789"}, "longer than 8"),
        ({"office_name": ""}, "office_name"),
    ],
)
def test_ticket_rejects_bad_fields_with_a_clear_message(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _ticket(**changes)


def test_receipt_rejects_due_date_before_receipt_and_non_ascii_codes() -> None:
    base = sample_receipt()
    with pytest.raises(ValueError, match="before received_at"):
        dataclasses.replace(base, due_date=date(2025, 11, 1))
    with pytest.raises(ValueError, match="ASCII"):
        dataclasses.replace(base, dossier_code="TÂNPHÚ-1")
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(base, received_at=datetime(2025, 11, 22, 8, 0))
    later = dataclasses.replace(base, received_at=base.received_at + timedelta(days=1))
    assert later.citizen_id == base.citizen_id


@pytest.mark.parametrize(
    ("marked", "plain"), [("ƯU", "UU"), ("ƠO", "OO"), ("ư", "u"), ("ơ", "o"), ("Đ", "D"), ("ị", "i")]
)
@pytest.mark.parametrize("bold", [False, True])
def test_thin_vietnamese_marks_survive_the_one_bit_raster_at_the_smallest_size(
    marked: str, plain: str, bold: bool
) -> None:
    style = Style.for_paper("58mm")

    def raster(text: str) -> bytes:
        canvas = Canvas(style)
        canvas.text(text, font(style.small, bold))
        return canvas.finish().tobytes()

    assert raster(marked) != raster(plain)
