"""Turn a drawn ticket into ESC/POS bytes with python-escpos's Dummy printer.

One code path makes the bytes for every transport, so the golden-byte test covers what a real printer
receives: ESC @, the image as GS v 0 raster bands (python-escpos splits it every 960 dots), ESC d 6, GS V 0.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from PIL import Image

from devices.printers.port import check_paper

RASTER_IMPL = "bitImageRaster"  # GS v 0; the preview parses exactly this


@lru_cache(maxsize=4)
def _profile_data(paper: str) -> dict[str, Any]:
    from escpos.capabilities import get_profile

    data: dict[str, Any] = copy.deepcopy(get_profile().profile_data)
    data["media"]["width"] = {"mm": int(paper.removesuffix("mm")), "pixels": check_paper(paper)}
    return data


def fit_to_paper(printer: Any, paper: str) -> None:
    """Give a python-escpos printer its default (Epson-compatible) profile with the paper's dot width
    filled in, so that image() checks the width instead of printing a warning on stdout."""
    printer.profile.profile_data = _profile_data(paper)


def document_bytes(image: Image.Image, paper: str) -> bytes:
    """ESC @, the image, feed and full cut."""
    from escpos.printer import Dummy

    if image.width > check_paper(paper):
        raise ValueError(f"image is {image.width} dots wide, {paper} paper has {check_paper(paper)}")
    dummy = Dummy()
    fit_to_paper(dummy, paper)
    dummy.hw("INIT")
    dummy.image(image, impl=RASTER_IMPL)
    dummy.cut()
    output: bytes = dummy.output
    return output
