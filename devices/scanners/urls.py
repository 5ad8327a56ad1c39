"""Parsing of scanner URLs: scheme, device part and options, with errors that say what to write."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from devices.scanners.ports import ScannerUrlError

EXAMPLES = (
    "serial:///dev/ttyACM0?baudrate=9600",
    "loop://",
    "hid:///dev/input/event3",
    "camera://0",
    "camera+file:///path/frames/",
    "fake://",
)
# pyserial's own URL handlers (serial_for_url), usable as scanner URLs as they are.
PYSERIAL_SCHEMES = ("loop", "socket", "rfc2217", "spy", "alt", "hwgrep", "cp2110")
SCHEMES = ("serial", "hid", "camera", "camera+file", "fake", *PYSERIAL_SCHEMES)


def scheme_of(url: str) -> str:
    scheme, separator, _ = url.partition("://")
    if not separator:
        raise ScannerUrlError(f"scanner URL {url!r} has no scheme; examples: {', '.join(EXAMPLES)}")
    scheme = scheme.lower()
    if scheme not in SCHEMES:
        raise ScannerUrlError(
            f"unknown scanner URL scheme {scheme!r} in {url!r}; use one of {', '.join(SCHEMES)} "
            f"(examples: {', '.join(EXAMPLES)})"
        )
    return scheme


@dataclass
class ScannerUrl:
    url: str
    scheme: str
    device: str  # "/dev/ttyACM0", "0", "/path/video.mp4", "" for loop:// and fake://
    options: dict[str, str]

    @classmethod
    def parse(cls, url: str) -> ScannerUrl:
        scheme = scheme_of(url)
        parts = urlsplit(url)
        device = unquote(parts.netloc + parts.path)
        options: dict[str, str] = {}
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key in options:
                raise ScannerUrlError(f"option {key!r} given twice in {url!r}")
            options[key] = value
        return cls(url, scheme, device, options)

    def require_device(self, example: str) -> str:
        if not self.device:
            raise ScannerUrlError(f"{self.url!r} names no device; e.g. {example}")
        return self.device

    def take_float(self, name: str, default: float, minimum: float = 0.0, maximum: float = 3600.0) -> float:
        raw = self.options.pop(name, None)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ScannerUrlError(f"option {name}={raw!r} in {self.url!r} must be a number") from None
        if not minimum <= value <= maximum:
            raise ScannerUrlError(
                f"option {name}={raw!r} in {self.url!r} must be from {minimum} to {maximum}"
            )
        return value

    def take_int(self, name: str, default: int, minimum: int = 0, maximum: int = 10_000_000) -> int:
        raw = self.options.pop(name, None)
        if raw is None:
            return default
        if not raw.isdigit() or not minimum <= int(raw) <= maximum:
            raise ScannerUrlError(
                f"option {name}={raw!r} in {self.url!r} must be a whole number from {minimum} to {maximum}"
            )
        return int(raw)

    def take_bool(self, name: str, default: bool) -> bool:
        raw = self.options.pop(name, None)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise ScannerUrlError(f"option {name}={raw!r} in {self.url!r} must be 1/0 (true/false)")

    def take_str(self, name: str, default: str) -> str:
        return self.options.pop(name, default)

    def reject_rest(self, allowed: str) -> None:
        """After every known option was taken: any left over is a mistake worth reporting."""
        if self.options:
            unknown = ", ".join(sorted(self.options))
            raise ScannerUrlError(f"unknown option(s) {unknown} in {self.url!r}; allowed: {allowed}")
