"""Bar charts as PNG (Pillow and a Unicode font, so Vietnamese labels render) for the PDF report."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT_CANDIDATES = (
    ROOT / "devices" / "printers" / "fonts",  # bundled with the project
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian's fonts-dejavu-core
)
BAR = (37, 99, 235)
OVER = (220, 38, 38)
INK = (31, 41, 55)
GRID = (229, 231, 235)


def font_path(bold: bool = False) -> Path:
    """A DejaVu Sans file (it has every Vietnamese letter); a clear error when none is installed."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_CANDIDATES:
        if (folder / name).is_file():
            return folder / name
    searched = ", ".join(str(f) for f in FONT_CANDIDATES)
    raise FileNotFoundError(f"{name} not found (looked in {searched}); install fonts-dejavu-core")


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(bold)), size)


def bar_chart_png(
    title: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    unit: str,
    target: float | None = None,
    target_label: str = "",
    size: tuple[int, int] = (1200, 560),
) -> bytes:
    """Vertical bars with their values on top, a dashed target line, bars over the target in red."""
    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.text((30, 18), title, font=_font(30, bold=True), fill=INK)
    left, right, top, bottom = 90, width - 30, 80, height - 70
    known = [v for v in values if v is not None]
    top_value = max([*known, target or 0.0, 1e-9])
    scale_max = _nice_ceiling(top_value * 1.1)
    for step in range(5):
        y = bottom - (bottom - top) * step / 4
        draw.line([(left, y), (right, y)], fill=GRID, width=2)
        draw.text((left - 12, y), _format(scale_max * step / 4), font=_font(18), fill=INK, anchor="rm")
    draw.text((left - 12, top - 14), unit, font=_font(18), fill=INK, anchor="rs")
    count = max(len(labels), 1)
    slot = (right - left) / count
    bar_width = max(min(slot * 0.65, 90), 4)
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * (index + 0.5)
        if value is not None:
            y = bottom - (bottom - top) * value / scale_max
            colour = OVER if target is not None and value > target else BAR
            draw.rectangle([(x - bar_width / 2, y), (x + bar_width / 2, bottom)], fill=colour)
            draw.text((x, y - 6), _format(value), font=_font(17), fill=INK, anchor="ms")
        draw.text((x, bottom + 12), label, font=_font(18), fill=INK, anchor="mt")
    if target is not None:
        y = bottom - (bottom - top) * target / scale_max
        for x in range(left, right, 24):
            draw.line([(x, y), (min(x + 12, right), y)], fill=OVER, width=3)
        draw.text(
            (right, y - 8), target_label or f"{_format(target)}", font=_font(18), fill=OVER, anchor="rs"
        )
    draw.line([(left, bottom), (right, bottom)], fill=INK, width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _nice_ceiling(value: float) -> float:
    exponent = math.floor(math.log10(value))
    base = 10.0**exponent
    for factor in (1, 2, 2.5, 5, 10):
        if value <= factor * base:
            return factor * base
    return 10 * base


def _format(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
