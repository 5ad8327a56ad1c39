"""Finding the page in a photo: outline candidates on a small copy, corner refinement on the full one."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from devices.scanners.document.imaging import as_picture, shrink, to_gray
from devices.scanners.document.model import FRAME_SIDES, DetectionParams, PageQuad, Picture, Points


def find_page(image: Picture, params: DetectionParams = DetectionParams()) -> PageQuad | None:
    """The page in a photo, corners TL, TR, BR, BL in full-resolution pixels; None when there is none."""
    image = as_picture(image)
    small, factor = shrink(image, params.work_long_side)
    # The median flattens desk grain and print but keeps the page's edge.
    gray = np.asarray(cv2.medianBlur(to_gray(small), 5), dtype=np.uint8)
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
    return PageQuad(order_corners(corners), (width, height), best.cut_sides)


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
    return order_corners(points[list(best)])


def order_corners(points: Points) -> Points:
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
