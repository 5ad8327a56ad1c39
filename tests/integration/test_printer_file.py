"""file:// printers on real files: append or overwrite, relative paths, a directory that disappears."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devices.printers import PrinterError, open_printer
from devices.printers.encoding import document_bytes
from devices.printers.layout import render_receipt, render_ticket
from devices.printers.preview import render_pages
from devices.printers.sample import sample_receipt, sample_ticket
from devices.status import DeviceState


def _ticket_bytes(paper: str = "80mm") -> bytes:
    return document_bytes(render_ticket(sample_ticket(), paper), paper)


def test_file_printer_creates_parent_directories_and_appends_jobs(tmp_path: Path) -> None:
    target = tmp_path / "kiosk" / "out" / "ticket.bin"
    printer = open_printer(f"file://{target}")
    assert target.exists() and target.read_bytes() == b""  # created when opened
    assert printer.status().state is DeviceState.READY
    printer.print_ticket(sample_ticket())
    printer.print_receipt(sample_receipt())
    printer.close()
    receipt_bytes = document_bytes(render_receipt(sample_receipt(), "80mm"), "80mm")
    assert target.read_bytes() == _ticket_bytes() + receipt_bytes
    assert len(render_pages(target.read_bytes(), "80mm")) == 2


def test_append_mode_keeps_what_an_earlier_run_printed(tmp_path: Path) -> None:
    target = tmp_path / "ticket.bin"
    target.write_bytes(b"\x1b@")
    printer = open_printer(f"file://{target}?mode=append")
    printer.print_ticket(sample_ticket())
    printer.close()
    assert target.read_bytes() == b"\x1b@" + _ticket_bytes()


def test_overwrite_mode_keeps_only_the_last_job(tmp_path: Path) -> None:
    target = tmp_path / "ticket.bin"
    printer = open_printer(f"file://{target}?mode=overwrite", "58mm")
    printer.print_receipt(sample_receipt())
    printer.print_ticket(sample_ticket())
    printer.close()
    assert target.read_bytes() == _ticket_bytes("58mm")


def test_relative_path_is_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    printer = open_printer("file://var/kiosk/ticket.bin")
    printer.print_ticket(sample_ticket())
    printer.close()
    assert (tmp_path / "var" / "kiosk" / "ticket.bin").read_bytes() == _ticket_bytes()


def test_directory_that_disappears_makes_the_printer_offline_until_it_is_back(tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    printer = open_printer(f"file://{folder}/ticket.bin")
    shutil.rmtree(folder)
    status = printer.status()
    assert (status.state, status.reason) == (DeviceState.OFFLINE, "not_writable")
    assert str(folder) in status.message_en
    with pytest.raises(PrinterError) as caught:
        printer.print_ticket(sample_ticket())
    assert caught.value.reason == "not_writable"
    assert not folder.exists()  # not silently recreated: someone removed it on purpose
    folder.mkdir()
    assert printer.status().state is DeviceState.READY
    printer.print_ticket(sample_ticket())
    printer.close()
    assert (folder / "ticket.bin").read_bytes() == _ticket_bytes()


def test_path_that_is_a_directory_is_offline_with_a_reason(tmp_path: Path) -> None:
    printer = open_printer(f"file://{tmp_path}/ticket.bin")
    (tmp_path / "ticket.bin").unlink()
    (tmp_path / "ticket.bin").mkdir()
    with pytest.raises(PrinterError) as caught:
        printer.print_ticket(sample_ticket())
    assert caught.value.reason == "not_writable"
    assert "is a directory" in printer.status().message_en


def test_preview_command_reads_what_a_file_printer_wrote(tmp_path: Path) -> None:
    from devices.printers.preview import main

    target = tmp_path / "ticket.bin"
    printer = open_printer(f"file://{target}", "58mm")
    printer.print_receipt(sample_receipt())
    printer.print_ticket(sample_ticket())
    printer.close()
    assert main([str(target), str(tmp_path / "all.png"), "--paper", "58mm"]) == 0
    assert main([str(target), str(tmp_path / "last.png"), "--paper", "58mm", "--last"]) == 0
    from PIL import Image

    last = Image.open(tmp_path / "last.png")
    assert last.width == 384
    assert Image.open(tmp_path / "all.png").height > last.height + 500
    assert main([str(tmp_path / "missing.bin"), str(tmp_path / "x.png")]) == 1
