"""The `motcua` command: users, device keys, migrations, and refusing default secrets outside the demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from tests.conftest import DEMO_CONFIG, ROOT


def motcua(
    *args: str, database_url: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "MOTCUA_DATABASE_URL": database_url,
        "MOTCUA_CONFIG_DIR": str(DEMO_CONFIG),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "motcua", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        input=stdin,
        check=False,
    )


def test_device_add_prints_the_key_alone_on_its_last_line(sqlite_url: str) -> None:
    done = motcua("device", "add", "kiosk-sanh-chinh", "--role", "kiosk", database_url=sqlite_url)
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip().splitlines()[-1]
    assert len(key) >= 32 and " " not in key
    # The key works against a server on that database.
    from fastapi.testclient import TestClient

    from queue_server.app import build_context, create_app
    from queue_server.settings import ServerSettings

    ctx = build_context(ServerSettings(database_url=sqlite_url, config_dir=DEMO_CONFIG))
    with TestClient(create_app(ctx)) as client:
        answer = client.post("/api/v1/tickets", json={"queue": "A"}, headers={"X-Device-Key": key})
        assert answer.status_code == 201, answer.text
    again = motcua("device", "add", "kiosk-sanh-chinh", "--role", "kiosk", database_url=sqlite_url)
    assert again.returncode == 1 and "exists" in again.stderr


def test_user_add_with_and_without_password(sqlite_url: str) -> None:
    done = motcua(
        "user", "add", "canbo9", "--role", "staff", "--password", "mat-khau-dai", database_url=sqlite_url
    )
    assert done.returncode == 0 and "added staff canbo9" in done.stdout
    weak = motcua("user", "add", "canbo8", "--role", "staff", "--password", "123", database_url=sqlite_url)
    assert weak.returncode == 1 and "8 characters" in weak.stderr


def test_migrate_brings_an_empty_database_to_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    done = motcua("migrate", database_url=url)
    assert done.returncode == 0, done.stderr
    tables = set(inspect(create_engine(url)).get_table_names())
    assert {
        "ticket",
        "ticket_event",
        "event_log",
        "counter_state",
        "app_user",
        "device",
        "alembic_version",
    } <= tables
    with create_engine(url).connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() is not None
    assert motcua("migrate", database_url=url).returncode == 0  # idempotent


def test_non_demo_start_refuses_default_secrets(sqlite_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "MOTCUA_SECRET"}
    done = subprocess.run(
        [sys.executable, "-m", "motcua", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env={**env, "MOTCUA_DATABASE_URL": sqlite_url, "MOTCUA_CONFIG_DIR": str(DEMO_CONFIG)},
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2 and "MOTCUA_SECRET is the default" in done.stderr


def test_a_broken_config_is_reported_with_file_and_key(tmp_path: Path, sqlite_url: str) -> None:
    import shutil

    config = tmp_path / "cfg"
    shutil.copytree(DEMO_CONFIG, config)
    queues = config / "queues.toml"
    queues.write_text(queues.read_text(encoding="utf-8").replace("daily_cap = 600", "daily_cap = -1", 1))
    done = motcua("migrate", database_url=sqlite_url, MOTCUA_CONFIG_DIR=str(config))
    assert done.returncode == 2
    assert "queues.toml: queue[0].daily_cap" in done.stderr
