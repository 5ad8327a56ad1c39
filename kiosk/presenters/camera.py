"""When the camera reads: only while a screen that uses it is up, resting a while after.

Decoding costs a core, and a card left in view on another screen must not be read. Starting the
camera again forgets every frame and code from before (another citizen's card).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

# Screens that read codes or pages from the camera.
CAMERA_SCREENS = frozenset({"identify", "queues", "priority", "lookup", "rate", "scan"})
CAMERA_REST_AFTER_S = 2.0  # off those screens this long before the camera stops (no churn between screens)
# No decoding while a new screen is drawn: without a GPU drawing takes both cores of a small kiosk, and a
# decoder beside it makes a screen change twice as slow (benchmarks/bench_kiosk.py).
HOLD_WHILE_DRAWING_S = 0.3


class CameraDuty:
    def __init__(
        self,
        parts: Any,
        screen: Callable[[], str],
        run: Callable[[Any], None],
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.parts, self.screen, self.run, self.now = parts, screen, run, now
        self.on_scan: Callable[[Any], None] | None = None
        self._lock = asyncio.Lock()
        self._off_since: float | None = None

    def screen_changed(self) -> None:
        camera = self.parts.camera
        hold = getattr(camera, "hold", None)
        if hold is not None and camera.running:
            hold(HOLD_WHILE_DRAWING_S)
        self.check()

    def check(self) -> None:
        """Start or stop the camera for the screen that is up (also restarts a camera that died)."""
        camera = self.parts.camera
        if camera is None or self.on_scan is None:
            return
        if self.screen() in CAMERA_SCREENS:
            self._off_since = None
            if not camera.running:
                self.run(self._switch(True))
        elif camera.running:
            self._off_since = self._off_since or self.now()
            if self.now() - self._off_since >= CAMERA_REST_AFTER_S:
                self.run(self._switch(False))

    async def _switch(self, on: bool) -> None:
        camera = self.parts.camera
        async with self._lock:
            if on and not camera.running and self.on_scan is not None:
                self.parts.start_camera(self.on_scan)
            elif not on and camera.running and self.screen() not in CAMERA_SCREENS:
                await asyncio.to_thread(camera.stop)
