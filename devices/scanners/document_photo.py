"""Photos of paper documents taken at the kiosk: find the page, straighten it, even the light, judge it.

A citizen lays a paper under the kiosk camera (or holds it up); from that photo this module

1. finds the page (`find_page`): the largest convex four-sided outline of reasonable size whose sides show a
   real edge, searched on a small copy of the photo (fast), then refined on the full photo;
2. straightens it (`straighten`): one perspective warp of the full photo to an upright page whose aspect ratio
   is recovered from the outline (snapped to A4 / Letter when it is close);
3. evens the light (`even_light`): divides by the paper's own brightness, estimated on a small copy with the
   ink removed, so shadows and lamp fall-off go and the red seals keep their colour;
4. judges it (`assess`): no page, page cut by the frame, too dark, blurred, glare, each with a reason code and
   a Vietnamese message (English second);
5. ties it together (`process_photo`) and puts several pages in one PDF (`pages_to_pdf`).

Pure functions on numpy arrays (OpenCV's BGR order): no threads, no I/O, no UI; the kiosk calls them off its
UI thread.
"""

from __future__ import annotations

import enum
import io
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

Picture = NDArray[np.uint8]  # H x W (grey) or H x W x 3 (BGR)
Points = NDArray[np.float32]  # N x 2, (x, y) in pixels
LightMode = Literal["color", "gray", "none"]

# Paper aspect ratios (long side / short side) a detected page snaps to when it is close.
PAPER_RATIOS: dict[str, float] = {"A4": math.sqrt(2.0), "Letter": 11.0 / 8.5}
DEFAULT_LONG_SIDE = 2000
# 2000 px over A4's 297 mm: the default page prints at its real size.
DEFAULT_PDF_DPI = round(DEFAULT_LONG_SIDE * 25.4 / 297.0, 2)
FRAME_SIDES = ("top", "right", "bottom", "left")
# Focal length of a typical webcam or phone camera (60-75 degrees across), as a share of the long side.
FOCAL_PRIOR = 0.8
TRIM = 0.002  # share of the page's long side cut from each edge of the straightened page


