"""The document photo pipeline with real files: JPEGs on disk, a PDF read back by poppler, tesseract OCR."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from devices.scanners import document_photo as dp
from tests.fixtures.document_photo import synth


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (Debian package poppler-utils / tesseract-ocr-vie)")
    return path


def _correlation(a: NDArray[np.uint8], b: NDArray[np.uint8]) -> float:
    grey = [cv2.cvtColor(x, cv2.COLOR_BGR2GRAY) if x.ndim == 3 else x for x in (a, b)]
    small = [cv2.resize(g, (500, 707), interpolation=cv2.INTER_AREA).astype(np.float64) for g in grey]
    x, y = (s - s.mean() for s in small)
    return float((x * y).sum() / math.sqrt((x * x).sum() * (y * y).sum()))


def _write_jpeg(path: Path, image: NDArray[np.uint8]) -> Path:
    assert cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return path


def test_photos_on_disk_become_one_pdf_that_poppler_reads_back(tmp_path: Path) -> None:
    pdfinfo, pdftoppm = _need("pdfinfo"), _need("pdftoppm")
    variants = ("flat", "tilted", "shadow")
    files = [_write_jpeg(tmp_path / f"{v}.jpg", synth.make_photo(v)[0]) for v in variants]
    pages = [dp.process_photo(path.read_bytes()) for path in files]
    assert all(page.quality.ok and page.page is not None for page in pages)
    pdf = tmp_path / "hoso.pdf"
    pdf.write_bytes(dp.pages_to_pdf(pages))

    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.MULTILINE)
    width_pt, height_pt = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())  # type: ignore[union-attr]
    assert (width_pt * 25.4 / 72, height_pt * 25.4 / 72) == pytest.approx((210.0, 297.0), abs=0.5)  # A4

    # Rendered back at the PDF's own resolution, page 2 is the processed page, pixel for pixel nearly.
    subprocess.run(
        [
            pdftoppm,
            "-r",
            str(dp.DEFAULT_PDF_DPI),
            "-f",
            "2",
            "-l",
            "2",
            "-png",
            str(pdf),
            str(tmp_path / "back"),
        ],
        check=True,
    )
    (rendered,) = tmp_path.glob("back*.png")
    back = cv2.imread(str(rendered))
    expected = pages[1].page
    assert expected is not None
    assert abs(back.shape[0] - expected.shape[0]) <= 2 and abs(back.shape[1] - expected.shape[1]) <= 2
    assert _correlation(back, expected) > 0.97
    assert _correlation(back, pages[2].page) < _correlation(back, expected)  # type: ignore[arg-type]


def test_exif_orientation_of_a_phone_jpeg_is_applied(tmp_path: Path) -> None:
    photo, known, _ = synth.make_photo("tilted")
    # A phone held sideways stores the pixels turned and says so in EXIF (6: turn 90° clockwise to view).
    stored = cv2.rotate(photo, cv2.ROTATE_90_COUNTERCLOCKWISE)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    Image.fromarray(stored[:, :, ::-1]).save(path, quality=90, exif=exif.tobytes())

    result = dp.process_photo(path.read_bytes())
    assert result.quad is not None and known is not None
    assert result.quad.frame_size == (photo.shape[1], photo.shape[0])
    diagonal = float(np.linalg.norm(known[0] - known[2]))
    assert float(np.linalg.norm(result.quad.corners - known, axis=1).max()) < 0.01 * diagonal


def test_a_truncated_file_on_disk_is_refused_in_both_languages(tmp_path: Path) -> None:
    path = _write_jpeg(tmp_path / "half.jpg", synth.make_photo("flat")[0])
    path.write_bytes(path.read_bytes()[:40_000])
    with pytest.raises(dp.DocumentPhotoError) as caught:
        dp.process_photo(path.read_bytes())
    assert caught.value.code == "truncated"
    assert "hỏng" in caught.value.message_vi and "damaged" in caught.value.message_en


def _ocr(tesseract: str, image_path: Path) -> str:
    result = subprocess.run(
        [tesseract, str(image_path), "stdout", "-l", "vie", "--psm", "4"],
        capture_output=True,
        text=True,
        check=True,
    )
    return unicodedata.normalize("NFC", result.stdout)


def test_tesseract_reads_vietnamese_from_the_straightened_page(tmp_path: Path) -> None:
    tesseract = _need("tesseract")
    langs = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True).stdout.split()
    if "vie" not in langs:
        pytest.skip("tesseract has no Vietnamese data (Debian package tesseract-ocr-vie)")
    if not synth.has_vietnamese_font():
        pytest.skip("the synthetic page needs DejaVu fonts (Debian package fonts-dejavu-core)")
    photo = synth.make_photo("tilted")[0]
    result = dp.process_photo(photo, light="gray")
    assert result.page is not None
    found = {}
    for name, image in (("photo", photo), ("page", result.page)):
        path = tmp_path / f"{name}.png"
        assert cv2.imwrite(str(path), image)
        text = _ocr(tesseract, path)
        found[name] = [word for word in synth.KNOWN_WORDS if word in text]
    assert len(found["page"]) >= 2, found
    assert len(found["photo"]) < len(found["page"])  # straightening is what made it readable
