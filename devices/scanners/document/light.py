"""Evening the light: divide the page by its own paper brightness."""

from __future__ import annotations

import cv2
import numpy as np

from devices.scanners.document.imaging import as_picture, percentile_u8, shrink, to_gray
from devices.scanners.document.model import LightMode, Picture


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
        page = to_gray(page)
    elif mode != "color":
        raise ValueError(f"light mode must be 'color', 'gray' or 'none', not {mode!r}")
    small, _ = shrink(page, 240)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    background = np.asarray(cv2.GaussianBlur(cv2.medianBlur(closed, 5), (0, 0), 2.0), dtype=np.uint8)
    channels = (
        [background] if background.ndim == 2 else [np.asarray(c, np.uint8) for c in cv2.split(background)]
    )
    for channel in channels:  # the floor is applied on the small copy, where it costs nothing
        floor = max(1, round(min_background * percentile_u8(channel, 90)))
        np.maximum(channel, floor, out=channel)
    background = channels[0] if len(channels) == 1 else np.asarray(cv2.merge(channels), dtype=np.uint8)
    full = cv2.resize(background, (page.shape[1], page.shape[0]), interpolation=cv2.INTER_LINEAR)
    # uint8 in, uint8 out, saturating: no float copy of a 2000 px colour page.
    return np.asarray(cv2.divide(page, full, scale=255.0 / white_clip), dtype=np.uint8)