class DocumentPhotoError(ValueError):
    """Input that cannot be processed; `code` for programs, `message_vi` for the citizen."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


class ReasonCode(enum.StrEnum):
    NO_PAGE = "no_page"
    PAGE_CUT = "page_cut"
    TOO_SMALL = "too_small"
    TOO_DARK = "too_dark"
    BLURRED = "blurred"
    GLARE = "glare"


_MESSAGES: dict[ReasonCode, tuple[str, str]] = {
    ReasonCode.NO_PAGE: (
        "Không thấy trang giấy. Xin đặt cả tờ giấy vào giữa khung hình.",
        "No page found. Please place the whole sheet in the middle of the frame.",
    ),
    ReasonCode.PAGE_CUT: (
        "Trang bị cắt: một phần tờ giấy nằm ngoài khung hình. Xin đặt cả tờ giấy vào trong khung.",
        "The page is cut off by the frame edge. Please keep the whole sheet inside the frame.",
    ),
    ReasonCode.TOO_SMALL: (
        "Trang giấy quá nhỏ trong ảnh, chữ sẽ không đọc được. Xin đưa tờ giấy lại gần camera.",
        "The page is too small in the photo to read. Please bring the sheet closer to the camera.",
    ),
    ReasonCode.TOO_DARK: (
        "Ảnh quá tối. Xin chụp ở nơi đủ ánh sáng.",
        "The photo is too dark. Please take it where there is more light.",
    ),
    ReasonCode.BLURRED: (
        "Ảnh bị mờ. Xin giữ yên tờ giấy và chụp lại.",
        "The photo is blurred. Please hold the sheet still and take it again.",
    ),
    ReasonCode.GLARE: (
        "Ảnh bị lóa (có vùng chói sáng). Xin nghiêng tờ giấy hoặc tránh đèn chiếu thẳng.",
        "The photo has glare (a blown-out bright spot). Please tilt the sheet or avoid direct light.",
    ),
}


@dataclass(frozen=True)
class Reason:
    """Why a photo is not good enough, with the measured value and the limit it crossed."""

    code: ReasonCode
    message_vi: str
    message_en: str
    value: float = math.nan
    limit: float = math.nan

    @classmethod
    def of(cls, code: ReasonCode, value: float = math.nan, limit: float = math.nan) -> Reason:
        vi, en = _MESSAGES[code]
        return cls(code, vi, en, value, limit)


@dataclass(frozen=True)
class Quality:
    """The judgement of one photo: `ok` when no reason was found; `measures` holds what was measured."""

    reasons: tuple[Reason, ...] = ()
    measures: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.reasons

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(reason.code for reason in self.reasons)


@dataclass(frozen=True)
class QualityThresholds:
    """Limits of a usable photo. Measured on the straightened page scaled to `work_long_side` pixels.

    - `min_page_pixels`: the page's long side in the photo must span this many pixels; 600 px over A4's
      297 mm is ~50 dpi, below which 10-point print cannot be read whatever the sharpness.
    - `dark_white_level`: the paper's brightness (90th percentile of grey on the page, 0-255) must reach
      this; a well lit white sheet is 170-240, a sheet in a dim corner 40-60.
    - `min_sharpness`: steepest edge slope over its contrast (1/px), about 1/(2.5·σ) for an edge blurred by a
      Gaussian of σ px; sharp print is 0.3-0.5, text gets hard to read below ~0.2 (σ ≈ 2 px = 0.6 mm).
    - `min_edge_share`: the share of page pixels on ink edges below which sharpness is not judged (a blank
      page has nothing to be sharp about).
    - `glare_level`: a pixel whose every channel is at least this is blown out.
    - `glare_min_blob`: a blown-out blob counts as glare from this share of the page area.
    - `max_glare_share`: the photo has glare when blown-out blobs cover more than this share of the page.
    """

    work_long_side: int = 1000
    min_page_pixels: float = 600.0
    dark_white_level: float = 80.0
    min_sharpness: float = 0.2
    min_edge_share: float = 0.002
    glare_level: int = 250
    glare_min_blob: float = 0.0005
    max_glare_share: float = 0.003


@dataclass(frozen=True)
class DetectionParams:
    """How `find_page` searches: on a copy whose long side is `work_long_side` pixels.

    - `min_area` / `max_area`: the page covers this share of the frame (above max it is the frame itself).
    - `min_solidity`: outline area / its convex hull area (a curled sheet or a thumb on the edge is fine).
    - `min_quad_fill`: the best four-cornered shape inside the hull covers this share of it.
    - `edge_contrast`: grey levels between the two sides of a page edge for it to count.
    - `edge_support`: the share of points along a side that must show that edge.
    - `border_margin`: outline points this close to the frame edge (share of the long side) lie on it.
    - `min_cut_share`: the page is cut when this share of its outline lies on the frame edge.
    - `canny_low` / `canny_high`: the gentle edge search's thresholds (Sobel units, about 4x grey levels).
    """

    work_long_side: int = 640
    min_area: float = 0.04
    max_area: float = 0.97
    min_solidity: float = 0.85
    min_quad_fill: float = 0.85
    edge_contrast: float = 8.0
    edge_support: float = 0.6
    border_margin: float = 0.004
    min_cut_share: float = 0.03
    canny_low: float = 20.0
    canny_high: float = 50.0


@dataclass(frozen=True, eq=False)
class PageQuad:
    """A page found in a photo: corners TL, TR, BR, BL in the photo's pixels (float32, shape 4 x 2)."""

    corners: Points
    frame_size: tuple[int, int]  # width, height of the photo
    cut_sides: tuple[str, ...] = ()  # frame edges ("top", "right", "bottom", "left") that cut the page

    @property
    def cut(self) -> bool:
        return bool(self.cut_sides)

    @property
    def area_share(self) -> float:
        width, height = self.frame_size
        return float(cv2.contourArea(self.corners)) / float(width * height)


@dataclass(frozen=True, eq=False)
class ProcessedPage:
    """One processed photo: the straightened, evened page (None when no page was found)."""

    page: Picture | None
    quad: PageQuad | None
    quality: Quality
    paper: str | None = None  # "A4", "Letter" when the aspect ratio snapped to one


# --------------------------------------------------------------------------------------------- input


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


def _gray(image: Picture) -> Picture:
    return image if image.ndim == 2 else np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))


def _shrink(image: Picture, long_side: int) -> tuple[Picture, float]:
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


# ------------------------------------------------------------------------------------------ find_page


def find_page(image: Picture, params: DetectionParams = DetectionParams()) -> PageQuad | None:
    """The page in a photo, corners TL, TR, BR, BL in full-resolution pixels; None when there is none."""
    image = as_picture(image)
    small, factor = _shrink(image, params.work_long_side)
    # The median flattens desk grain and print but keeps the page's edge.
    gray = np.asarray(cv2.medianBlur(_gray(small), 5), dtype=np.uint8)
    best: _Candidate | None = None
    for contour in _outline_candidates(small, gray, params):
        candidate = _judge_outline(contour, gray, params)
        if candidate is not None and (best is None or candidate.score > best.score):
            best = candidate
    if best is None:
        return None
    corners = best.corners * np.float32(factor)
    corners = _refine_corners(image, corners, best, factor)
    height, width = image.shape[:2]
    return PageQuad(_order_corners(corners), (width, height), best.cut_sides)


