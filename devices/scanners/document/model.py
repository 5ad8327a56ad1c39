"""Types, limits and messages of the document photo pipeline."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

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
    - `min_sharpness`: steepest edge slope over its contrast (1/px) in the softest of four directions,
      about 1/(2.5·σ) for an edge blurred by a Gaussian of σ px. Sharp print measures ~0.3; on the
      synthetic test page tesseract reads 93 % of the text at 0.23 (σ = 1 px, 0.3 mm on A4) and 65 % at
      0.18 (σ = 1.5 px), and a smear of 4 px in one direction gives 0.16.
    - `min_edge_share`: the share of page pixels on ink edges below which sharpness is not judged (a blank
      page has nothing to be sharp about).
    - `glare_level`: a pixel whose every channel is at least this is blown out.
    - `glare_min_blob`: a blown-out blob counts as glare from this share of the page area.
    - `max_glare_share`: the photo has glare when blown-out blobs cover more than this share of the page.
      A page whose bare paper is itself blown out (within 3 of `glare_level`) is overexposed as a whole,
      which leaves the print readable, and is not judged for glare.
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
