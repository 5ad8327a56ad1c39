"""Speakers: the kiosk's spoken guidance, by URL like every other device.

    [speakers.hall]
    url = "alsa://default"          # aplay on an ALSA device; or file:///var/kiosk/spoken, dummy://
    voice = "vi"                     # espeak-ng's voice (the board's: vi, vi-vn-x-south, vi-vn-x-central)
    speed_wpm = 130

`file://DIR` writes each sentence as NNNN.wav with NNNN.txt beside it (what was said), so tests and an
installer can check what the kiosk spoke without a sound card; `dummy://` keeps them in memory.
"""

from devices.audio.port import Speaker, SpokenClip
from devices.audio.speakers import SPEAKER_EXAMPLES, SpeakerUrlError, open_speaker
from devices.audio.speech import SpeechError, SpeechSynth

__all__ = [
    "SPEAKER_EXAMPLES",
    "Speaker",
    "SpeakerUrlError",
    "SpeechError",
    "SpeechSynth",
    "SpokenClip",
    "open_speaker",
]
