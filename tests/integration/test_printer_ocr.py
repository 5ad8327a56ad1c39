"""Read the printed ticket back with Tesseract's Vietnamese model: the diacritics must survive the raster."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from devices.printers.encoding import document_bytes
from devices.printers.layout import render_ticket
from devices.printers.preview import save_preview
from devices.printers.sample import sample_ticket


def _has_vietnamese_tesseract() -> bool:
    if shutil.which("tesseract") is None:
        return False
    languages = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False)
    return "vie" in languages.stdout.split()


pytestmark = pytest.mark.skipif(not _has_vietnamese_tesseract(), reason="needs tesseract-ocr-vie (Debian)")


def test_vietnamese_lines_read_back_exactly_from_the_printed_preview(tmp_path: Path) -> None:
    data = document_bytes(render_ticket(sample_ticket(), "80mm"), "80mm")
    png = save_preview(data, tmp_path / "ticket.png", "80mm")
    text = subprocess.run(
        ["tesseract", str(png), "-", "-l", "vie"], capture_output=True, text=True, check=True
    ).stdout
    lines = {line.strip() for line in text.splitlines()}
    for expected in (
        "CÔNG AN XÃ TÂN PHÚ",
        "Cư trú",
        "Giờ lấy số: 08:05 22/11/2025",
        "Số người đang chờ trước Ông/Bà: 5",
        "Thời gian chờ dự kiến: khoảng 12 phút",
        "Estimated wait: about 12 min",
    ):
        assert expected in lines, f"{expected!r} not read back; OCR gave:\n{text}"
