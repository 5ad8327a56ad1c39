"""Scanning papers with the kiosk camera: page outline, automatic capture when found and sharp, reasons.

The camera thread keeps only its newest frame; this presenter looks at that frame a few times a second,
off the UI thread (asyncio.to_thread), and never holds more than the pages the citizen kept.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import numpy as np
from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from numpy.typing import NDArray

from kiosk.api import ApiError, KioskApi
from kiosk.presenters.base import Presenter
from kiosk.presenters.identify import IdentifyPresenter
from kiosk.text import T, Text

log = logging.getLogger(__name__)
Frame = NDArray[np.uint8]
PAGE_LONG_SIDE = 1600  # kept pages: enough to read, a quarter of a 12 MP photo's memory
STEADY_FINDS = 2  # the page must be found in this many looks in a row before it is taken
SAME_PAGE_BITS = 10  # pages whose 64-bit difference hashes differ in at most this many bits are one page


def page_hash(page: Frame) -> int:
    """A perceptual (difference) hash: the same page photographed twice gives (nearly) the same bits,
    whatever the light, the exact framing or the JPEG noise."""
    import cv2

    grey = page if page.ndim == 2 else cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return int(sum(1 << index for index, bit in enumerate(bits) if bit))


def same_page(a: int, b: int) -> bool:
    return (a ^ b).bit_count() <= SAME_PAGE_BITS


def _jpeg(page: Frame) -> bytes:
    import cv2

    ok, data = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return bytes(data.tobytes())


class ScanPresenter(Presenter):
    papers = ListProperty([])  # {"type", "name": Text}
    index = NumericProperty(0)
    outline = ListProperty([])  # 8 floats: TL, TR, BR, BL as shares of the frame (x right, y down)
    reason = ObjectProperty(None, allownone=True)  # Text: why the last look was not taken
    armed = BooleanProperty(True)  # taking is armed until a page is taken; removing the sheet re-arms
    page_counts = DictProperty({})  # paper type -> pages kept
    uploaded = DictProperty({})  # paper type -> document id
    last_taken = StringProperty("")  # paper type of the last page taken (the view refreshes thumbnails)
    taken_count = NumericProperty(0)

    def __init__(
        self, api: KioskApi, identify: IdentifyPresenter, frames: Callable[[], Frame | None]
    ) -> None:
        super().__init__()
        self.api, self.identify, self.frames = api, identify, frames
        self.pages: dict[str, list[Frame]] = {}
        self.hashes: dict[str, list[int]] = {}  # paper type -> perceptual hash of each kept page
        self.looked_at: Frame | None = None  # the frame the outline belongs to (the preview shows it)
        self._steady = 0
        self.looking = False

    def start(self, papers: list[dict[str, Any]]) -> None:
        self.papers = [
            {
                "type": p["type"],
                "name": Text(p["name_vi"], p.get("name_en") or p["name_vi"]),
                "optional": not p.get("needed", True),
            }
            for p in papers
        ]
        self.index, self.armed, self.reason, self.outline = 0, True, None, []

    @property
    def current(self) -> dict[str, Any] | None:
        return self.papers[int(self.index)] if 0 <= self.index < len(self.papers) else None

    async def look(self, force: bool = False) -> bool:
        """Look at the newest frame once; True when a page was taken."""
        frame, paper = self.frames(), self.current
        if frame is None or paper is None or self.looking:
            return False
        self.looking = True
        try:
            return await self._look(frame, paper["type"], force)
        finally:
            self.looking = False

    async def _look(self, frame: Frame, paper_type: str, force: bool) -> bool:
        from devices.scanners.document_photo import find_page, process_photo

        quad = await asyncio.to_thread(find_page, frame)
        self.looked_at = frame
        if quad is None:
            self.outline, self._steady = [], 0
            self.armed = True  # the sheet is gone: the next one may be taken
            self.reason = None
            if force:
                self.reason = T["scan.no_page"]
            return False
        width, height = quad.frame_size
        self.outline = [float(v) for x, y in quad.corners for v in (x / width, y / height)]
        self._steady += 1
        if not (force or (self.armed and self._steady >= STEADY_FINDS)):
            return False
        processed = await asyncio.to_thread(process_photo, frame, long_side=PAGE_LONG_SIDE)
        if not processed.quality.ok or processed.page is None:
            first = processed.quality.reasons[0]
            self.reason = Text(first.message_vi, first.message_en)
            self._steady = 0
            return False
        fingerprint = await asyncio.to_thread(page_hash, processed.page)
        if any(same_page(fingerprint, kept) for kept in self.hashes.get(paper_type, [])):
            self.reason, self.armed, self._steady = T["scan.same_page"], False, 0
            return False
        if self.busy:  # the papers are being sent: the citizen has moved on, and this look is late
            return False
        if self.current is None or self.current["type"] != paper_type:
            return False  # the citizen went to another paper while this look ran: it belongs to none
        self.hashes.setdefault(paper_type, []).append(fingerprint)
        self.pages.setdefault(paper_type, []).append(processed.page)
        self.page_counts = {**self.page_counts, paper_type: len(self.pages[paper_type])}
        self.reason, self.armed, self.last_taken = None, False, paper_type
        self.taken_count += 1
        return True

    def retake(self) -> None:
        """Drop the last page of the current paper and take again."""
        paper = self.current
        if paper and self.pages.get(paper["type"]):
            self.pages[paper["type"]].pop()
            self.hashes[paper["type"]].pop()
            self.page_counts = {**self.page_counts, paper["type"]: len(self.pages[paper["type"]])}
        self.armed, self.reason, self._steady = True, None, 0

    def next_page(self) -> None:
        self.armed, self._steady = True, 0

    def next_paper(self) -> bool:
        if self.index + 1 >= len(self.papers):
            return False
        self.index += 1
        # Not armed: the last paper's sheet is usually still under the camera. The next page is taken once
        # the desk has been seen clear (a look without a page arms it), never the old sheet a second time.
        self.armed, self.reason, self.outline, self._steady = False, None, [], 0
        return True

    def show_paper(self, paper_type: str) -> None:
        """Go to this paper (from the review's "Sửa")."""
        types = [p["type"] for p in self.papers]
        if paper_type in types:
            self.index = types.index(paper_type)
            self.uploaded = {k: v for k, v in self.uploaded.items() if k != paper_type}
        self.armed, self.reason, self.outline, self._steady = True, None, [], 0

    def pages_of(self, paper_type: str) -> list[Frame]:
        return list(self.pages.get(paper_type, []))

    async def upload(self) -> dict[str, int] | None:
        """Send every paper that has pages (each once); paper type -> document id."""
        self.busy, self.error = True, None
        try:
            # What is kept now: a look that was already under way may still end while this awaits.
            for paper_type, pages in [(kind, list(kept)) for kind, kept in self.pages.items()]:
                if not pages or paper_type in self.uploaded:
                    continue
                files = [
                    (f"{paper_type}-{n}.jpg", await asyncio.to_thread(_jpeg, page), "image/jpeg")
                    for n, page in enumerate(pages, start=1)
                ]
                document = await self.api.upload_document(self.identify.id_number, paper_type, files)
                self.uploaded = {**self.uploaded, paper_type: int(document["id"])}
        except ApiError as error:
            self.error = Text(error.message_vi, error.message_en)
            return None
        finally:
            self.busy = False
        return dict(self.uploaded)

    def reset(self) -> None:
        super().reset()
        self.pages, self.hashes = {}, {}  # drop every image of the last citizen
        self.looked_at = None
        self._steady = 0
