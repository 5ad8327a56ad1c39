"""The board's voice clips as WAV files: generated offline, replaceable by studio recordings.

``build_clips`` speaks every clip of the inventory with espeak-ng's Vietnamese voice and synthesises the
chime. Each clip is then brought to one format (22 050 Hz, mono, 16-bit PCM): silence trimmed (by sox when
it is installed, else by a plain threshold), levelled to the same loudness (RMS) and padded with a short
silence so clips played back to back sound like one sentence. A ``manifest.json`` beside the clips records
what each was made from, so a second build only redoes what changed (fast when up to date).

An office may drop studio recordings with the same file names into an override folder: ``resolve_clip``
picks the override first, file by file, then the generated clip.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from display_board.voice.announce import CHIME_CLIP, Announcement, VoiceSettings, clip_inventory, is_clip_name

Samples = npt.NDArray[np.float32]

SAMPLE_RATE = 22_050
CHANNELS = 1
SAMPLE_WIDTH = 2  # bytes: 16-bit signed PCM
DEFAULT_GENERATED_DIR = Path("var/voice/generated")
MANIFEST_NAME = "manifest.json"
PIPELINE_VERSION = 1  # bump when the processing below changes, so every clip is rebuilt
TARGET_RMS_DBFS = -20.0
PEAK_LIMIT_DBFS = -1.0
LEAD_SILENCE_S = 0.03
TAIL_SILENCE_S = 0.07  # the gap between two words when clips play back to back
TRIM_THRESHOLD = 0.02  # of full scale, for trimming without sox


class ClipError(RuntimeError):
    """A clip that cannot be made, found or read; the message says which and why."""


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    used_sox: bool = False


@dataclass(frozen=True)
class ClipLibrary:
    """Where the clips are: the office's studio recordings win over generated ones, file by file."""

    generated_dir: Path = DEFAULT_GENERATED_DIR
    override_dir: Path | None = None

    def resolve(self, name: str) -> Path:
        if not is_clip_name(name):
            raise ClipError(f"tên clip không hợp lệ: {name!r} / invalid clip name (a-z, 0-9, _ only)")
        for folder in (self.override_dir, self.generated_dir):
            if folder is not None and (folder / f"{name}.wav").is_file():
                return folder / f"{name}.wav"
        raise ClipError(
            f"thiếu clip {name}.wav trong {self.generated_dir} / missing clip {name}.wav: "
            "run `motcua voice build`"
        )


def resolve_clip(
    name: str, *, generated_dir: Path = DEFAULT_GENERATED_DIR, override_dir: Path | None = None
) -> Path:
    """The WAV file to play for clip ``name``: the override folder's if it has one, else the generated one."""
    return ClipLibrary(generated_dir, override_dir).resolve(name)


def build_clips(
    out_dir: Path = DEFAULT_GENERATED_DIR,
    settings: VoiceSettings | None = None,
    *,
    force: bool = False,
    names: Iterable[str] | None = None,
) -> BuildReport:
    """Make every clip of the inventory (or only ``names``) in ``out_dir`` that is missing or out of date."""
    settings = settings or VoiceSettings()
    inventory = clip_inventory(settings)
    wanted = _select(inventory, names)
    out_dir.mkdir(parents=True, exist_ok=True)
    use_sox = shutil.which("sox") is not None
    recipe = {
        "pipeline": PIPELINE_VERSION,
        "sox": use_sox,
        "voice": settings.espeak_voice,
        "speed": settings.speed_wpm,
    }
    if any(text for text in wanted.values()):
        recipe["espeak"] = _espeak_version()
    manifest = _read_manifest(out_dir)
    report = BuildReport(used_sox=use_sox)
    jobs: dict[str, tuple[str, str]] = {}
    for name, text in wanted.items():
        key = _clip_key(name, text, recipe)
        if not force and manifest.get(name) == key and (out_dir / f"{name}.wav").is_file():
            report.kept.append(name)
        else:
            jobs[name] = (text, key)
    errors: list[str] = []
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        futures = {
            pool.submit(_make_clip, name, text, out_dir, settings, use_sox): name
            for name, (text, _key) in jobs.items()
        }
        for future in as_completed(futures):
            name = futures[future]
            try:
                future.result()
            except ClipError as error:
                errors.append(str(error))
                continue
            manifest[name] = jobs[name][1]
            report.built.append(name)
    if names is None:
        report.removed = _remove_stale(out_dir, manifest, inventory)
    _write_manifest(out_dir, manifest)  # also after a failure: what was built need not be redone
    if errors:
        raise ClipError("\n".join(sorted(errors)))
    report.built.sort()
    return report


