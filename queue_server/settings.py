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
    # Papers uploaded but never attached to a submitted case are deleted (rows and files) after this long.
    unattached_upload_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    # A kiosk's claim (who the citizen said they were) with no submitted case ends after this long.
    claim_minutes: float = Field(default=60.0, gt=0, le=24 * 60)
    host: str = "127.0.0.1"
    port: int = 8000
    # Fan-out of events between server processes: "none" (one process), "postgres" (LISTEN/NOTIFY).
    event_fanout: str = "none"
    # PostgreSQL connections of this process: a pool kept open plus overflow opened under load, and one more
    # for LISTEN. Every process together must stay under the server's max_connections (docs/deploy.md):
    # past it PostgreSQL refuses new connections and requests fail; within the pool they wait their turn.
    db_pool_size: int = Field(default=20, ge=1, le=500)
    db_max_overflow: int = Field(default=20, ge=0, le=500)
    public_url: str = "http://127.0.0.1:8000"
    # Scanned papers, stored by content hash; default: `files/` beside an SQLite database, else var/files.
    files_dir: Path | None = None
    # Country signing certificates (CSCA) that chip ID cards are checked against; none: "not verifiable".
    csca_dir: Path | None = None
    # Send the citizens' messages from this process (phone.toml names the gateways); off for a process
    # that only serves pages while another one sends.
    send_messages: bool = True
    # A counter whose officer's console page has sent no heartbeat this long is paused ("mất kết nối"),
    # checked every `presence_check_s` seconds (counters/presence.py).
    console_lost_after_minutes: float = Field(default=10.0, gt=0)
    presence_check_s: float = Field(default=15.0, gt=0)


@lru_cache(maxsize=1)
def get_settings() -> ServerSettings:
    return ServerSettings()
