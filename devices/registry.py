"""Open the devices a devices file names, and report how each one is.

A device that cannot be opened at all (a scanner whose driver is missing, say) is kept in the registry
as offline with the reason, so a kiosk still starts and `motcua devices` shows what is wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from devices.config import DevicesConfig
from devices.printers.port import TicketPrinter
from devices.printers.urls import open_printer
from devices.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)


class Device(Protocol):
    """What the registry needs from any device: TicketPrinter and CodeScanner both have it."""

    def status(self) -> DeviceStatus: ...

    def close(self) -> None: ...


@dataclass
class OpenedDevice:
    kind: str  # "printer", "scanner", "chip_reader" or "speaker"
    name: str
    url: str
    device: Device | None  # None when it could not be opened
    open_error: str = ""

    def status(self) -> DeviceStatus:
        if self.device is None:
            return _unavailable(self.open_error)
        try:
            return self.device.status()
        except Exception as error:  # a device's own bug must not take the listing down
            return _unavailable(f"status() failed: {error}")

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "url": self.url, "status": self.status().as_dict()}


def _unavailable(detail: str) -> DeviceStatus:
    return DeviceStatus(
        DeviceState.OFFLINE,
        "unavailable",
        "Không mở được thiết bị",
        f"Cannot open the device: {detail}",
    )


def open_scanner(url: str) -> Any:
    """devices.scanners.open_scanner, imported here so that printers work without the scanner code."""
    from devices.scanners import open_scanner as open_code_scanner

    return open_code_scanner(url)


def open_speaker(url: str) -> Any:
    """devices.audio.open_speaker, imported here so that printers work without the audio code."""
    from devices.audio import open_speaker as open_audio

    return open_audio(url)


def open_chip_reader(url: str, csca_dir: str | None) -> Any:
    """devices.chip.open_chip_reader, imported here so that printers work without the chip code."""
    from devices.chip import open_chip_reader as open_reader

    return open_reader(url, csca_dir)


class DeviceRegistry:
    def __init__(self, devices: list[OpenedDevice]) -> None:
        self.devices = devices

    @property
    def printers(self) -> dict[str, TicketPrinter]:
        return {d.name: d.device for d in self.devices if isinstance(d.device, TicketPrinter)}

    @property
    def scanners(self) -> dict[str, Any]:
        return {d.name: d.device for d in self.devices if d.kind == "scanner" and d.device is not None}

    @property
    def chip_readers(self) -> dict[str, Any]:
        return {d.name: d.device for d in self.devices if d.kind == "chip_reader" and d.device is not None}

    @property
    def speakers(self) -> dict[str, Any]:
        return {d.name: d.device for d in self.devices if d.kind == "speaker" and d.device is not None}

    def close(self) -> None:
        for opened in self.devices:
            if opened.device is not None:
                try:
                    opened.device.close()
                except Exception as error:
                    log.warning("closing %s %s failed: %s", opened.kind, opened.name, error)


def open_devices(config: DevicesConfig) -> DeviceRegistry:
    """Open every configured device; failures become offline entries, never exceptions."""
    opened: list[OpenedDevice] = []
    for name, printer in config.printers.items():
        opened.append(_open("printer", name, printer.url, partial(open_printer, printer.url, printer.paper)))
    for name, scanner in config.scanners.items():
        opened.append(_open("scanner", name, scanner.url, partial(open_scanner, scanner.url)))
    for name, chip_reader in config.chip_readers.items():
        opener = partial(open_chip_reader, chip_reader.url, chip_reader.csca_dir)
        opened.append(_open("chip_reader", name, chip_reader.url, opener))
    for name, speaker in config.speakers.items():
        opened.append(_open("speaker", name, speaker.url, partial(open_speaker, speaker.url)))
    return DeviceRegistry(opened)


def _open(kind: str, name: str, url: str, opener: Callable[[], Device]) -> OpenedDevice:
    try:
        device: Device = opener()
    except Exception as error:
        log.warning("cannot open %s %s (%s): %s", kind, name, url, error)
        return OpenedDevice(kind, name, url, None, f"{type(error).__name__}: {error}")
    return OpenedDevice(kind, name, url, device)
