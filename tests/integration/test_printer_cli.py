"""`motcua print-test` and `motcua devices`, run in-process through their argparse registration."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageChops

from devices.printers import cli
from devices.printers.encoding import document_bytes
from devices.printers.layout import render_ticket
from devices.printers.sample import sample_ticket

REPO = Path(__file__).resolve().parents[2]


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="motcua")
    cli.register(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def test_print_test_on_a_file_printer_writes_the_ticket_and_its_preview(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("print-test", "--printer", "file://var/kiosk/ticket.bin", "--preview", "out/preview.png") == 0
    assert "Đã in số A023" in capsys.readouterr().out
    expected = document_bytes(render_ticket(sample_ticket(), "80mm"), "80mm")
    assert (tmp_path / "var/kiosk/ticket.bin").read_bytes() == expected
    preview = Image.open(tmp_path / "out/preview.png").convert("L")
    raster = render_ticket(sample_ticket(), "80mm").convert("L")
    assert ImageChops.difference(preview.crop((0, 0, *raster.size)), raster).getbbox() is None
    assert [r.text for r in zxingcpp.read_barcodes(preview)] == [sample_ticket().qr_url]


def test_print_test_58mm_with_receipt_previews_both_pieces(tmp_path: Path) -> None:
    preview_path = tmp_path / "both.png"
    code = run(
        "print-test", "--printer", "dummy://", "--paper", "58mm", "--receipt", "--preview", str(preview_path)
    )
    assert code == 0
    preview = Image.open(preview_path)
    assert preview.width == 384
    formats = sorted(r.format.name for r in zxingcpp.read_barcodes(preview.convert("L")))
    assert formats == ["Code128", "QRCode", "QRCode"]


@pytest.mark.parametrize(("fault", "text"), [("paper_out", "hết giấy"), ("cover_open", "Nắp máy in đang mở")])
def test_print_test_on_an_offline_printer_fails_with_a_clear_message(
    fault: str, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("print-test", "--printer", f"fake://?fault={fault}") == 1
    assert text in capsys.readouterr().err


def test_print_test_on_an_unreachable_tcp_printer_fails_without_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    assert run("print-test", "--printer", f"tcp://127.0.0.1:{port}") == 1
    err = capsys.readouterr().err
    assert "Không kết nối được máy in" in err and "Traceback" not in err


def test_print_test_warns_on_paper_near_end_but_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("print-test", "--printer", "fake://?fault=near_end") == 0
    assert "sắp hết giấy" in capsys.readouterr().out


def test_print_test_rejects_a_bad_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("print-test", "--printer", "serial:///dev/ttyUSB0?baudrate=1234") == 2
    assert "bad baudrate '1234'" in capsys.readouterr().err


def test_devices_lists_configured_devices_as_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "devices.toml"
    config.write_text(
        '[printers.ticket]\nurl = "file://spool/t.bin"\n[printers.spare]\nurl = "fake://?fault=unplugged"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert run("devices", "--config", str(config), "--json") == 0
    listing = json.loads(capsys.readouterr().out)
    states = {row["name"]: (row["status"]["state"], row["status"]["reason"]) for row in listing["devices"]}
    assert states == {"ticket": ("ready", ""), "spare": ("offline", "unplugged")}
    assert run("devices", "--config", str(config), "--check") == 1
    table = capsys.readouterr().out
    assert "ticket" in table and "spare" in table and "unplugged" in table


def test_devices_with_the_demo_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("devices", "--config", str(REPO / "config/demo/devices.toml"), "--json") == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)["devices"]}
    assert rows["ticket"]["status"]["state"] == "ready"
    assert rows["ticket"]["url"] == "file://var/kiosk/ticket.bin"
    assert (tmp_path / "var/kiosk/ticket.bin").exists()
    assert rows["camera"]["kind"] == "scanner"


def test_devices_with_a_bad_config_names_the_file_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "devices.toml"
    config.write_text('[printers.ticket]\nurl = "usb://zz"\n', encoding="utf-8")
    assert run("devices", "--config", str(config)) == 2
    assert f"{config}: printers.ticket.url: bad USB id 'zz'" in capsys.readouterr().err
    assert run("devices", "--config", str(tmp_path / "missing.toml")) == 2
    assert "cannot read the file" in capsys.readouterr().err