@dataclass(frozen=True, eq=False)
class _Candidate:
    corners: Points  # ordered, small-image pixels
    area: float
    edge_signs: tuple[float, ...]  # per side: +1 page brighter than outside, -1 darker, 0 on the frame edge
    cut_sides: tuple[str, ...]
    fit: float  # overlap (intersection over union) of the outline and its quad

    @property
    def score(self) -> float:
        # The biggest clean quad wins: a page outline that swallowed a bit of desk is bigger but fits its
        # quad worse, and the fourth power makes that count more than the few percent of area it gains.
        return self.area * self.fit**4


def _outline_candidates(small: Picture, gray: Picture, params: DetectionParams) -> list[NDArray[np.int32]]:
    """Outlines from three views of the page, so a desk darker, lighter or more colourful than it works."""
    min_area = params.min_area * gray.shape[0] * gray.shape[1]
    otsu_level, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    opening = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    masks = [bright, cv2.bitwise_not(bright)]
    if small.ndim == 3:
        hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
        # Paper is bright and colourless; wood, cloth and skin are not.
        whiteness = cv2.subtract(hsv[:, :, 2], hsv[:, :, 1])
        _, white = cv2.threshold(cv2.medianBlur(whiteness, 5), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        masks.append(white)
    contours: list[NDArray[np.int32]] = []
    for mask in masks:
        opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, opening)
        found, _ = cv2.findContours(opened, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        contours.extend(np.asarray(c, dtype=np.int32) for c in found)
    # Edges catch the page where brightness alone does not split it from the desk (shadows, gradients):
    # once gently, for a faint page edge, and once firmly, so that a busy desk pattern drops out.
    dilation = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    for low, high in ((params.canny_low, params.canny_high), (0.4 * otsu_level, 0.8 * otsu_level)):
        edges = cv2.dilate(cv2.Canny(gray, low, high), dilation)
        found, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        contours.extend(np.asarray(c, dtype=np.int32) for c in found)
    return [c for c in contours if cv2.contourArea(c) >= min_area]


def _judge_outline(contour: NDArray[np.int32], gray: Picture, params: DetectionParams) -> _Candidate | None:
    height, width = gray.shape
    frame_area = float(width * height)
    hull = np.asarray(cv2.convexHull(contour), dtype=np.int32)
    hull_area = float(cv2.contourArea(hull))
    if not params.min_area * frame_area <= hull_area <= params.max_area * frame_area:
        return None
    if cv2.contourArea(contour) < params.min_solidity * hull_area:
        return None
    outline, tolerance = _simplify(hull)
    if len(outline) < 4:
        return None
    quad = _largest_quad(outline)
    quad_area = float(cv2.contourArea(quad))
    if quad_area < params.min_quad_fill * hull_area or not _plausible_angles(quad):
        return None
    margin = params.border_margin * max(width, height) + 1.0
    # Near the frame edge the simplified outline may cut a corner by up to its tolerance: judge no point
    # whose outside lies that close to the edge.
    if not _shows_real_edges(outline, gray, margin + tolerance, params):
        return None
    cut_sides = _cut_sides(contour, (width, height), margin, params.min_cut_share)
    signs = tuple(_edge_sign(quad[i], quad[(i + 1) % 4], quad, gray, margin) for i in range(4))
    return _Candidate(quad, quad_area, signs, cut_sides, _overlap(contour, quad, (width, height)))


def _overlap(contour: NDArray[np.int32], quad: Points, size: tuple[int, int]) -> float:
    """Intersection over union of the filled outline and the filled quad."""
    outline = np.zeros((size[1], size[0]), np.uint8)
    cv2.drawContours(outline, [contour], -1, 1, thickness=cv2.FILLED)
    shape = np.zeros_like(outline)
    cv2.fillPoly(shape, [np.round(quad).astype(np.int32)], 1)
    union = int(np.count_nonzero(outline | shape))
    return int(np.count_nonzero(outline & shape)) / union if union else 0.0


def _simplify(hull: NDArray[np.int32]) -> tuple[Points, float]:
    """The hull as a polygon of at most ~10 vertices (a page: 4, a cut or curled one: a few more), and
    how far (pixels) the polygon may stray from the hull."""
    perimeter = cv2.arcLength(hull, True)
    points = hull.reshape(-1, 2)
    tolerance = 0.0
    for share in (0.01, 0.02, 0.04):
        tolerance = share * perimeter
        points = np.asarray(cv2.approxPolyDP(hull, tolerance, True), dtype=np.int32).reshape(-1, 2)
        if len(points) <= 10:
            break
    return points.astype(np.float32), tolerance


def _largest_quad(points: Points) -> Points:
    """The four polygon vertices spanning the largest area, ordered TL, TR, BR, BL."""
    best: tuple[int, ...] = (0, 1, 2, 3)
    best_area = -1.0
    for combo in itertools.combinations(range(len(points)), 4):
        area = float(cv2.contourArea(points[list(combo)]))
        if area > best_area:
            best, best_area = combo, area
    return _order_corners(points[list(best)])


def _order_corners(points: Points) -> Points:
    """Corners clockwise (as seen) starting at the top-left one."""
    centre = points.mean(axis=0)
    angles = np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0])
    clockwise = points[np.argsort(angles)]
    start = int(np.argmin(clockwise.sum(axis=1)))
    return np.ascontiguousarray(np.roll(clockwise, -start, axis=0), dtype=np.float32)


