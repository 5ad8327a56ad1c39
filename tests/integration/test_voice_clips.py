"""Voice clips made for real with espeak-ng (sox when present): format, level, rebuilds, overrides, CLI."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from display_board import cli as board_cli
from display_board.voice import clips as clips_module
from display_board.voice.announce import VoiceSettings, build_announcement, clip_inventory
from display_board.voice.clips import (
    SAMPLE_RATE,
    ClipError,
    ClipLibrary,
    build_clips,
    concatenate_announcement,
    read_wav,
    resolve_clip,
    write_wav,
)

pytestmark = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng is not installed (apt-get install espeak-ng): voice clips cannot be generated",
)

SAMPLE_CLIPS = ["chime", "num_3", "letter_a", "word_muoi_huyen", "phrase_den_quay_so"]


def wav_format(path: Path) -> tuple[int, int, int]:
    with wave.open(str(path), "rb") as wav:
        return wav.getframerate(), wav.getnchannels(), wav.getsampwidth()


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples.astype(np.float64)))))


def tone(seconds: float, rate: int = SAMPLE_RATE, frequency: float = 440.0) -> np.ndarray:
    time = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * frequency * time)).astype(np.float32)


def write_pcm(path: Path, samples: np.ndarray, *, rate: int, channels: int, width: int) -> None:
    """A WAV in an arbitrary PCM format, as a studio might deliver it."""
    interleaved = np.repeat(samples, channels)
    if width == 1:
        data = (interleaved * 127 + 128).astype(np.uint8).tobytes()
    else:
        ints = (interleaved * (2 ** (8 * width - 1) - 1)).astype(np.int64)
        data = b"".join(int(value).to_bytes(width, "little", signed=True) for value in ints)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(data)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("voice")
    build_clips(out, names=SAMPLE_CLIPS)
    return out


@pytest.mark.parametrize("name", SAMPLE_CLIPS)
def test_clips_are_non_silent_and_of_the_declared_format(generated: Path, name: str) -> None:
    path = generated / f"{name}.wav"
    assert wav_format(path) == (SAMPLE_RATE, 1, 2)
    samples = read_wav(path)
    assert 0.15 < len(samples) / SAMPLE_RATE < 4.0
    assert rms(samples) > 0.03  # clearly audible, not silence
    assert float(np.max(np.abs(samples))) <= 0.95  # peak-limited below full scale
    assert abs(float(samples[0])) < 0.01 and abs(float(samples[-1])) < 0.01  # starts and ends quiet


def test_speech_clips_are_levelled_to_similar_loudness(generated: Path) -> None:
    levels = [rms(read_wav(generated / f"{name}.wav")) for name in SAMPLE_CLIPS if name != "chime"]
    assert max(levels) / min(levels) < 2.0  # within 6 dB of each other


def test_longer_text_gives_a_longer_clip(generated: Path) -> None:
    short = len(read_wav(generated / "num_3.wav"))
    longer = len(read_wav(generated / "phrase_den_quay_so.wav"))
    assert longer > short


def test_second_build_keeps_everything_and_changes_rebuild(tmp_path: Path) -> None:
    names = ["num_1", "num_2"]
    first = build_clips(tmp_path, names=names)
    assert first.built == names
    stamp = (tmp_path / "num_1.wav").stat().st_mtime_ns
    again = build_clips(tmp_path, names=names)
    assert (again.built, again.kept) == ([], names)
    assert (tmp_path / "num_1.wav").stat().st_mtime_ns == stamp
    slower = build_clips(tmp_path, VoiceSettings(speed_wpm=100), names=names)
    assert slower.built == names
    assert build_clips(tmp_path, VoiceSettings(speed_wpm=100), names=names, force=True).built == names
    (tmp_path / "num_2.wav").unlink()
    assert build_clips(tmp_path, VoiceSettings(speed_wpm=100), names=names).built == ["num_2"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert set(manifest["clips"]) == set(names)


def test_full_build_then_phrase_change_removes_the_stale_clip(tmp_path: Path) -> None:
    report = build_clips(tmp_path)
    assert set(report.built) == set(clip_inventory())
    assert all((tmp_path / f"{name}.wav").is_file() for name in clip_inventory())
    changed = VoiceSettings(phrase="Mời số {ticket} tới quầy {counter}")
    report = build_clips(tmp_path, changed)
    assert sorted(report.built) == ["phrase_moi_so", "phrase_toi_quay"]
    assert report.removed == ["phrase_den_quay_so", "phrase_xin_moi_cong_dan_co_so_thu_tu"]
    assert not (tmp_path / "phrase_den_quay_so.wav").exists()


def test_trimming_without_sox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda cmd: None if cmd == "sox" else real_which(cmd))
    report = build_clips(tmp_path, names=["num_5"])
    assert not report.used_sox
    samples = read_wav(tmp_path / "num_5.wav")
    assert wav_format(tmp_path / "num_5.wav") == (SAMPLE_RATE, 1, 2)
    assert rms(samples) > 0.03
    lead = round(clips_module.LEAD_SILENCE_S * SAMPLE_RATE)
    assert np.all(samples[:lead] == 0.0)  # trimmed, then exactly the lead silence
    assert np.any(samples[lead : lead + 200] != 0.0)


def test_override_wins_file_by_file(generated: Path, tmp_path: Path) -> None:
    write_wav(tmp_path / "num_3.wav", tone(0.3))
    library = ClipLibrary(generated, tmp_path)
    assert library.resolve("num_3") == tmp_path / "num_3.wav"
    assert library.resolve("letter_a") == generated / "letter_a.wav"
    assert resolve_clip("num_3", generated_dir=generated) == generated / "num_3.wav"
    with pytest.raises(ClipError, match="motcua voice build"):
        library.resolve("num_9")
    for bad in ["../num_3", "num_3.wav", "Num_3", ""]:
        with pytest.raises(ClipError, match="không hợp lệ"):
            library.resolve(bad)


@pytest.mark.parametrize(
    ("rate", "channels", "width"), [(44_100, 2, 2), (16_000, 1, 1), (48_000, 1, 3), (8000, 2, 4)]
)
def test_studio_recordings_of_other_formats_are_read(
    tmp_path: Path, rate: int, channels: int, width: int
) -> None:
    path = tmp_path / "studio.wav"
    write_pcm(path, tone(0.5, rate), rate=rate, channels=channels, width=width)
    samples = read_wav(path)
    assert abs(len(samples) - SAMPLE_RATE // 2) <= 2  # resampled to the board's rate
    assert 0.30 < rms(samples) < 0.40  # a 0.5-amplitude sine has RMS 0.354


def test_broken_override_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "num_1.wav").write_bytes(b"RIFF....not a wave")
    with pytest.raises(ClipError, match="không phải WAV"):
        read_wav(tmp_path / "num_1.wav")


def test_concatenated_announcement_has_every_clip_and_pause(generated: Path, tmp_path: Path) -> None:
    settings = VoiceSettings(phrase="{ticket} đến quầy số {counter}", recall_repeat=2, pause_ms=500)
    announcement = build_announcement("A3", 10, settings, recall=True)
    assert set(announcement.clips) <= set(SAMPLE_CLIPS)
    library = ClipLibrary(generated)
    seconds = concatenate_announcement(announcement, library, tmp_path / "call.wav")
    one_pass = sum(len(read_wav(library.resolve(name))) for name in announcement.clips)
    expected = 2 * one_pass + SAMPLE_RATE // 2
    assert len(read_wav(tmp_path / "call.wav")) == expected
    assert seconds == pytest.approx(expected / SAMPLE_RATE)


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="motcua")
    board_cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    result: int = args.handler(args)
    return result


def test_cli_say_writes_one_wav(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "generated"
    assert run_cli("voice", "build", "--out", str(out)) == 0
    assert "up to date" in capsys.readouterr().out
    assert run_cli("voice", "say", "A023", "3", "--out", str(out), "--wav", str(tmp_path / "a023.wav")) == 0
    printed = capsys.readouterr().out
    assert "Xin mời công dân có số thứ tự A không hai ba đến quầy số ba" in printed
    samples = read_wav(tmp_path / "a023.wav")
    assert len(samples) / SAMPLE_RATE > 3.0 and rms(samples) > 0.03


def test_cli_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("voice", "say", "A-23", "3") == 2
    assert "Số thứ tự không hợp lệ" in capsys.readouterr().err
    config = tmp_path / "board.toml"
    config.write_text("[voice]\nrepeat = 9\n", encoding="utf-8")
    assert run_cli("voice", "clips", "--config", str(config)) == 2
    assert "repeat" in capsys.readouterr().err
    config.write_text('[voice]\nnumber_style = "words"\nthousand = "ngàn"\n', encoding="utf-8")
    assert run_cli("voice", "say", "B105", "12", "--config", str(config)) == 0
    assert "B một trăm linh năm đến quầy số mười hai" in capsys.readouterr().out


def test_cli_clips_lists_where_each_clip_comes_from(
    generated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    studio = tmp_path / "studio"
    studio.mkdir()
    write_wav(studio / "letter_a.wav", tone(0.2))
    config = tmp_path / "board.toml"
    config.write_text(f'[voice]\nclip_dir_override = "{studio}"\n', encoding="utf-8")
    assert run_cli("voice", "clips", "--out", str(generated), "--config", str(config)) == 0
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in capsys.readouterr().out.splitlines()}
    assert set(rows) == {f"{name}.wav" for name in clip_inventory()}
    assert rows["letter_a.wav"] == ["a", str(studio / "letter_a.wav")]
    assert rows["num_3.wav"] == ["ba", str(generated / "num_3.wav")]
    assert rows["num_9.wav"] == ["chín", "missing: run motcua voice build"]


def espeak_phonemes(text: str) -> str:
    command = ["espeak-ng", "-q", "-v", "vi", "-x", "--stdin"]
    result = subprocess.run(command, input=text.encode(), capture_output=True, check=True)
    return result.stdout.decode().strip()


def test_espeak_hears_every_clip_text_differently() -> None:
    """Tones survive the trip to espeak-ng: "mười"/"mươi", "mốt"/"một", "lăm"/"năm" … all sound different."""
    texts = [text for text in clip_inventory().values() if text]
    phonemes = {text: espeak_phonemes(text) for text in texts}
    assert all(phonemes.values())
    assert len(set(phonemes.values())) == len(texts)
    assert phonemes["mười"] != phonemes["mươi"] and phonemes["mốt"] != phonemes["một"]
