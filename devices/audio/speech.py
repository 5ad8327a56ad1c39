"""Sentences to speech, offline, with the board's voice: espeak-ng's Vietnamese at the board's speed.

A kiosk says few different sentences (one per screen, plus a few numbers), so each is made once and kept.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections import OrderedDict

ENGLISH_VOICE = "en"
CACHE_SIZE = 96


class SpeechError(RuntimeError):
    """espeak-ng is missing or failed; the message says what to do."""


class SpeechSynth:
    def __init__(self, voice: str = "vi", speed_wpm: int = 130, espeak: str | None = None) -> None:
        self.voice, self.speed_wpm = voice, speed_wpm
        self.espeak = espeak or shutil.which("espeak-ng") or ""
        self._cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return bool(self.espeak)

    def wav(self, text: str, language: str = "vi") -> bytes:
        """The sentence as a WAV (22 050 Hz mono 16-bit); Vietnamese in the board's voice, English in espeak's."""
        key = (language, text)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        if not self.espeak:
            raise SpeechError("espeak-ng is not installed (apt-get install espeak-ng)")
        voice = self.voice if language == "vi" else ENGLISH_VOICE
        done = subprocess.run(
            [self.espeak, "-v", voice, "-s", str(self.speed_wpm), "--stdout"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=30,
            check=False,
        )
        if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
            problem = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            raise SpeechError(f"espeak-ng -v {voice} failed: {problem}")
        with self._lock:
            self._cache[key] = done.stdout
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return done.stdout
