"""The kiosk's own settings (config/demo/kiosk.toml), checked with every problem named by key.

The device key may come from the environment (MOTCUA_KIOSK_KEY) so that it need not sit in a file.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

KEY_ENV = "MOTCUA_KIOSK_KEY"


class KioskConfigError(ValueError):
    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{source}: {problem}" for problem in problems))


class KioskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    server: str = "http://127.0.0.1:8000"
    device_key: str = ""
    office: str = ""
    public_url: str = ""
    devices: str = ""
    language: Literal["vi", "en"] = "vi"
    high_contrast: bool = False
    font_scale: float = Field(default=1.0, ge=0.8, le=2.0)
    idle_seconds: float = Field(default=60.0, gt=0, le=3600)
    idle_countdown_seconds: float = Field(default=15.0, gt=0, le=600)
    health_poll_seconds: float = Field(default=5.0, gt=0, le=600)
    request_timeout_seconds: float = Field(default=8.0, gt=0, le=120)
    maintenance_pin: str = Field(default="2468", pattern=r"^\d{4,8}$")
    emulated_frames: str = "var/kiosk/camera"
    emulated_ticket_file: str = "var/kiosk/ticket.bin"
    # The window: 0 = the X screen's own size (full screen) or 1280×800 (windowed); the layout is
    # portrait when the window is taller than wide unless `orientation` names one.
    display_width: int = Field(default=0, ge=0, le=10_000)
    display_height: int = Field(default=0, ge=0, le=10_000)
    orientation: Literal["auto", "landscape", "portrait"] = "auto"

    @field_validator("server", "public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError(f"must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @property
    def ticket_page_base(self) -> str:
        """Where a phone opens a ticket: PUBLIC_URL/t/{public_code}."""
        return self.public_url or self.server


def _problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        key = "kiosk." + ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key (see config/demo/kiosk.toml for the keys)"
        if item["type"] == "string_pattern_mismatch":
            message = "must be 4 to 8 digits"
        problems.append(f"{key}: {message}")
    return problems


def parse_kiosk_config(
    text: str, source: str = "<kiosk config>", overrides: dict[str, object] | None = None
) -> KioskConfig:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise KioskConfigError(source, [f"not valid TOML: {error}"]) from None
    unknown = sorted(set(raw) - {"kiosk"})
    if unknown:
        raise KioskConfigError(source, [f"unknown table(s) {', '.join(unknown)}: only [kiosk] is read"])
    values = dict(raw.get("kiosk", {}))
    values.update({key: value for key, value in (overrides or {}).items() if value is not None})
    try:
        return KioskConfig.model_validate(values)
    except ValidationError as error:
        raise KioskConfigError(source, _problems(error)) from None


def load_kiosk_config(path: Path | str | None, overrides: dict[str, object] | None = None) -> KioskConfig:
    """Read the file (or only defaults when None), then apply overrides and MOTCUA_KIOSK_KEY."""
    text, source = "", "<defaults>"
    if path is not None:
        file = Path(path)
        source = str(file)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise KioskConfigError(source, [f"cannot read the file: {error.strerror or error}"]) from None
    merged = dict(overrides or {})
    if os.environ.get(KEY_ENV):
        merged["device_key"] = os.environ[KEY_ENV]
    return parse_kiosk_config(text, source, merged)