def concatenate_announcement(announcement: Announcement, library: ClipLibrary, out_path: Path) -> float:
    """Write the whole announcement, repetitions and pauses included, as one WAV; return its length in s."""
    one_pass = np.concatenate([read_wav(library.resolve(name)) for name in announcement.clips])
    pause = np.zeros(round(SAMPLE_RATE * announcement.pause_ms / 1000), dtype=np.float32)
    passes: list[Samples] = []
    for index in range(announcement.repeat):
        passes += [pause, one_pass] if index else [one_pass]
    samples = np.concatenate(passes)
    write_wav(out_path, samples)
    return len(samples) / SAMPLE_RATE


def synthesize_chime(rate: int = SAMPLE_RATE) -> Samples:
    """A two-tone "ding-dong" (E5, then C5 while E5 still rings) with a bell-like decay, peak at -3 dBFS."""
    second_at = round(0.42 * rate)
    dong_seconds = 1.0
    chime = _bell(659.25, second_at / rate + dong_seconds, rate)  # rings on under the second tone
    chime[second_at:] += _bell(523.25, dong_seconds, rate)[: len(chime) - second_at]
    chime = _fade(chime, rate, fade_in_s=0.0, fade_out_s=0.15)
    chime = chime / np.max(np.abs(chime)) * 10 ** (-3 / 20)
    silence = np.zeros(round(TAIL_SILENCE_S * 2 * rate), dtype=np.float32)
    return np.concatenate([chime.astype(np.float32), silence])


def read_wav(path: Path) -> Samples:
    """A PCM WAV file as mono float samples in [-1, 1] at SAMPLE_RATE (other rates are resampled)."""
    try:
        with wave.open(str(path), "rb") as wav:
            width, channels, rate = wav.getsampwidth(), wav.getnchannels(), wav.getframerate()
            frames = wav.readframes(wav.getnframes())
    except (wave.Error, EOFError) as error:
        raise ClipError(
            f"tệp âm thanh hỏng hoặc không phải WAV PCM: {path} ({error}) / not a PCM WAV"
        ) from error
    samples = _pcm_to_float(frames, width).reshape(-1, channels).mean(axis=1)
    return _resample(samples.astype(np.float32), rate, SAMPLE_RATE)


def write_wav(path: Path, samples: Samples) -> None:
    """Write mono float samples as 16-bit PCM at SAMPLE_RATE, atomically (a reader never sees half a file)."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with wave.open(str(temporary), "wb") as wav:
        wav.setnchannels(CHANNELS)
        wav.setsampwidth(SAMPLE_WIDTH)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())
    os.replace(temporary, path)


def level_loudness(samples: Samples) -> Samples:
    """Scale to TARGET_RMS_DBFS, but never let the peak pass PEAK_LIMIT_DBFS."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if rms == 0.0:
        return samples
    gain = min(10 ** (TARGET_RMS_DBFS / 20) / rms, 10 ** (PEAK_LIMIT_DBFS / 20) / peak)
    return (samples * gain).astype(np.float32)


def _make_clip(name: str, text: str, out_dir: Path, settings: VoiceSettings, use_sox: bool) -> str:
    if name == CHIME_CLIP:
        write_wav(out_dir / f"{name}.wav", synthesize_chime())
        return name
    with tempfile.TemporaryDirectory(prefix="motcua-voice-") as scratch:
        raw = Path(scratch) / "raw.wav"
        _speak(text, raw, settings)
        if use_sox:
            trimmed = Path(scratch) / "trimmed.wav"
            _sox_trim(raw, trimmed)
            samples = read_wav(trimmed)
        else:
            samples = _trim(read_wav(raw))
    if not len(samples):
        raise ClipError(f"espeak-ng tạo ra clip im lặng cho {name} ({text!r}) / silent clip")
    lead = np.zeros(round(LEAD_SILENCE_S * SAMPLE_RATE), dtype=np.float32)
    tail = np.zeros(round(TAIL_SILENCE_S * SAMPLE_RATE), dtype=np.float32)
    voiced = _fade(level_loudness(samples), SAMPLE_RATE, fade_in_s=0.005, fade_out_s=0.015)  # no clicks
    write_wav(out_dir / f"{name}.wav", np.concatenate([lead, voiced, tail]))
    return name


def _speak(text: str, out: Path, settings: VoiceSettings) -> None:
    command = [
        _espeak(),
        "-v",
        settings.espeak_voice,
        "-s",
        str(settings.speed_wpm),
        "-w",
        str(out),
        "--stdin",
    ]
    result = subprocess.run(command, input=text.encode(), capture_output=True, check=False, timeout=60)
    if result.returncode != 0 or not out.is_file():
        raise ClipError(
            f"espeak-ng không đọc được {text!r} / espeak-ng failed (exit {result.returncode}): "
            f"{result.stderr.decode(errors='replace').strip()}"
        )


def _sox_trim(raw: Path, out: Path) -> None:
    """Same format for all clips, leading and trailing silence cut (sox reverses to trim the tail)."""
    command = [
        "sox",
        str(raw),
        "-r",
        str(SAMPLE_RATE),
        "-c",
        str(CHANNELS),
        "-b",
        "16",
        "-e",
        "signed-integer",
        str(out),
        "silence",
        "1",
        "0.01",
        "1%",
        "reverse",
        "silence",
        "1",
        "0.01",
        "1%",
        "reverse",
    ]
    result = subprocess.run(command, capture_output=True, check=False, timeout=60)
    if result.returncode != 0:
        raise ClipError(f"sox failed on {raw.name}: {result.stderr.decode(errors='replace').strip()}")


