"""Server settings from the environment (MOTCUA_*), read through a cached getter."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "motcua-demo-secret-change-me"


class ServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MOTCUA_", extra="ignore")

    database_url: str = "sqlite:///var/motcua.sqlite3"
    config_dir: Path = Path("config/demo")
    demo: bool = False
    secret: str = Field(
        default=DEFAULT_SECRET, description="keys ID-number hashes and encryption (≥ 32 bytes)"
    )
    # Earlier secrets, still readable while `motcua keys rotate` re-seals rows (JSON list in the environment).
    old_secrets: list[str] = Field(default_factory=list)
    # How long after submitting a case its kiosk may still fetch the receipt.
    kiosk_receipt_minutes: float = 10.0
    token_ttl_hours: float = 12.0
    host: str = "127.0.0.1"
    port: int = 8000
    # Fan-out of events between server processes: "none" (one process), "postgres" (LISTEN/NOTIFY).
    event_fanout: str = "none"
    public_url: str = "http://127.0.0.1:8000"
    # Scanned papers, stored by content hash; default: `files/` beside an SQLite database, else var/files.
    files_dir: Path | None = None


@lru_cache(maxsize=1)
def get_settings() -> ServerSettings:
    return ServerSettings()
