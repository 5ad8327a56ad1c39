"""`motcua scan`: images, folders, videos, broken and missing files, JSON and readable output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest

from devices.scanners.synthetic import card_photo, qr_image
from motcua.cli import main

ROOT = Path(__file__).resolve().parents[2]
CARD = "079303012345||Trần Thị Ngọc Ánh|14032003|Nữ|Số 12 Đường Lê Văn Sỹ, Quận 3, Hồ Chí Minh|21072021"
CARD_WARN = CARD.replace("079303012345", "079203012345")  # 4th digit says male


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["scan", *args])
    out = capsys.readouterr().out
    return code, out.splitlines()


def records(lines: list[str]) -> list[dict[str, object]]:
    return [json.loads(line) for line in lines]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "inbox"
    (root / "sub").mkdir(parents=True)
    assert cv2.imwrite(str(root / "a10_card.jpg"), card_photo(CARD, seed=1))
    assert cv2.imwrite(str(root / "a2_ticket.png"), qr_image("HN-260310-0042"))
    assert cv2.imwrite(str(root / "sub" / "blank.png"), card_photo(CARD, center=(3.0, 3.0)))
    (root / "notes.txt").write_text("not an image")
    return root


def test_folder_json_one_object_per_image_in_name_order(
    capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    code, lines = run(capsys, "--json", str(folder))
    assert code == 0
    found = records(lines)
    assert [Path(str(r["path"])).name for r in found] == ["a2_ticket.png", "a10_card.jpg", "blank.png"]
    ticket, card, blank = found
    assert ticket["codes"] == [{"format": "QRCode", "text": "HN-260310-0042"}]
    assert ticket["cccd"] is None and ticket["error"] is None
    assert card["cccd"] == {
        "id_number_masked": "079******345",
        "old_id_masked": "",
        "full_name": "Trần Thị Ngọc Ánh",
        "birth_date": "2003-03-14",
        "sex": "Nữ",
        "address": "Số 12 Đường Lê Văn Sỹ, Quận 3, Hồ Chí Minh",
        "issue_date": "2021-07-21",
        "province": "Hồ Chí Minh",
        "extra_fields": [],
    }
    assert card["codes"] == [{"format": "QRCode", "text": CARD.replace("079303012345", "079******345")}]
    assert card["warnings"] == []
    assert blank == {
        "path": str(folder / "sub" / "blank.png"),
        "codes": [],
        "cccd": None,
        "warnings": [],
        "error": None,
    }
    assert "079303012345" not in "\n".join(lines)


def test_broken_and_missing_files_are_reported_and_the_scan_goes_on(
    capsys: pytest.CaptureFixture[str], folder: Path, tmp_path: Path
) -> None:
    (folder / "a1_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    code, lines = run(capsys, "--json", str(tmp_path / "missing.jpg"), str(folder))
    assert code == 1
    found = records(lines)
    assert len(found) == 5
    assert "not found" in str(found[0]["error"]) and "không tìm thấy" in str(found[0]["error"])
    assert Path(str(found[1]["path"])).name == "a1_broken.png"
    assert "corrupt" in str(found[1]["error"])
    assert [r["error"] for r in found[2:]] == [None, None, None]


def test_empty_folder_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, lines = run(capsys, "--json", str(tmp_path))
    assert code == 1
    assert "no images" in str(records(lines)[0]["error"])


def test_parser_warnings_are_passed_on(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "warn.png"), qr_image(CARD_WARN))
    cv2.imwrite(str(tmp_path / "bad.png"), qr_image(CARD.replace("14032003", "31022003")))
    code, lines = run(capsys, "--json", str(tmp_path / "warn.png"), str(tmp_path / "bad.png"))
    assert code == 0
    warn, bad = records(lines)
    assert warn["cccd"] is not None
    assert "4th digit" in str(warn["warnings"])
    assert bad["cccd"] is None  # a card payload that does not parse: shown masked, with the reason
    assert "birth date" in str(bad["warnings"])
    assert "079303012345" not in "\n".join(lines)


def test_video_gives_one_result_per_frame_with_codes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "desk.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 10, (1280, 720))
    for index in range(6):
        writer.write(card_photo(CARD, center=(0.5, 0.5) if index in (2, 3) else (3.0, 3.0), seed=index))
    writer.release()
    code, lines = run(capsys, "--json", str(path))
    assert code == 0
    found = records(lines)
    assert [r["frame"] for r in found] == [2, 3]
    assert all(str(r["path"]).endswith(f"#frame={r['frame']}") for r in found)
    assert all(r["cccd"] is not None for r in found)


def test_unreadable_video(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42 nothing else")
    code, lines = run(capsys, "--json", str(tmp_path / "broken.mp4"))
    assert code == 1
    assert "cannot read the video" in str(records(lines)[0]["error"])


def test_readable_lines_without_json(capsys: pytest.CaptureFixture[str], folder: Path) -> None:
    code, lines = run(capsys, str(folder))
    assert code == 0
    assert len(lines) == 3
    assert lines[0].endswith('a2_ticket.png: QRCode "HN-260310-0042"')
    assert "CCCD 079******345 · Trần Thị Ngọc Ánh · sinh/born 2003-03-14 · Nữ" in lines[1]
    assert lines[2].endswith("blank.png: không có mã / no code")


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--formats", "Nonsense", "x.png"], "unknown barcode format"), (["--every", "0", "x.png"], "--every")],
)
def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str], args: list[str], words: str) -> None:
    assert main(["scan", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert words in captured.err


def test_no_path_is_bad_usage() -> None:
    with pytest.raises(SystemExit) as caught:
        main(["scan"])
    assert caught.value.code == 2


def test_installed_command_runs_in_a_fresh_process(tmp_path: Path) -> None:
    cv2.imwrite(str(tmp_path / "q.png"), qr_image("Đăng ký thường trú"))
    completed = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "scan", "--json", str(tmp_path / "q.png")],
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    record = json.loads(completed.stdout.decode("utf-8"))
    assert record["codes"] == [{"format": "QRCode", "text": "Đăng ký thường trú"}]
