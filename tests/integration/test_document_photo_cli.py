"""`motcua document` (devices.scanners.document.cli) on photo files in a folder."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import cv2
import pytest
from pypdf import PdfReader

from devices.scanners.document import cli
from tests.fixtures.document_photo import synth

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    for name in ("1-flat", "2-tilted", "3-blurred", "4-no_page"):
        photo = synth.make_photo(name.split("-", 1)[1])[0]
        assert cv2.imwrite(str(folder / f"{name}.jpg"), photo, [cv2.IMWRITE_JPEG_QUALITY, 90])
    (folder / "notes.txt").write_text("not a photo, not picked up from a folder")
    return folder


def test_good_pages_go_into_the_pdf_and_bad_ones_are_explained(
    photos: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "hoso.pdf"
    code = cli.main([str(photos), "-o", str(pdf), "--save-pages", str(tmp_path / "pages")])
    out = capsys.readouterr().out.splitlines()
    assert code == 1  # two photos were not good enough
    assert [line.split(":")[0] for line in out[:4]] == [
        str(photos / f"{n}.jpg") for n in ("1-flat", "2-tilted", "3-blurred", "4-no_page")
    ]
    assert "tốt / ok (A4, 1414x2000)" in out[0] and "tốt / ok" in out[1]
    assert "bị mờ" in out[2] and "blurred" in out[2]
    assert "Không thấy trang giấy" in out[3]
    assert len(PdfReader(pdf).pages) == 2
    assert sorted(p.name for p in (tmp_path / "pages").iterdir()) == ["1-flat.page.jpg", "2-tilted.page.jpg"]


def test_keep_flawed_puts_every_found_page_in(photos: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "all.pdf"
    assert cli.main([str(photos), "-o", str(pdf), "--keep-flawed", "--light", "gray", "--dpi", "100"]) == 1
    reader = PdfReader(pdf)
    assert len(reader.pages) == 3  # the blurred page too; the photo with no page has nothing to add
    assert float(reader.pages[0].mediabox.height) == pytest.approx(2000 * 72 / 100, abs=0.01)


def test_json_lines_and_a_clean_exit_when_all_are_good(
    photos: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main([str(photos / "1-flat.jpg"), str(photos / "2-tilted.jpg"), "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["ok"] for r in records] == [True, True]
    assert records[1]["paper"] == "A4" and len(records[1]["corners"]) == 4
    assert records[1]["reasons"] == [] and records[1]["measures"]["sharpness"] > 0.2


def test_unreadable_files_are_reported_not_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 half a jpeg")
    missing = tmp_path / "missing.jpg"
    assert cli.main([str(broken), str(missing), "-o", str(tmp_path / "none.pdf")]) == 1
    captured = capsys.readouterr()
    assert "hỏng" in captured.out and "damaged" in captured.out
    assert "cannot read the file" in captured.out
    assert "no good page" in captured.err
    assert not (tmp_path / "none.pdf").exists()


def test_register_adds_the_document_command() -> None:
    parser = argparse.ArgumentParser(prog="motcua")
    cli.register(parser.add_subparsers())
    args = parser.parse_args(["document", "a.jpg", "-o", "x.pdf"])
    assert args.handler is cli.document_command
    assert args.output == Path("x.pdf") and args.light == "color"


def test_the_command_module_loads_without_opencv() -> None:
    probe = "import sys, devices.scanners.document.cli; print('cv2' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
