"""alsa:// plays through the real aplay: ALSA's `file` plugin (no sound card needed) writes what aplay played,
so the test hears exactly the samples the kiosk sent."""

from __future__ import annotations

import io
import math
import struct
import time
import wave
from pathlib import Path

import pytest

from devices.audio.port import SpokenClip
from devices.audio.speakers import AlsaSpeaker, SpeakerUrlError, open_speaker

RATE = 22050


def tone(seconds: float, hz: float) -> tuple[bytes, bytes]:
    """A WAV of a sine tone, and its PCM samples."""
    samples = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * n / RATE)))
        for n in range(int(RATE * seconds))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(samples)
    return buffer.getvalue(), samples


def wait_for_size(path: Path, size: int) -> bytes:
    deadline = time.monotonic() + 30  # a bound for a broken aplay, not a measure of speed
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size >= size:
            return path.read_bytes()
        time.sleep(0.02)
    raise AssertionError(f"aplay wrote {path.stat().st_size if path.exists() else 0} of {size} bytes")


def test_alsa_speaker_plays_the_clip_through_aplay(tmp_path: Path) -> None:
    played = tmp_path / "played.raw"
    speaker = open_speaker(f"alsa://file:FILE={played},FORMAT=raw")
    assert isinstance(speaker, AlsaSpeaker)
    wav, samples = tone(0.5, 440)
    try:
        speaker.say(SpokenClip("Mời Ông/Bà đặt thẻ căn cước", "vi", wav))
        heard = wait_for_size(played, len(samples))
    finally:
        speaker.close()
    assert heard[: len(samples)] == samples


def test_unknown_speaker_urls_say_what_is_accepted() -> None:
    with pytest.raises(SpeakerUrlError, match="alsa://default"):
        open_speaker("loa://phong-cho")
    with pytest.raises(SpeakerUrlError, match="names no folder"):
        open_speaker("file://")
