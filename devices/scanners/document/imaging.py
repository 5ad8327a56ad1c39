"""Bytes and arrays in: decoding, checking, shrinking; small shared image helpers."""

from __future__ import annotations

import io

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from devices.scanners.document.model import DocumentPhotoError, Picture

_JPEG_SOI = b"\xff\xd8\xff"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 60_000_000  # a 48 MP phone photo passes; a decompression bomb does not


def decode_photo(data: bytes, *, max_pixels: int = MAX_PIXELS) -> Picture:
    """JPEG or PNG bytes to a BGR image (EXIF orientation applied); DocumentPhotoError when they are not."""
    if not data:
        raise DocumentPhotoError("empty", "Ảnh trống (không có dữ liệu).", "The photo is empty (no data).")
    if data.startswith(_JPEG_SOI):
        # Entropy-coded data never holds FF D9 or FF DA, so a complete JPEG has an EOI after its last SOS.
        complete = data.rfind(b"\xff\xd9") > data.rfind(b"\xff\xda") > 0
    elif data.startswith(_PNG_SIGNATURE):
        complete = data.rfind(b"IEND") > 0
    else:
        raise DocumentPhotoError(
            "not_an_image", "Tệp không phải ảnh JPEG hoặc PNG.", "The file is not a JPEG or PNG image."
        )
    if not complete:
        raise DocumentPhotoError(
            "truncated", "Ảnh bị hỏng (tệp không đầy đủ).", "The photo is damaged (the file is incomplete)."
        )
    _check_pixel_count(data, max_pixels)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise DocumentPhotoError(
            "corrupt", "Ảnh bị hỏng, không đọc được.", "The photo is damaged and cannot be read."
        )
    return np.asarray(image, dtype=np.uint8)


def _check_pixel_count(data: bytes, max_pixels: int) -> None:
    # PIL reads only the header here: the size is known before anything large is allocated.
    millions = max_pixels // 1_000_000
    try:
        with Image.open(io.BytesIO(data)) as header:
            width, height = header.size
    except Image.DecompressionBombError as error:  # PIL itself refuses sizes far beyond any camera
        raise DocumentPhotoError(
            "too_large",
            f"Ảnh quá lớn (tối đa {millions} triệu điểm ảnh).",
            f"The photo is too large (at most {millions} million pixels).",
        ) from error
    except (OSError, ValueError) as error:
        raise DocumentPhotoError(
            "corrupt", "Ảnh bị hỏng, không đọc được.", "The photo is damaged and cannot be read."
        ) from error
    if width * height > max_pixels:
        raise DocumentPhotoError(
            "too_large",
            f"Ảnh quá lớn ({width}×{height} điểm ảnh, tối đa {millions} triệu).",
            f"The photo is too large ({width}x{height} pixels, at most {millions} million).",
        )


def as_picture(image: NDArray[np.generic]) -> Picture:
    """Check an array is a usable photo: uint8, grey (H x W) or BGR (H x W x 3; BGRA loses its alpha)."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise DocumentPhotoError(
            "bad_array",
            "Ảnh phải là mảng số nguyên 8 bit (uint8).",
            f"The photo must be a uint8 array, not {getattr(image, 'dtype', type(image).__name__)}.",
        )
    if image.ndim == 3 and image.shape[2] == 4:
        image = image[:, :, :3]
    if not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3)):
        raise DocumentPhotoError(
            "bad_array",
            "Ảnh phải là ảnh xám (H×W) hoặc ảnh màu BGR (H×W×3).",
            f"The photo must be grey (H x W) or BGR (H x W x 3), not shape {image.shape}.",
        )
    if min(image.shape[:2]) < 64:
        raise DocumentPhotoError(
            "too_small",
            f"Ảnh quá nhỏ ({image.shape[1]}×{image.shape[0]} điểm ảnh).",
            f"The photo is too small ({image.shape[1]}x{image.shape[0]} pixels).",
        )
    return np.ascontiguousarray(image)


def to_gray(image: Picture) -> Picture:
    return image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))


def shrink(image: Picture, long_side: int) -> tuple[Picture, float]:
    """A copy whose long side is about `long_side`, and the factor from it back to the original."""
    height, width = image.shape[:2]
    factor = max(height, width) / float(long_side)
    if factor <= 1.0:
        return image, 1.0
    size = (max(1, round(width / factor)), max(1, round(height / factor)))
    if factor > 3.0:
        # Area-averaging 12 MP costs ~30 ms; picking every k-th pixel first and then averaging 2x2 costs ~8.
        image = np.asarray(cv2.resize(image, (size[0] * 2, size[1] * 2), interpolation=cv2.INTER_NEAREST))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return np.asarray(small), width / float(size[0])


def percentile_u8(values: Picture, percent: float) -> float:
    """A percentile of uint8 values from their histogram: linear time, no sorting."""
    counts = np.bincount(values.reshape(-1), minlength=256)
    rank = percent / 100.0 * (int(counts.sum()) - 1)
    return float(np.searchsorted(np.cumsum(counts), rank, side="right"))
