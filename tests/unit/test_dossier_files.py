"""Uploaded files are judged by their bytes: disguised, damaged, empty or oversized files are refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from queue_server.documents.filetypes import JPEG, PDF, PNG, FileRejected, check_file

LIMIT = 2 * 1024 * 1024


def jpeg(size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 40).convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def png(size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise(size, 40).save(buffer, "PNG")
    return buffer.getvalue()


def pdf(pages: int = 2) -> bytes:
    images = [Image.new("RGB", (200, 280), (250, 250, 245)) for _ in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=72.0)
    return buffer.getvalue()


def refused(data: bytes, name: str = "", claimed: str | None = None, limit: int = LIMIT) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        check_file(data, name=name, claimed_type=claimed, max_bytes=limit)
    return caught.value


@pytest.mark.parametrize(
    ("maker", "name", "claimed", "media_type", "pages"),
    [
        (jpeg, "page1.jpg", "image/jpeg", JPEG, 1),
        (jpeg, "PAGE1.JPEG", None, JPEG, 1),
        (png, "scan.png", "image/png", PNG, 1),
        (pdf, "giay-to.pdf", "application/pdf", PDF, 2),
        (pdf, "", "application/octet-stream", PDF, 2),  # no claim: the bytes decide
    ],
)
def test_real_files_pass(maker: object, name: str, claimed: str | None, media_type: str, pages: int) -> None:
    data = maker()  # type: ignore[operator]
    checked = check_file(data, name=name, claimed_type=claimed, max_bytes=LIMIT)
    assert (checked.media_type, checked.size, checked.pages) == (media_type, len(data), pages)


def test_an_exe_renamed_jpg_is_refused() -> None:
    exe = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        + bytes(200)
        + b"This program cannot be run in DOS mode"
    )
    error = refused(exe, "anh-the.jpg", "image/jpeg")
    assert (error.code, error.status_code) == ("file_type_not_allowed", 415)
    assert "chương trình Windows" in error.message_vi and "anh-the.jpg" in error.message_vi
    assert error.details == {"file": "anh-the.jpg", "index": 0}


@pytest.mark.parametrize(
    "html",
    [b"<!DOCTYPE html><html><body>%PDF-1.4</body></html>", b"  <html><script>alert(1)</script></html>"],
)
def test_html_posing_as_pdf_is_refused(html: bytes) -> None:
    error = refused(html, "hop-dong.pdf", "application/pdf")
    assert error.code == "file_type_not_allowed" and "HTML" in error.message_en


def test_a_truncated_jpeg_is_refused() -> None:
    data = jpeg()
    error = refused(data[: len(data) * 2 // 3], "cut.jpg", "image/jpeg")
    assert (error.code, error.status_code) == ("file_damaged", 422)


def test_a_truncated_png_is_refused() -> None:
    data = png()
    assert refused(data[: len(data) // 2], "cut.png").code == "file_damaged"


def test_a_broken_pdf_is_refused() -> None:
    data = pdf()
    assert refused(data[: len(data) // 2] + b"\n%%EOF\n", "cut.pdf").code == "file_damaged"
    assert refused(data[: len(data) // 2], "no-eof.pdf").code == "file_damaged"


def test_a_pdf_with_javascript_is_refused() -> None:
    data = pdf(1).replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
    )
    assert refused(data, "active.pdf").code == "pdf_active_content"


def test_a_png_named_jpg_is_not_what_it_claims() -> None:
    error = refused(png(), "photo.jpg")
    assert error.code == "file_type_mismatch" and "PNG" in error.message_en and "JPEG" in error.message_en
    assert refused(jpeg(), "", "application/pdf").code == "file_type_mismatch"
    assert refused(jpeg(), "page.docx").code == "file_type_mismatch"


def test_empty_and_oversized_files_are_refused() -> None:
    assert (refused(b"", "empty.jpg").code, refused(b"", "empty.jpg").status_code) == ("file_empty", 422)
    big = jpeg((1200, 900))
    error = refused(big, "big.jpg", limit=len(big) - 1)
    assert (error.code, error.status_code) == ("file_too_large", 413)


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    buffer = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(buffer, "PNG")  # 144 MP, a few kB
    error = refused(buffer.getvalue(), "bomb.png")
    assert (error.code, error.status_code) == ("image_too_large", 422)
    assert "12000x12000" in error.message_en


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"PK\x03\x04rest", "ZIP"),
        (b"GIF89a....", "GIF"),
        (b"hello, plain text", "text"),
        (b"\x00\x01\x02\xfe", "unknown"),
    ],
)
def test_other_files_are_described(data: bytes, words: str) -> None:
    assert words in refused(data, "x").message_en
