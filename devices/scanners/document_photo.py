"""Photos of paper documents taken at the kiosk: find the page, straighten it, even the light, judge it.

A citizen lays a paper under the kiosk camera (or holds it up); from that photo this module

1. finds the page (`find_page`): the largest clean convex four-sided outline of reasonable size whose sides
   show a real edge, searched on a small copy of the photo (fast), then refined on the full photo;
2. straightens it (`straighten`): one perspective warp of the full photo to an upright page whose aspect
   ratio is recovered from the outline (snapped to A4 / Letter when it is close);
3. evens the light (`even_light`): divides by the paper's own brightness, estimated on a small copy with
   the ink removed, so shadows and lamp fall-off go and red seals keep their colour;
4. judges it (`assess`): no page, page cut by the frame, page too small, too dark, blurred, glare, each
   with a reason code and a Vietnamese message (English second);
5. ties it together (`process_photo`) and puts several pages in one PDF (`pages_to_pdf`).

Pure functions on numpy arrays (OpenCV's BGR order): no threads, no I/O, no UI; the kiosk calls them off
its UI thread. The implementation lives in `devices.scanners.document`.

    page = process_photo(jpeg_bytes)
    if not page.quality.ok:
        show(page.quality.reasons[0].message_vi)
    pdf_bytes = pages_to_pdf([page, ...])
"""

from __future__ import annotations

from devices.scanners.document.detect import find_page, order_corners
from devices.scanners.document.geometry import page_aspect, page_size, straighten
from devices.scanners.document.imaging import MAX_PIXELS, as_picture, decode_photo
from devices.scanners.document.light import even_light
from devices.scanners.document.model import (
    DEFAULT_LONG_SIDE,
    DEFAULT_PDF_DPI,
    FOCAL_PRIOR,
    PAPER_RATIOS,
    DetectionParams,
    DocumentPhotoError,
    LightMode,
    PageQuad,
    Picture,
    Points,
    ProcessedPage,
    Quality,
    QualityThresholds,
    Reason,
    ReasonCode,
)
from devices.scanners.document.pdf import pages_to_pdf
from devices.scanners.document.pipeline import process_photo
from devices.scanners.document.quality import assess, judge_page

__all__ = [
    "DEFAULT_LONG_SIDE",
    "DEFAULT_PDF_DPI",
    "FOCAL_PRIOR",
    "MAX_PIXELS",
    "PAPER_RATIOS",
    "DetectionParams",
    "DocumentPhotoError",
    "LightMode",
    "PageQuad",
    "Picture",
    "Points",
    "ProcessedPage",
    "Quality",
    "QualityThresholds",
    "Reason",
    "ReasonCode",
    "as_picture",
    "assess",
    "decode_photo",
    "even_light",
    "find_page",
    "judge_page",
    "order_corners",
    "page_aspect",
    "page_size",
    "pages_to_pdf",
    "process_photo",
    "straighten",
]
