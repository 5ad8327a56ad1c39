"""The page's true aspect ratio and the one perspective warp that straightens it."""

from __future__ import annotations

import math

import cv2
import numpy as np

from devices.scanners.document.imaging import as_picture
from devices.scanners.document.model import (
    DEFAULT_LONG_SIDE,
    FOCAL_PRIOR,
    PAPER_RATIOS,
    TRIM,
    PageQuad,
    Picture,
    Points,
)


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
    if not 64 <= long_side <= 10_000:
        raise ValueError(f"long_side must be 64..10000 pixels, not {long_side}")
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
    size, _ = page_size(quad, long_side, snap_tolerance)
    return warp(image, quad, size)


def warp(image: Picture, quad: PageQuad, size: tuple[int, int]) -> Picture:
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
