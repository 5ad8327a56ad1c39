"""The board's settings from ``config/<office>/board.toml``: notice, layout, voice.

The file is optional: without it every key has a default. A file with mistakes is refused as a whole
with one line per problem naming the file, the key and what is wrong, e.g.

    config/demo/board.toml: voice.repeat: Input should be less than or equal to 5
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from display_board.voice.announce import VoiceSettings

BOARD_FILE = "board.toml"
DEFAULT_VOICE_DIR = Path("var/voice/generated")


class BoardConfigError(Exception):
    """board.toml cannot be used; ``problems`` holds one "file: key: problem" line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class BoardSettings(BaseModel):
    """What a lobby board shows and says. Every key is optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    office: str | None = Field(default=None, max_length=16)  # office code; default: the server's first
    title: str | None = Field(default=None, max_length=120)  # header; default: the office's name_vi
    notice: str | None = Field(default=None, max_length=2000)  # scrolling text; default: office notice_vi
    notice_speed: int = Field(default=80, ge=20, le=400)  # pixels per second of the scrolling notice
    columns: int = Field(default=0, ge=0, le=8)  # counter tiles per row; 0 = fit the screen
    highlight_count: int = Field(default=5, ge=1, le=10)  # recent calls listed beside the tiles
    flash_seconds: int = Field(default=8, ge=0, le=60)  # how long the newest call pulses (0 = never)
    show_queues: bool = True  # the waiting count and expected wait of each queue
    voice_enabled: bool = True  # speak the calls (chime + announcement)
    voice_dir: Path = DEFAULT_VOICE_DIR  # generated clips (motcua voice build --out)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)


def load_board_settings(config_dir: Path) -> BoardSettings:
    """The settings of ``config_dir/board.toml``, or the defaults when there is no such file."""
    path = config_dir / BOARD_FILE
    if not path.exists():
        return BoardSettings()
    return parse_board_settings(path)


def parse_board_settings(path: Path) -> BoardSettings:
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BoardConfigError([f"{path}: cannot read the file: {error.strerror or error}"]) from None
    except UnicodeDecodeError:
        raise BoardConfigError([f"{path}: the file is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as error:
        raise BoardConfigError([f"{path}: not valid TOML: {error}"]) from None
    try:
        return BoardSettings.model_validate(table)
    except ValidationError as error:
        raise BoardConfigError([_problem(path, item) for item in error.errors()]) from None


def _problem(path: Path, item: object) -> str:
    assert isinstance(item, dict)
    key = ".".join(str(part) for part in item.get("loc", ())) or "(top level)"
    message = str(item.get("msg", "invalid value"))
    if item.get("type") == "extra_forbidden":
        message = f"unknown key (known: {', '.join(_known_keys(key))})"
    return f"{path}: {key}: {message}"


def _known_keys(key: str) -> list[str]:
    model: type[BaseModel] = VoiceSettings if key.startswith("voice.") else BoardSettings
    return sorted(model.model_fields)
