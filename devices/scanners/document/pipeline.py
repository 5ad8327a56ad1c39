"""Photo in, straightened, evened and judged page out."""

from __future__ import annotations

from devices.scanners.document.detect import find_page
from devices.scanners.document.geometry import page_size, warp
from devices.scanners.document.imaging import as_picture, decode_photo
from devices.scanners.document.light import even_light
from devices.scanners.document.model import (
    DEFAULT_LONG_SIDE,
    DetectionParams,
    LightMode,
    Picture,
    ProcessedPage,
    QualityThresholds,
)
from devices.scanners.document.quality import judge_no_page, judge_page


def process_photo(
    photo: bytes | bytearray | memoryview | Picture,
    *,
    long_side: int = DEFAULT_LONG_SIDE,
    light: LightMode = "color",
    snap_tolerance: float = 0.05,
    thresholds: QualityThresholds = QualityThresholds(),
    detection: DetectionParams = DetectionParams(),
) -> ProcessedPage:
    """Photo (JPEG/PNG bytes or a BGR/grey array) to a straightened, evened, judged page.

    A photo without a page gives `page=None` and a NO_PAGE reason; a cut page is still straightened (what
    is visible of it) and carries a PAGE_CUT reason. Bytes that are not a readable JPEG/PNG raise
    DocumentPhotoError.
    """
    if light not in ("color", "gray", "none"):
        raise ValueError(f"light mode must be 'color', 'gray' or 'none', not {light!r}")
    if not 64 <= long_side <= 10_000:
        raise ValueError(f"long_side must be 64..10000 pixels, not {long_side}")
    image = (
        decode_photo(bytes(photo)) if isinstance(photo, bytes | bytearray | memoryview) else as_picture(photo)
    )
    quad = find_page(image, detection)
    if quad is None:
        return ProcessedPage(None, None, judge_no_page(image, thresholds))
    size, paper = page_size(quad, long_side, snap_tolerance)
    raw = warp(image, quad, size)
    quality = judge_page(raw, quad, thresholds)
    return ProcessedPage(even_light(raw, light), quad, quality, paper)