def _plausible_angles(quad: Points, min_deg: float = 45.0) -> bool:
    """A sheet seen by a camera keeps every corner angle between `min_deg` and 180 - `min_deg`."""
    for i in range(4):
        a, b = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        if norm == 0.0:
            return False
        angle = math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(a, b)) / norm))))
        if not min_deg <= angle <= 180.0 - min_deg:
            return False
    return True


def _cut_sides(
    contour: NDArray[np.int32], size: tuple[int, int], margin: float, min_share: float
) -> tuple[str, ...]:
    """Frame edges along which the outline runs for a noticeable length: the page goes on beyond them."""
    width, height = size
    points = contour.reshape(-1, 2).astype(np.float32)
    closed = np.vstack([points, points[:1]])
    steps = np.diff(closed, axis=0)
    lengths = np.hypot(steps[:, 0], steps[:, 1])
    perimeter = float(lengths.sum()) or 1.0
    start, end = closed[:-1], closed[1:]
    on_edge = {
        "top": (start[:, 1] <= margin) & (end[:, 1] <= margin),
        "right": (start[:, 0] >= width - 1 - margin) & (end[:, 0] >= width - 1 - margin),
        "bottom": (start[:, 1] >= height - 1 - margin) & (end[:, 1] >= height - 1 - margin),
        "left": (start[:, 0] <= margin) & (end[:, 0] <= margin),
    }
    return tuple(side for side in FRAME_SIDES if float(lengths[on_edge[side]].sum()) / perimeter >= min_share)


def _shows_real_edges(outline: Points, gray: Picture, margin: float, params: DetectionParams) -> bool:
    """Every side of the outline inside the frame is a real edge, and at least two are.

    A side whose far side lies on or beyond the frame edge is not judged (the page goes on out of view
    there). A side inside the frame must show a consistent step in brightness along most of its length:
    a shadow line or a desk pattern does not, a sheet of paper does.
    """
    perimeter = float(cv2.arcLength(outline, True))
    real = 0
    for i in range(len(outline)):
        a, b = outline[i], outline[(i + 1) % len(outline)]
        if float(np.linalg.norm(b - a)) < 0.04 * perimeter:
            continue  # a corner's rounding, not a side
        contrast = _contrast_across(a, b, outline, gray, margin)
        if contrast is None:
            continue
        sign = 1.0 if float(np.median(contrast)) >= 0 else -1.0
        supported = (np.abs(contrast) >= params.edge_contrast) & (np.sign(contrast) == sign)
        if float(np.mean(supported)) < params.edge_support:
            return False
        real += 1
    return real >= 2


def _edge_sign(a: Points, b: Points, polygon: Points, gray: Picture, margin: float) -> float:
    """+1 when the page is brighter than what lies beyond side a-b, -1 when darker, 0 when out of view."""
    contrast = _contrast_across(a, b, polygon, gray, margin)
    if contrast is None:
        return 0.0
    return 1.0 if float(np.median(contrast)) >= 0 else -1.0


