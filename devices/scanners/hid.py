"""`HidCodeScanner`: a keyboard-wedge scanner read from a Linux input device (/dev/input/eventN).

The device file yields `struct input_event` records; key presses are mapped to characters with a US
layout (Shift and Caps Lock honoured) and Enter ends a code. The device is grabbed (EVIOCGRAB) so the
scanned keys do not also type into whatever window has focus.

Keyboard mode cannot carry Vietnamese: a scanner "typing" a CCCD QR has no key for "ữ", so names and
addresses arrive without diacritics or not at all. A line holding a key this layout cannot map (or an
Alt/Ctrl combination) is skipped whole rather than passed on wrong; the status says so. Use the
scanner's serial / USB-CDC mode (serial:// URL) to read ID cards.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import struct

from devices.scanners.base import (
    DEFAULT_DEDUPE_S,
    MAX_CODE_CHARS,
    ThreadedCodeScanner,
    idle_status,
    not_found_status,
)
from devices.scanners.urls import ScannerUrl
from devices.status import DeviceState, DeviceStatus

# struct input_event { struct timeval time; __u16 type; __u16 code; __s32 value; } (native layout)
INPUT_EVENT = struct.Struct("@llHHi")
EV_KEY = 0x01
KEY_RELEASE, KEY_PRESS = 0, 1  # 2 = autorepeat, ignored
EVIOCGRAB = 0x40044590  # _IOW('E', 0x90, int)

KEY_ENTER, KEY_KPENTER = 28, 96
KEY_LEFTSHIFT, KEY_RIGHTSHIFT = 42, 54
SHIFT_KEYS = {KEY_LEFTSHIFT, KEY_RIGHTSHIFT}
CAPSLOCK = 58

# key code: (plain, with Shift), US layout
US_KEYS: dict[int, tuple[str, str]] = {
    2: ("1", "!"), 3: ("2", "@"), 4: ("3", "#"), 5: ("4", "$"), 6: ("5", "%"), 7: ("6", "^"),
    8: ("7", "&"), 9: ("8", "*"), 10: ("9", "("), 11: ("0", ")"), 12: ("-", "_"), 13: ("=", "+"),
    15: ("\t", "\t"),
    16: ("q", "Q"), 17: ("w", "W"), 18: ("e", "E"), 19: ("r", "R"), 20: ("t", "T"), 21: ("y", "Y"),
    22: ("u", "U"), 23: ("i", "I"), 24: ("o", "O"), 25: ("p", "P"), 26: ("[", "{"), 27: ("]", "}"),
    30: ("a", "A"), 31: ("s", "S"), 32: ("d", "D"), 33: ("f", "F"), 34: ("g", "G"), 35: ("h", "H"),
    36: ("j", "J"), 37: ("k", "K"), 38: ("l", "L"), 39: (";", ":"), 40: ("'", '"'), 41: ("`", "~"),
    43: ("\\", "|"),
    44: ("z", "Z"), 45: ("x", "X"), 46: ("c", "C"), 47: ("v", "V"), 48: ("b", "B"), 49: ("n", "N"),
    50: ("m", "M"), 51: (",", "<"), 52: (".", ">"), 53: ("/", "?"),
    57: (" ", " "),
    55: ("*", "*"), 71: ("7", "7"), 72: ("8", "8"), 73: ("9", "9"), 74: ("-", "-"), 75: ("4", "4"),
    76: ("5", "5"), 77: ("6", "6"), 78: ("+", "+"), 79: ("1", "1"), 80: ("2", "2"), 81: ("3", "3"),
    82: ("0", "0"), 83: (".", "."), 98: ("/", "/"),
}  # fmt: skip
CHAR_TO_KEY: dict[str, tuple[int, bool]] = {}
for _code, (_plain, _shifted) in US_KEYS.items():
    if _code < 55 or _code == 57:  # the main block, not the keypad
        CHAR_TO_KEY.setdefault(_plain, (_code, False))
        CHAR_TO_KEY.setdefault(_shifted, (_code, True))

ASCII_ONLY = (
    "keyboard_ascii_only",
    "Máy quét ở chế độ bàn phím: không đọc được chữ có dấu (CCCD). Nên chuyển sang chế độ cổng COM/USB-CDC",
    "Keyboard-wedge mode: ASCII only, no Vietnamese diacritics (ID cards). Prefer serial/USB-CDC mode",
)


def key_events_for(text: str, end: bool = True) -> list[tuple[int, int]]:
    """(key code, value) presses and releases that type `text` on a US keyboard: for tests and demos."""
    events: list[tuple[int, int]] = []
    for char in text:
        if char not in CHAR_TO_KEY:
            raise ValueError(f"character {char!r} cannot be typed on a US keyboard")
        code, shifted = CHAR_TO_KEY[char]
        if shifted:
            events.append((KEY_LEFTSHIFT, KEY_PRESS))
        events += [(code, KEY_PRESS), (code, KEY_RELEASE)]
        if shifted:
            events.append((KEY_LEFTSHIFT, KEY_RELEASE))
    if end:
        events += [(KEY_ENTER, KEY_PRESS), (KEY_ENTER, KEY_RELEASE)]
    return events


def pack_key_events(events: list[tuple[int, int]]) -> bytes:
    """Raw input_event records for (key code, value) pairs, as the kernel writes them."""
    return b"".join(INPUT_EVENT.pack(0, 0, EV_KEY, code, value) for code, value in events)


class KeyboardDecoder:
    """Turns key events into lines; a line with a key it cannot map is reported as spoiled."""

    def __init__(self) -> None:
        self.shift_down: set[int] = set()
        self.caps_lock = False
        self.chars: list[str] = []
        self.spoiled = False

    def feed(self, code: int, value: int) -> tuple[str, bool] | None:
        """(line, spoiled) when Enter ends a line, else None."""
        if code in SHIFT_KEYS:
            if value == KEY_RELEASE:
                self.shift_down.discard(code)
            else:
                self.shift_down.add(code)
            return None
        if value != KEY_PRESS:
            return None
        if code in (KEY_ENTER, KEY_KPENTER):
            line, spoiled = "".join(self.chars), self.spoiled
            self.chars, self.spoiled = [], False
            return line, spoiled
        if code == CAPSLOCK:
            self.caps_lock = not self.caps_lock
        elif code in US_KEYS:
            self.chars.append(self._char(code))
        else:  # Alt/Ctrl combinations, function keys, keys of other layouts: the line cannot be trusted
            self.spoiled = True
        if len(self.chars) > MAX_CODE_CHARS:
            self.chars, self.spoiled = [], True
        return None

    def _char(self, code: int) -> str:
        plain, shifted = US_KEYS[code]
        use_shift = bool(self.shift_down)
        if plain.isalpha() and self.caps_lock:
            use_shift = not use_shift
        return shifted if use_shift else plain


class HidCodeScanner(ThreadedCodeScanner):
    def __init__(self, url: str, path: str, grab: bool = True, dedupe_s: float = DEFAULT_DEDUPE_S) -> None:
        super().__init__(url, dedupe_s)
        self.path = path
        self.grab = grab
        self.lines_skipped = 0

    @classmethod
    def from_url(cls, url: str) -> HidCodeScanner:
        parsed = ScannerUrl.parse(url)
        path = parsed.require_device("hid:///dev/input/event3")
        dedupe = parsed.take_float("dedupe", DEFAULT_DEDUPE_S)
        grab = parsed.take_bool("grab", True)
        parsed.reject_rest("dedupe, grab")
        return cls(url, path, grab, dedupe)

    def _probe(self) -> DeviceStatus:
        return idle_status() if os.path.exists(self.path) else not_found_status(self.path)

    def _run(self) -> None:
        while not self._stopping.is_set():
            fd = self._open()
            if fd is None:
                if not self._wait_backoff():
                    break
                continue
            self.backoff.reset()
            self._set_ready(*ASCII_ONLY)
            try:
                self._read_events(fd)
            except OSError as error:
                self._set_status(
                    DeviceStatus(
                        DeviceState.OFFLINE,
                        "unplugged",
                        "Máy quét bị ngắt kết nối",
                        f"Scanner disconnected: {error.strerror}",
                    )
                )
            finally:
                os.close(fd)
            if not self._wait_backoff():
                break

    def _open(self) -> int | None:
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as error:
            reason, vi, en = {
                errno.ENOENT: (
                    "not_found",
                    "Không thấy máy quét (chưa cắm?)",
                    "Scanner not found (not plugged in?)",
                ),
                errno.EACCES: (
                    "permission_denied",
                    "Không có quyền đọc thiết bị (thêm người dùng vào nhóm input)",
                    "No permission to read the device (add the user to the input group)",
                ),
            }.get(error.errno or 0, ("open_failed", "Không mở được máy quét", "Cannot open the scanner"))
            self._set_status(DeviceStatus(DeviceState.OFFLINE, reason, vi, f"{en}: {error.strerror}"))
            return None
        if self.grab:
            # not an evdev node (a FIFO in tests) or already grabbed: reading still works
            with contextlib.suppress(OSError):
                fcntl.ioctl(fd, EVIOCGRAB, 1)
        return fd

    def _read_events(self, fd: int) -> None:
        decoder = KeyboardDecoder()  # keys of a line cut by an unplug are forgotten with it
        pending = b""
        while not self._stopping.is_set():
            readable, _, _ = select.select([fd], [], [], 0.1)
            if not readable:
                continue
            data = os.read(fd, INPUT_EVENT.size * 64)
            if not data:  # a FIFO whose writer closed: wait for the next one
                self._wait(0.05)
                continue
            pending += data
            usable = len(pending) - len(pending) % INPUT_EVENT.size
            for offset in range(0, usable, INPUT_EVENT.size):
                _, _, event_type, code, value = INPUT_EVENT.unpack_from(pending, offset)
                if event_type == EV_KEY:
                    self._on_key(decoder, code, value)
            pending = pending[usable:]

    def _on_key(self, decoder: KeyboardDecoder, code: int, value: int) -> None:
        result = decoder.feed(code, value)
        if result is None:
            return
        line, spoiled = result
        if spoiled:
            self.lines_skipped += 1
            self._set_status(
                DeviceStatus(
                    DeviceState.DEGRADED,
                    "unmapped_key",
                    "Máy quét gõ phím không đọc được (chữ có dấu?); đã bỏ qua mã. Dùng chế độ COM/USB-CDC",
                    "The scanner typed keys that cannot be mapped (diacritics?); skipped. Use serial mode",
                )
            )
        elif line:
            self._set_ready(*ASCII_ONLY)
            self._emit(line, "unknown")
