"""The device registry opens what the config names; a device that cannot open is offline, not a crash."""

from __future__ import annotations

import pytest

from devices import registry
from devices.config import parse_devices_config
from devices.printers.escpos_printer import EscposTicketPrinter
from devices.printers.fake import FakeTicketPrinter
from devices.status import DeviceState, DeviceStatus

CONFIG = """
[printers.ticket]
url = "dummy://"
paper = "58mm"

[printers.spare]
url = "fake://?fault=paper_out"

[scanners.camera]
url = "loop://"
"""


class StubScanner:
    def __init__(self, url: str) -> None:
        self.url = url
        self.closed = False

    def status(self) -> DeviceStatus:
        return DeviceStatus(DeviceState.DEGRADED, "stub", "thử", "stub")

    def close(self) -> None:
        self.closed = True


def test_opens_printers_and_scanners_and_reports_each_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "open_scanner", StubScanner)
    devices = registry.open_devices(parse_devices_config(CONFIG))
    assert isinstance(devices.printers["ticket"], EscposTicketPrinter)
    assert devices.printers["ticket"].paper == "58mm"
    assert isinstance(devices.printers["spare"], FakeTicketPrinter)
    scanner = devices.scanners["camera"]
    assert isinstance(scanner, StubScanner) and scanner.url == "loop://"
    rows = {row["name"]: row for row in (device.as_dict() for device in devices.devices)}
    assert rows["ticket"]["status"]["state"] == "ready"
    assert (rows["spare"]["status"]["state"], rows["spare"]["status"]["reason"]) == ("offline", "paper_out")
    assert rows["camera"]["kind"] == "scanner" and rows["camera"]["status"]["reason"] == "stub"
    devices.close()
    assert scanner.closed
    assert devices.printers["ticket"].status().reason == "closed"


def test_a_scanner_that_cannot_open_is_listed_offline_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(url: str) -> object:
        raise ImportError("cannot import name 'open_scanner' from 'devices.scanners'")

    monkeypatch.setattr(registry, "open_scanner", missing)
    devices = registry.open_devices(parse_devices_config(CONFIG))
    camera = next(device for device in devices.devices if device.name == "camera")
    status = camera.status()
    assert (status.state, status.reason) == (DeviceState.OFFLINE, "unavailable")
    assert "open_scanner" in status.message_en
    assert "camera" not in devices.scanners
    assert set(devices.printers) == {"ticket", "spare"}


def test_a_device_whose_status_raises_is_reported_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken(StubScanner):
        def status(self) -> DeviceStatus:
            raise RuntimeError("driver bug")

    monkeypatch.setattr(registry, "open_scanner", Broken)
    devices = registry.open_devices(parse_devices_config(CONFIG))
    camera = next(device for device in devices.devices if device.name == "camera")
    assert camera.status().reason == "unavailable"
    assert "driver bug" in camera.status().message_en
