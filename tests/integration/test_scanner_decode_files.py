"""decode_file on real files: formats OpenCV and Pillow read, and clear errors for bad files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import pytest
from PIL import Image

from devices.scanners.decode import ImageReadError, decode_file
from devices.scanners.synthetic import card_photo, qr_image

TEXT = "Hồ sơ HN-260310-0042: Đăng ký thường trú"


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".webp", ".bmp", ".tiff"])
def test_common_formats(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"code{suffix}"
    assert cv2.imwrite(str(path), card_photo(TEXT, qr_side=300, angle_deg=-9.0))
    assert [code.text for code in decode_file(path)] == [TEXT]


def test_gif_through_pillow(tmp_path: Path) -> None:
    path = tmp_path / "code.gif"
    Image.fromarray(qr_image(TEXT)).save(path)
    assert [code.text for code in decode_file(path)] == [TEXT]


def test_unicode_file_name(tmp_path: Path) -> None:
    path = tmp_path / "căn cước công dân.png"
    path.write_bytes(cv2.imencode(".png", qr_image(TEXT))[1].tobytes())
    assert [code.text for code in decode_file(path)] == [TEXT]


@pytest.mark.parametrize(
    ("make", "words_en", "words_vi"),
    [
        (lambda p: p, "file not found", "không tìm thấy"),
        (lambda p: (p.mkdir(), p)[1], "is a folder", "thư mục"),
        (lambda p: (p.write_bytes(b""), p)[1], "empty", "rỗng"),
        (lambda p: (p.write_bytes(b"\xff\xd8\xff\xe0 only a header"), p)[1], "corrupt", "hỏng"),
        (lambda p: (p.write_text("hello, not a picture"), p)[1], "corrupt", "hỏng"),
    ],
    ids=["missing", "folder", "empty", "truncated-jpeg", "text"],
)
def test_bad_files_raise_a_clear_error(
    tmp_path: Path, make: Callable[[Path], Path], words_en: str, words_vi: str
) -> None:
    path = make(tmp_path / "scan.jpg")
    with pytest.raises(ImageReadError) as caught:
        decode_file(path)
    assert words_en in caught.value.message_en
    assert words_vi in caught.value.message_vi
    assert str(path) in str(caught.value)
