"""Judging a photo: no page, cut, too small, too dark, blurred, glare."""

from __future__ import annotations

import math

import cv2
import numpy as np

from devices.scanners.document.detect import find_page
from devices.scanners.document.geometry import page_size, warp
from devices.scanners.document.imaging import as_picture, percentile_u8, shrink, to_gray
from devices.scanners.document.model import (
    DEFAULT_LONG_SIDE,
    DetectionParams,
    PageQuad,
    Picture,
    Quality,
    QualityThresholds,
    Reason,
    ReasonCode,
)


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
        return judge_no_page(image, thresholds)
    size, _ = page_size(quad, DEFAULT_LONG_SIDE)
    return judge_page(warp(image, quad, size), quad, thresholds)


def judge_no_page(image: Picture, thresholds: QualityThresholds) -> Quality:
    small, _ = shrink(image, thresholds.work_long_side)
    white = float(np.percentile(to_gray(small), 90))
    reasons = [Reason.of(ReasonCode.NO_PAGE)]
    if white < thresholds.dark_white_level:
        reasons.append(Reason.of(ReasonCode.TOO_DARK, white, thresholds.dark_white_level))
    return Quality(tuple(reasons), {"white_level": white})


def judge_page(page: Picture, quad: PageQuad, thresholds: QualityThresholds = QualityThresholds()) -> Quality:
    """Judge a straightened (not yet evened) page; `quad` tells whether the frame cut it."""
    work, _ = shrink(as_picture(page), thresholds.work_long_side)
    height, width = work.shape[:2]
    inset_y, inset_x = round(0.04 * height), round(0.04 * width)
    inner = work[inset_y : height - inset_y, inset_x : width - inset_x]  # keep off the page's own border
    gray = np.ascontiguousarray(to_gray(inner))
    white = percentile_u8(gray, 90)
    sharpness, edge_share = _sharpness(gray)
    paper = percentile_u8(gray, 30)  # print covers well under 30 % of a page: this is bare paper
    # Glare is a spot brighter than the paper around it. When the paper itself is at the sensor's top the
    # camera simply exposed for a dark desk: the print is still readable, so that is not glare.
    glare = _glare_share(inner, thresholds) if paper < thresholds.glare_level - 3 else 0.0
    page_pixels = _long_side_in_photo(quad)
    measures = {
        "page_pixels": page_pixels,
        "white_level": white,
        "paper_level": paper,
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
    """(steepest edge slope / edge contrast in the softest direction, share of pixels on ink edges).

    Slope over contrast does not depend on exposure or on how much print the page has, only on how
    soft the edges are: a step blurred by a Gaussian of σ px has a peak slope of contrast / (σ·√(2π)).
    It is measured along four directions and the lowest counts: a sheet that moved during the shot is
    smeared along one direction only, and edges running that way stay sharp.
    """
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (11, 11))
    contrast = cv2.subtract(cv2.dilate(gray, kernel), cv2.erode(gray, kernel))
    span = percentile_u8(gray, 99) - percentile_u8(gray, 1)
    on_edge = contrast >= max(12.0, 0.35 * span)
    count = int(np.count_nonzero(on_edge))
    if count == 0:
        return math.nan, 0.0
    # Sobel weighs the two-pixel difference by 4, hence the 8.
    scale = 8.0 * contrast[on_edge].astype(np.float32)
    slope_x = np.asarray(cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3), dtype=np.float32)[on_edge] / scale
    slope_y = np.asarray(cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3), dtype=np.float32)[on_edge] / scale
    rank = int(0.95 * (count - 1))
    steepest = []
    for along_x, along_y in ((1.0, 0.0), (0.0, 1.0), (_HALF_ROOT2, _HALF_ROOT2), (_HALF_ROOT2, -_HALF_ROOT2)):
        slope = np.abs(along_x * slope_x + along_y * slope_y)
        steepest.append(float(np.partition(slope, rank)[rank]))
    return min(steepest), count / float(gray.size)


_HALF_ROOT2 = math.sqrt(0.5)


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
