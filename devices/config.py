"""The devices file of a kiosk (e.g. config/demo/devices.toml): which printer and scanners it has, by URL.

    [printers.ticket]
    url = "file://var/kiosk/ticket.bin"
    paper = "80mm"

    [scanners.camera]
    url = "camera+file://var/kiosk/camera"

    [speakers.hall]
    url = "alsa://default"           # or file:///var/kiosk/spoken, dummy:// (see devices/audio)
    voice = "vi"

    [chip_readers.desk]
    url = "pcsc://"                  # or pcsc://<part of the reader's name>
    csca_dir = "/etc/motcua/csca"    # the country signing certificates the office installed

Every problem is reported as `<file>: <key>: <what is wrong>`, all of them at once.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devices.printers.errors import PrinterUrlError
from devices.printers.urls import parse_printer_url

SCANNER_EXAMPLES: dict[str, str] = {
    "camera": "camera://0",
    "camera+file": "camera+file:///var/kiosk/camera",
    "serial": "serial:///dev/ttyACM0?baudrate=9600",
    "hid": "hid:///dev/input/event3",
    "loop": "loop://",
    "fake": "fake://",
}
_NAME_PATTERN = r"^[a-z][a-z0-9_-]*$"


class DevicesConfigError(ValueError):
    """A devices file that cannot be used; one line per problem."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = str(path)
        self.problems = problems
        super().__init__("\n".join(f"{path}: {problem}" for problem in problems))


class PrinterConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    paper: Literal["80mm", "58mm"] = "80mm"

    @field_validator("url")
    @classmethod
    def _printer_url(cls, url: str) -> str:
        try:
            parse_printer_url(url)
        except PrinterUrlError as error:
            raise ValueError(str(error)) from None
        return url


class ScannerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str

    @field_validator("url")
    @classmethod
    def _scanner_url(cls, url: str) -> str:
        scheme, separator, rest = url.partition("://")
        examples = ", ".join(SCANNER_EXAMPLES.values())
        if not separator or scheme.lower() not in SCANNER_EXAMPLES:
            raise ValueError(f"unknown scanner URL {url!r}; use one of {examples}")
        if scheme.lower() not in ("loop", "fake") and not rest.split("?")[0]:
            raise ValueError(f"{url!r} names no device, e.g. {SCANNER_EXAMPLES[scheme.lower()]}")
        return url


class ChipReaderConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    csca_dir: str | None = None

    @field_validator("url")
    @classmethod
    def _chip_reader_url(cls, url: str) -> str:
        scheme, separator, _ = url.partition("://")
        if not separator or scheme.lower() not in ("pcsc", "fake"):
            raise ValueError(
                f"unknown chip reader URL {url!r}; use pcsc:// (optionally pcsc://<reader name>) or fake://"
            )
        return url


class SpeakerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str
    voice: str = Field(default="vi", pattern=r"^[a-z][a-z0-9-]{1,30}$")  # espeak-ng's voice, as the board's
    speed_wpm: int = Field(default=130, ge=80, le=300)

    @field_validator("url")
    @classmethod
    def _speaker_url(cls, url: str) -> str:
        from devices.audio.speakers import SPEAKER_EXAMPLES

        scheme, separator, rest = url.partition("://")
        if not separator or scheme.lower() not in SPEAKER_EXAMPLES:
            raise ValueError(
                f"unknown speaker URL {url!r}; use one of {', '.join(SPEAKER_EXAMPLES.values())}"
            )
        if scheme.lower() == "file" and not rest:
            raise ValueError(f"{url!r} names no folder, e.g. {SPEAKER_EXAMPLES['file']}")
        return url


class DevicesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    printers: dict[str, PrinterConfig] = Field(default_factory=dict)
    scanners: dict[str, ScannerConfig] = Field(default_factory=dict)
    chip_readers: dict[str, ChipReaderConfig] = Field(default_factory=dict)
    speakers: dict[str, SpeakerConfig] = Field(default_factory=dict)

    @field_validator("printers", "scanners", "chip_readers", "speakers")
    @classmethod
    def _names(cls, devices: dict[str, object]) -> dict[str, object]:
        import re

        for name in devices:
            if not re.match(_NAME_PATTERN, name):
                raise ValueError(f"device name {name!r} must be lower case letters, digits, '_' or '-'")
        return devices


def _problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (allowed: printers.<name>.url/paper, scanners.<name>.url, chip_readers.<name>.url/csca_dir, speakers.<name>.url/voice/speed_wpm)"
        problems.append(f"{key}: {message}")
    return problems


def parse_devices_config(text: str, source: Path | str = "<devices config>") -> DevicesConfig:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DevicesConfigError(source, [f"not valid TOML: {error}"]) from None
    try:
        return DevicesConfig.model_validate(raw)
    except ValidationError as error:
        raise DevicesConfigError(source, _problems(error)) from None


def load_devices_config(path: Path | str) -> DevicesConfig:
    """Read and check a devices TOML file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise DevicesConfigError(file, [f"cannot read the file: {error.strerror or error}"]) from None
    except UnicodeDecodeError:
        raise DevicesConfigError(file, ["the file is not UTF-8 text"]) from None
    return parse_devices_config(text, file)