def _contrast_across(
    a: Points, b: Points, polygon: Points, gray: Picture, margin: float, samples: int = 32
) -> NDArray[np.float32] | None:
    """Inside minus outside brightness 3 px either side of side a-b, where the outside is in view.

    None when less than a third of the side has its outside in view (it runs along the frame edge).
    """
    height, width = gray.shape[:2]
    direction = (b - a) / max(1e-6, float(np.linalg.norm(b - a)))
    normal = np.array([direction[1], -direction[0]], dtype=np.float32)
    if float(np.dot((a + b) / 2 - polygon.mean(axis=0), normal)) < 0:
        normal = -normal  # point outward
    along = a + np.linspace(0.05, 0.95, samples, dtype=np.float32)[:, None] * (b - a)
    beyond = along + 3.0 * normal
    in_view = (
        (beyond[:, 0] > margin)
        & (beyond[:, 0] < width - 1 - margin)
        & (beyond[:, 1] > margin)
        & (beyond[:, 1] < height - 1 - margin)
    )
    if float(np.mean(in_view)) < 1 / 3:
        return None
    contrast = _sample(gray, along - 3.0 * normal) - _sample(gray, beyond)
    return np.asarray(contrast[in_view], dtype=np.float32)


def _sample(gray: Picture, points: Points) -> NDArray[np.float32]:
    """Bilinear grey values at (x, y) points; points off the image read the nearest border pixel."""
    map_x = np.ascontiguousarray(points[:, 0:1], dtype=np.float32)
    map_y = np.ascontiguousarray(points[:, 1:2], dtype=np.float32)
    values = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(values, dtype=np.float32).reshape(-1)


def _refine_corners(image: Picture, corners: Points, candidate: _Candidate, factor: float) -> Points:
    """Move each side onto the steepest brightness step of the full photo near it; corners = crossings.

    The small copy places a side within about one of its pixels (`factor` photo pixels); sampling short
    profiles across each side at full resolution puts it within about one photo pixel.
    """
    lines: list[NDArray[np.float64] | None] = []
    reach = 1.5 * factor + 3.0
    for i in range(4):
        sign = candidate.edge_signs[i]
        lines.append(None if sign == 0.0 else _fit_side(image, corners[i], corners[(i + 1) % 4], sign, reach))
    refined = corners.copy()
    for i in range(4):
        before, after = lines[(i - 1) % 4], lines[i]
        if before is None or after is None:
            continue
        crossing = _intersect(before, after)
        if crossing is not None and float(np.linalg.norm(crossing - corners[i])) <= 2.0 * reach:
            refined[i] = crossing
    return refined