def _trim(samples: Samples) -> Samples:
    loud = np.flatnonzero(np.abs(samples) > TRIM_THRESHOLD * float(np.max(np.abs(samples), initial=0.0)))
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]


@functools.cache
def _espeak() -> str:
    path = shutil.which("espeak-ng")
    if path is None:
        raise ClipError("không tìm thấy espeak-ng / espeak-ng not found: apt-get install espeak-ng")
    return path


def _espeak_version() -> str:
    result = subprocess.run([_espeak(), "--version"], capture_output=True, check=False, timeout=30)
    return result.stdout.decode(errors="replace").strip()


def _clip_key(name: str, text: str, recipe: Mapping[str, Any]) -> str:
    payload = json.dumps({"name": name, "text": text, **recipe}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def _select(inventory: dict[str, str], names: Iterable[str] | None) -> dict[str, str]:
    if names is None:
        return inventory
    unknown = sorted(set(names) - inventory.keys())
    if unknown:
        raise ClipError(f"clip không có trong danh mục / not in the clip inventory: {', '.join(unknown)}")
    return {name: inventory[name] for name in names}


def _read_manifest(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no manifest or a broken one: everything is rebuilt
    clips = data.get("clips") if isinstance(data, dict) else None
    return {str(name): str(key) for name, key in clips.items()} if isinstance(clips, dict) else {}


def _write_manifest(out_dir: Path, manifest: dict[str, str]) -> None:
    temporary = out_dir / f".{MANIFEST_NAME}.tmp"
    temporary.write_text(json.dumps({"clips": dict(sorted(manifest.items()))}, indent=1), encoding="utf-8")
    os.replace(temporary, out_dir / MANIFEST_NAME)


def _remove_stale(out_dir: Path, manifest: dict[str, str], inventory: Mapping[str, str]) -> list[str]:
    """Delete generated clips that left the inventory (e.g. after a phrase change); only ones we made."""
    stale = sorted(name for name in manifest if name not in inventory)
    for name in stale:
        if is_clip_name(name):
            (out_dir / f"{name}.wav").unlink(missing_ok=True)
        del manifest[name]
    return stale


def _fade(samples: Samples, rate: int, *, fade_in_s: float, fade_out_s: float) -> Samples:
    """Linear ramps at both ends, so a cut never starts or stops on a non-zero sample."""
    faded = samples.copy()
    rise = min(round(fade_in_s * rate), len(faded))
    fall = min(round(fade_out_s * rate), len(faded))
    faded[:rise] *= np.linspace(0.0, 1.0, rise, dtype=np.float32)
    faded[len(faded) - fall :] *= np.linspace(1.0, 0.0, fall, dtype=np.float32)
    return faded


def _bell(frequency: float, seconds: float, rate: int) -> Samples:
    time = np.arange(round(seconds * rate)) / rate
    partials = sum(
        weight * np.sin(2 * np.pi * frequency * ratio * time)
        for ratio, weight in ((1.0, 1.0), (2.0, 0.35), (3.0, 0.12))
    )
    envelope = np.exp(-time * 4.0) * np.minimum(time / 0.005, 1.0)  # 5 ms attack: no click
    return np.asarray(partials * envelope, dtype=np.float32)


def _pcm_to_float(frames: bytes, width: int) -> Samples:
    """Little-endian PCM of 8 (unsigned), 16, 24 or 32 bits as floats in [-1, 1]."""
    if width == 1:
        values = np.frombuffer(frames, dtype=np.uint8).astype(np.int32) - 128
    elif width == 2:
        values = np.frombuffer(frames, dtype="<i2").astype(np.int32)
    elif width == 3:
        wide = np.frombuffer(frames, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        unsigned = wide[:, 0] | (wide[:, 1] << 8) | (wide[:, 2] << 16)
        values = np.where(unsigned >= 1 << 23, unsigned - (1 << 24), unsigned)
    elif width == 4:
        values = np.frombuffer(frames, dtype="<i4")
    else:
        raise ClipError(f"độ sâu mẫu {width * 8} bit không hỗ trợ / unsupported sample width {width * 8} bit")
    full_scale = float(1 << (8 * width - 1))
    return np.asarray(values / full_scale, dtype=np.float32)


def _resample(samples: Samples, rate: int, target: int) -> Samples:
    """Linear resampling: good enough to splice a studio clip of another rate into a check WAV."""
    if rate == target or not len(samples):
        return samples
    count = round(len(samples) * target / rate)
    positions = np.arange(count) * (rate / target)
    return np.asarray(np.interp(positions, np.arange(len(samples)), samples), dtype=np.float32)
