"""Several processed pages in one PDF."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

from devices.scanners.document.imaging import as_picture
from devices.scanners.document.model import DEFAULT_PDF_DPI, DocumentPhotoError, Picture, ProcessedPage


def pages_to_pdf(
    pages: Sequence[ProcessedPage | Picture], *, dpi: float = DEFAULT_PDF_DPI, jpeg_quality: int = 80
) -> bytes:
    """Several pages in one PDF, each a JPEG image filling a page of (pixels / dpi) inches."""
    if not pages:
        raise DocumentPhotoError(
            "no_pages", "Chưa có trang nào để ghép PDF.", "There are no pages to put in a PDF."
        )
    if not 10.0 <= dpi <= 1200.0:
        raise ValueError(f"dpi must be 10..1200, not {dpi}")
    if not 1 <= jpeg_quality <= 100:
        raise ValueError(f"jpeg_quality must be 1..100, not {jpeg_quality}")
    images = [_pil_page(page, number) for number, page in enumerate(pages, start=1)]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="PDF",
        save_all=True,
        append_images=images[1:],
        resolution=float(dpi),
        quality=jpeg_quality,
        title="motcua",
        producer="motcua",
    )
    return buffer.getvalue()


def _pil_page(page: ProcessedPage | Picture, number: int) -> Image.Image:
    picture = page.page if isinstance(page, ProcessedPage) else page
    if picture is None:
        raise DocumentPhotoError(
            "no_page_image",
            f"Trang {number} không có ảnh trang giấy (không tìm thấy trang).",
            f"Page {number} has no page image (no page was found).",
        )
    picture = as_picture(picture)
    if picture.ndim == 2:
        return Image.fromarray(picture, mode="L")
    return Image.fromarray(np.ascontiguousarray(picture[:, :, ::-1]), mode="RGB")
