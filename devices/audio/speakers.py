"""Speakers by URL: alsa://DEVICE (aplay), file:///DIR (a WAV and its text per sentence), dummy:// (memory)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

from devices.audio.port import Speaker, SpokenClip
from devices.status import READY, DeviceState, DeviceStatus

SPEAKER_EXAMPLES = {
    "alsa": "alsa://default",
    "file": "file:///var/kiosk/spoken",
    "dummy": "dummy://",
}


class SpeakerUrlError(ValueError):
    pass


class MemorySpeaker:
    """dummy://: remembers what it was asked to say (the last 100 sentences)."""

    def __init__(self) -> None:
        self.said: list[SpokenClip] = []

    def say(self, clip: SpokenClip) -> None:
        self.said = [*self.said[-99:], clip]

    def stop(self) -> None:
        pass

    def status(self) -> DeviceStatus:
        return READY

    def close(self) -> None:
        pass


class FolderSpeaker:
    """file:///DIR: each sentence as DIR/NNNN.wav, and DIR/NNNN.txt with its language and words."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._count = len(list(self.folder.glob("*.wav")))

    def say(self, clip: SpokenClip) -> None:
        with self._lock:
            self._count += 1
            stem = self.folder / f"{self._count:04d}"
        # The text first, the WAV last and atomically: a reader that sees the WAV finds its words.
        stem.with_suffix(".txt").write_text(f"{clip.language}\n{clip.text}\n", encoding="utf-8")
        partial = stem.with_suffix(".wav.part")
        partial.write_bytes(clip.wav)
        os.replace(partial, stem.with_suffix(".wav"))

    def stop(self) -> None:
        pass

    def status(self) -> DeviceStatus:
        if os.access(self.folder, os.W_OK):
            return READY
        return DeviceStatus(
            DeviceState.OFFLINE,
            "not_writable",
            f"Không ghi được vào thư mục {self.folder}",
            f"Cannot write to {self.folder}",
        )

    def close(self) -> None:
        pass


class AlsaSpeaker:
    """alsa://DEVICE: `aplay -D DEVICE`, one sentence at a time; a new one cuts the old one off."""

    def __init__(self, device: str, aplay: str) -> None:
        self.device, self.aplay = device, aplay
        self._playing: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def say(self, clip: SpokenClip) -> None:
        with self._lock:
            self._stop_locked()
            process = subprocess.Popen(
                [self.aplay, "-q", "-D", self.device, "-"],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self._playing = process
        try:
            assert process.stdin is not None
            process.stdin.write(clip.wav)
            process.stdin.close()
        except BrokenPipeError:  # stopped meanwhile (the next screen's words)
            pass

    def _stop_locked(self) -> None:
        if self._playing is not None and self._playing.poll() is None:
            self._playing.terminate()
            try:
                self._playing.wait(2)
            except subprocess.TimeoutExpired:
                self._playing.kill()
        self._playing = None

    def stop(self) -> None:
        with self._lock:
            self._stop_locked()

    def status(self) -> DeviceStatus:
        return READY

    def close(self) -> None:
        self.stop()


def open_speaker(url: str) -> Speaker:
    scheme, separator, rest = url.partition("://")
    scheme = scheme.lower()
    examples = ", ".join(SPEAKER_EXAMPLES.values())
    if not separator or scheme not in SPEAKER_EXAMPLES:
        raise SpeakerUrlError(f"unknown speaker URL {url!r}; use one of {examples}")
    if scheme == "dummy":
        return MemorySpeaker()
    if scheme == "file":
        if not rest:
            raise SpeakerUrlError(f"{url!r} names no folder, e.g. {SPEAKER_EXAMPLES['file']}")
        return FolderSpeaker(Path(rest))
    aplay = shutil.which("aplay")
    if aplay is None:
        raise SpeakerUrlError("alsa:// needs aplay (apt-get install alsa-utils)")
    return AlsaSpeaker(rest or "default", aplay)