def _fit_side(
    image: Picture, a: Points, b: Points, sign: float, reach: float, count: int = 40
) -> NDArray[np.float64] | None:
    """A line (point, direction) through the edge points found on profiles across side a-b."""
    length = float(np.linalg.norm(b - a))
    if length < 8.0:
        return None
    direction = (b - a) / length
    normal = np.array([direction[1], -direction[0]], dtype=np.float32)
    offsets = np.arange(-reach, reach + 1.0, 1.0, dtype=np.float32)
    ts = np.linspace(0.1, 0.9, count, dtype=np.float32)
    # Five parallel profiles 1 px apart, averaged: smooths noise along the edge, not across it.
    spread = np.arange(-2.0, 3.0, 1.0, dtype=np.float32)
    base = a[None, None, :] + (ts[:, None, None] * length + spread[None, :, None]) * direction[None, None, :]
    # Corners run clockwise as seen (y down), so (dy, -dx) points out of the page.
    outward = normal
    grid = base[:, :, None, :] + offsets[None, None, :, None] * outward[None, None, None, :]
    map_xy = grid.reshape(count * len(spread), len(offsets), 2)
    values = cv2.remap(
        image,
        map_xy[:, :, 0].copy(),
        map_xy[:, :, 1].copy(),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    values = np.asarray(values, dtype=np.float32)
    if values.ndim == 3:
        values = values.mean(axis=2)
    profiles = values.reshape(count, len(spread), len(offsets)).mean(axis=1)
    # Going outward the brightness falls (page brighter) or rises (page darker) across the edge.
    slope = -sign * (profiles[:, 2:] - profiles[:, :-2]) / 2.0
    found: list[NDArray[np.float32]] = []
    strongest = float(slope.max()) if slope.size else 0.0
    for k in range(count):
        j = int(np.argmax(slope[k]))
        peak = float(slope[k, j])
        if peak < max(3.0, 0.3 * strongest):
            continue
        offset = float(offsets[j + 1]) + _parabola_peak(slope[k], j)
        found.append(base[k, 2] + offset * outward)
    if len(found) < count // 3:
        return None
    line = cv2.fitLine(np.asarray(found, dtype=np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).reshape(-1)
    return np.asarray([line[2], line[3], line[0], line[1]], dtype=np.float64)


def _parabola_peak(values: NDArray[np.float32], j: int) -> float:
    if j <= 0 or j >= len(values) - 1:
        return 0.0
    left, mid, right = float(values[j - 1]), float(values[j]), float(values[j + 1])
    denominator = left - 2.0 * mid + right
    return 0.0 if denominator == 0.0 else 0.5 * (left - right) / denominator


def _intersect(line_a: NDArray[np.float64], line_b: NDArray[np.float64]) -> Points | None:
    """Crossing of two lines given as (x, y, dx, dy)."""
    pa, da = line_a[:2], line_a[2:]
    pb, db = line_b[:2], line_b[2:]
    denominator = da[0] * db[1] - da[1] * db[0]
    if abs(denominator) < 1e-9:
        return None
    t = ((pb[0] - pa[0]) * db[1] - (pb[1] - pa[1]) * db[0]) / denominator
    return np.asarray(pa + t * da, dtype=np.float32)


# ----------------------------------------------------------------------------------------- straighten


def page_aspect(quad: PageQuad, focal_prior: float = FOCAL_PRIOR) -> float:
    """Width / height of the real sheet behind the quad.

    Uses the rectangle-under-perspective relations of Zhang & He ("Whiteboard scanning and image
    enhancement", 2007), with the principal point at the frame centre and square pixels. When both pairs
    of opposite sides converge visibly they also give the camera's focal length; otherwise (one pair
    parallel in the image, e.g. a sheet tipped straight towards the camera) the focal length cannot be
    measured and `focal_prior` x the frame's long side is used: an error in it then matters only in the
    direction that has perspective, and not at all for a frontal view.
    """
    tl, tr, br, bl = (np.append(p.astype(np.float64), 1.0) for p in quad.corners)
    width, height = quad.frame_size
    long_side = float(max(width, height))
    k2 = float(np.dot(np.cross(tl, br), bl) / np.dot(np.cross(tr, br), bl))
    k3 = float(np.dot(np.cross(tl, br), tr) / np.dot(np.cross(bl, br), tr))
    n2, n3 = k2 * tr - tl, k3 * bl - tl
    u0, v0 = width / 2.0, height / 2.0
    focal = focal_prior * long_side
    # Both pairs of sides must converge measurably; nearer to parallel, a pixel of noise swings the focal
    # length wildly (0.01 was the best trade-off over random views with half a pixel of corner noise).
    if min(abs(n2[2]), abs(n3[2])) >= 0.01:
        f2 = -(
            (n2[0] * n3[0] - (n2[0] * n3[2] + n2[2] * n3[0]) * u0 + n2[2] * n3[2] * u0 * u0)
            + (n2[1] * n3[1] - (n2[1] * n3[2] + n2[2] * n3[1]) * v0 + n2[2] * n3[2] * v0 * v0)
        ) / (n2[2] * n3[2])
        if (0.25 * long_side) ** 2 <= f2 <= (8.0 * long_side) ** 2:
            focal = math.sqrt(f2)
    inverse = np.linalg.inv(np.array([[focal, 0.0, u0], [0.0, focal, v0], [0.0, 0.0, 1.0]]))
    metric = inverse.T @ inverse
    ratio = math.sqrt(float(n2 @ metric @ n2) / float(n3 @ metric @ n3))
    by_sides = _side_ratio(quad.corners)
    # A wild disagreement with the plain side ratio means the corners do not fit one camera: trust sides.
    return ratio if 0.67 <= ratio / by_sides <= 1.5 else by_sides


def _side_ratio(corners: Points) -> float:
    tl, tr, br, bl = corners.astype(np.float64)
    across = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2.0
    down = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2.0
    return across / max(down, 1e-6)


def page_size(
    quad: PageQuad, long_side: int = DEFAULT_LONG_SIDE, snap_tolerance: float = 0.05
) -> tuple[tuple[int, int], str | None]:
    """((width, height) of the straightened page, paper name) for a quad.

    The ratio snaps to a known paper (A4, Letter) when within `snap_tolerance` of it, so that a
    slightly misjudged ratio does not squash the print.
    """
    aspect = page_aspect(quad)
    portrait = aspect <= 1.0
    ratio = 1.0 / aspect if portrait else aspect  # long / short
    paper: str | None = None
    closest = min(PAPER_RATIOS.items(), key=lambda item: abs(ratio / item[1] - 1.0))
    if abs(ratio / closest[1] - 1.0) <= snap_tolerance:
        paper, ratio = closest
    short_side = max(1, round(long_side / ratio))
    return ((short_side, long_side) if portrait else (long_side, short_side)), paper


def straighten(
    image: Picture, quad: PageQuad, *, long_side: int = DEFAULT_LONG_SIDE, snap_tolerance: float = 0.05
) -> Picture:
    """The page as an upright image, long side `long_side` pixels; one warp of the full-resolution photo."""
    image = as_picture(image)
    if not 64 <= long_side <= 10_000:
        raise ValueError(f"long_side must be 64..10000 pixels, not {long_side}")
    size, _ = page_size(quad, long_side, snap_tolerance)
    return _warp(image, quad, size)


def _warp(image: Picture, quad: PageQuad, size: tuple[int, int]) -> Picture:
    width, height = size
    # Pixel centres sit at integers, so the sheet's outer edges would be at -0.5 and size - 0.5; pushing
    # them a little further out trims the blurred rim where paper and desk mix.
    rim = 0.5 + TRIM * max(width, height)
    right, bottom = width - 1 + rim, height - 1 + rim
    target = np.array([[-rim, -rim], [right, -rim], [right, bottom], [-rim, bottom]], dtype=np.float32)
    transform = cv2.getPerspectiveTransform(quad.corners.astype(np.float32), target)
    warped = cv2.warpPerspective(
        image, transform, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(warped, dtype=np.uint8)


# ----------------------------------------------------------------------------------------- even_light


def even_light(
    page: Picture, mode: LightMode = "color", *, white_clip: float = 0.92, min_background: float = 0.35
) -> Picture:
    """Divide the page by its own paper brightness so the paper turns white and shadows go.

    The paper's brightness is estimated on a ~240 px copy (about 1.2 mm a pixel on A4) with a
    morphological close of ~11 mm, which removes print, stamps and table lines but keeps lamp fall-off and
    shadows. Colour mode does this per channel: the paper's tint goes and a red seal stays red. Values at
    or above `white_clip` of the paper level become pure white (clean background, smaller JPEGs); the
    background is never taken below `min_background` of the paper level, so a large dark area (a photo on
    the document) keeps its tone instead of being flattened to grey.
    """
    page = as_picture(page)
    if mode == "none":
        return page
    if mode == "gray":
        page = _gray(page)
    elif mode != "color":
        raise ValueError(f"light mode must be 'color', 'gray' or 'none', not {mode!r}")
    small, _ = _shrink(page, 240)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    background = np.asarray(cv2.GaussianBlur(cv2.medianBlur(closed, 5), (0, 0), 2.0), dtype=np.uint8)
    channels = (
        [background] if background.ndim == 2 else [np.asarray(c, np.uint8) for c in cv2.split(background)]
    )
    for channel in channels:  # the floor is applied on the small copy, where it costs nothing
        floor = max(1, round(min_background * _percentile_u8(channel, 90)))
        np.maximum(channel, floor, out=channel)
    background = channels[0] if len(channels) == 1 else np.asarray(cv2.merge(channels), dtype=np.uint8)
    full = cv2.resize(background, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    # uint8 in, uint8 out, saturating: no float copy of a 2000 px colour page.
    return np.asarray(cv2.divide(page, full, scale=255.0 / white_clip), dtype=np.uint8)


def _percentile_u8(values: Picture, percent: float) -> float:
    """A percentile of uint8 values from their histogram: linear time, no sorting."""
    counts = np.bincount(values.reshape(-1), minlength=256)
    rank = percent / 100.0 * (int(counts.sum()) - 1)
    return float(np.searchsorted(np.cumsum(counts), rank, side="right"))


# --------------------------------------------------------------------------------------------- assess


def assess(
    image: Picture,
    quad: PageQuad | None = None,
    *,
    thresholds: QualityThresholds = QualityThresholds(),
    detection: DetectionParams = DetectionParams(),
) -> Quality:
    """Judge a photo: no page, page cut, too dark, blurred, glare (finds the page when `quad` is None)."""
    image = as_picture(image)
    if quad is None:
        quad = find_page(image, detection)
    if quad is None:
        return _judge_no_page(image, thresholds)
    size, _ = page_size(quad, DEFAULT_LONG_SIDE)
    return judge_page(_warp(image, quad, size), quad, thresholds)


def _judge_no_page(image: Picture, thresholds: QualityThresholds) -> Quality:
    small, _ = _shrink(image, thresholds.work_long_side)
    white = float(np.percentile(_gray(small), 90))
    reasons = [Reason.of(ReasonCode.NO_PAGE)]
    if white < thresholds.dark_white_level:
        reasons.append(Reason.of(ReasonCode.TOO_DARK, white, thresholds.dark_white_level))
    return Quality(tuple(reasons), {"white_level": white})


def judge_page(page: Picture, quad: PageQuad, thresholds: QualityThresholds = QualityThresholds()) -> Quality:
    """Judge a straightened (not yet evened) page; `quad` tells whether the frame cut it."""
    work, _ = _shrink(as_picture(page), thresholds.work_long_side)
    height, width = work.shape[:2]
    inset_y, inset_x = round(0.04 * height), round(0.04 * width)
    inner = work[inset_y : height - inset_y, inset_x : width - inset_x]  # keep off the page's own border
    gray = np.ascontiguousarray(_gray(inner))
    white = _percentile_u8(gray, 90)
    sharpness, edge_share = _sharpness(gray)
    glare = _glare_share(inner, thresholds)
    page_pixels = _long_side_in_photo(quad)
    measures = {
        "page_pixels": page_pixels,
        "white_level": white,
        "sharpness": sharpness,
        "edge_share": edge_share,
        "glare_share": glare,
    }
    reasons: list[Reason] = []
    if quad.cut:
        reasons.append(Reason.of(ReasonCode.PAGE_CUT))
    if page_pixels < thresholds.min_page_pixels:
        reasons.append(Reason.of(ReasonCode.TOO_SMALL, page_pixels, thresholds.min_page_pixels))
    if white < thresholds.dark_white_level:
        # In the dark, noise dominates the other measures: ask for light first.
        reasons.append(Reason.of(ReasonCode.TOO_DARK, white, thresholds.dark_white_level))
        return Quality(tuple(reasons), measures)
    if edge_share >= thresholds.min_edge_share and sharpness < thresholds.min_sharpness:
        reasons.append(Reason.of(ReasonCode.BLURRED, sharpness, thresholds.min_sharpness))
    if glare > thresholds.max_glare_share:
        reasons.append(Reason.of(ReasonCode.GLARE, glare, thresholds.max_glare_share))
    return Quality(tuple(reasons), measures)


def _long_side_in_photo(quad: PageQuad) -> float:
    """The page's longer extent in the photo: the longer of its mean width and mean height (pixels)."""
    tl, tr, br, bl = quad.corners.astype(np.float64)
    across = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2.0
    down = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2.0
    return max(across, down)


def _sharpness(gray: Picture) -> tuple[float, float]:
    """(steepest edge slope / edge contrast, share of pixels on ink edges).

    Slope over contrast does not depend on exposure or on how much print the page has, only on how
    soft the edges are: a step blurred by a Gaussian of σ px has a peak slope of contrast / (σ·√(2π)).
    """
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (11, 11))
    contrast = cv2.subtract(cv2.dilate(gray, kernel), cv2.erode(gray, kernel))
    span = _percentile_u8(gray, 99) - _percentile_u8(gray, 1)
    on_edge = contrast >= max(12.0, 0.35 * span)
    count = int(np.count_nonzero(on_edge))
    if count == 0:
        return math.nan, 0.0
    slope_x = np.asarray(cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3), dtype=np.float32)
    slope_y = np.asarray(cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3), dtype=np.float32)
    slope = np.asarray(cv2.magnitude(slope_x, slope_y), dtype=np.float32)[on_edge]
    ratio = slope / (8.0 * contrast[on_edge])  # Sobel weighs the two-pixel difference by 4
    rank = int(0.95 * (count - 1))
    return float(np.partition(ratio, rank)[rank]), count / float(gray.size)


def _glare_share(page: Picture, thresholds: QualityThresholds) -> float:
    """Share of the page covered by blobs of blown-out pixels (every channel at the sensor's top)."""
    darkest = page if page.ndim == 2 else cv2.min(cv2.min(page[:, :, 0], page[:, :, 1]), page[:, :, 2])
    _, blown = cv2.threshold(darkest, thresholds.glare_level - 1, 1, cv2.THRESH_BINARY)
    if not cv2.countNonZero(blown):
        return 0.0
    count, _, stats, _ = cv2.connectedComponentsWithStats(blown, connectivity=8)
    areas = stats[1:count, cv2.CC_STAT_AREA].astype(np.float64)
    page_area = float(darkest.shape[0] * darkest.shape[1])
    return float(areas[areas >= thresholds.glare_min_blob * page_area].sum()) / page_area


# -------------------------------------------------------------------------------------- process_photo


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
    image = (
        decode_photo(bytes(photo)) if isinstance(photo, bytes | bytearray | memoryview) else as_picture(photo)
    )
    quad = find_page(image, detection)
    if quad is None:
        return ProcessedPage(None, None, _judge_no_page(image, thresholds))
    size, paper = page_size(quad, long_side, snap_tolerance)
    raw = _warp(image, quad, size)
    quality = judge_page(raw, quad, thresholds)
    return ProcessedPage(even_light(raw, light), quad, quality, paper)


# ---------------------------------------------------------------------------------------------- PDF


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
