"""What the kiosk needs of a speaker: say a sentence (cutting off the one playing), stop, report how it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from devices.status import DeviceStatus


@dataclass(frozen=True)
class SpokenClip:
    text: str  # the sentence, as the citizen reads it on screen
    language: str  # "vi" or "en"
    wav: bytes  # 16-bit PCM WAV


class Speaker(Protocol):
    def say(self, clip: SpokenClip) -> None:
        """Play the clip now, instead of whatever was playing (a new screen's words replace the old)."""

    def stop(self) -> None: ...

    def status(self) -> DeviceStatus: ...

    def close(self) -> None: ...
