"""The kiosk's screen: its size and orientation, read from the X screen, overridable in kiosk.toml.

A kiosk started by xinit has no window manager: SDL's "fullscreen" then leaves a window of the
default size in the middle of the screen. So full screen here is a borderless window placed at
(0, 0) with the screen's own size, which works with and without a window manager.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from kiosk.config import KioskConfig

WINDOWED = (1280, 800)
DIMENSIONS = re.compile(r"dimensions:\s+(\d+)x(\d+) pixels")


@dataclass(frozen=True)
class Display:
    width: int
    height: int
    fullscreen: bool
    orientation: str = "auto"  # the layout: "portrait", "landscape", or "auto" (from the size)

    @property
    def portrait(self) -> bool:
        if self.orientation in ("portrait", "landscape"):
            return self.orientation == "portrait"
        return self.height > self.width


def x_screen_size(display: str | None = None) -> tuple[int, int] | None:
    """The X screen's size in pixels (xdpyinfo), or None when it cannot be read."""
    tool = shutil.which("xdpyinfo")
    display = display or os.environ.get("DISPLAY")
    if tool is None or not display:
        return None
    try:
        answer = subprocess.run(
            [tool, "-display", display], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = DIMENSIONS.search(answer.stdout)
    return (int(found.group(1)), int(found.group(2))) if found else None


def choose_display(config: KioskConfig, fullscreen: bool, screen: tuple[int, int] | None = None) -> Display:
    """The window's size: the config's width/height if set, else the screen's (full) or 1280×800.

    The layout follows the window's shape unless `orientation` in the config names one.
    """
    if config.display_width and config.display_height:
        width, height = config.display_width, config.display_height
    elif fullscreen:
        width, height = screen or x_screen_size() or WINDOWED
    else:
        width, height = WINDOWED
    return Display(width, height, fullscreen, config.orientation)


def apply_display(display: Display) -> None:
    """Set Kivy's window before it opens (call before anything imports kivy.core.window)."""
    from kivy.config import Config

    Config.set("graphics", "width", str(display.width))
    Config.set("graphics", "height", str(display.height))
    Config.set("graphics", "fullscreen", "0")
    Config.set("graphics", "resizable", "0" if display.fullscreen else "1")
    Config.set("graphics", "borderless", "1" if display.fullscreen else "0")
    if display.fullscreen:
        Config.set("graphics", "position", "custom")
        Config.set("graphics", "left", "0")
        Config.set("graphics", "top", "0")
