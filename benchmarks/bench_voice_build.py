"""How long `motcua voice build` takes, side by side with its baseline in the same run.

Baseline: espeak-ng alone speaking every clip text to a WAV, one after another (the least work any
build must do). Then the real build from scratch (espeak-ng + sox trim + levelling, on a thread pool),
and the up-to-date rebuild that run scripts do on every start.

    .venv/bin/python benchmarks/bench_voice_build.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from display_board.voice.announce import VoiceSettings, clip_inventory
from display_board.voice.clips import build_clips


def raw_espeak(out_dir: Path) -> None:
    settings = VoiceSettings()
    for name, text in clip_inventory(settings).items():
        if text:
            command = ["espeak-ng", "-v", settings.espeak_voice, "-s", str(settings.speed_wpm)]
            subprocess.run([*command, "-w", str(out_dir / f"{name}.wav"), text], check=True)


def timed(action: Callable[[], object], rounds: int) -> list[float]:
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed")
    clip_count = len(clip_inventory())
    with tempfile.TemporaryDirectory() as scratch:
        base, out = Path(scratch, "raw"), Path(scratch, "built")
        base.mkdir()
        results = {
            "baseline: espeak-ng only, sequential": timed(lambda: raw_espeak(base), rounds),
            "voice build --force (full pipeline)": timed(lambda: build_clips(out, force=True), rounds),
            "voice build, up to date": timed(lambda: build_clips(out), rounds),
        }
    print(f"{clip_count} clips, {rounds} rounds, sox: {shutil.which('sox') is not None}")
    for label, seconds in results.items():
        median, best = statistics.median(seconds) * 1000, min(seconds) * 1000
        print(f"{label:40s} median {median:8.1f} ms   min {best:8.1f} ms")


if __name__ == "__main__":
    main()
