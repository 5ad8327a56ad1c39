"""docs/deploy.md's backup and restore, done as written: pg_dump of a database with tickets, pg_restore into an
empty database, `motcua serve` on it — the tickets are readable and numbering carries on after them."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from queue_server.app import build_context, create_app
from queue_server.services import build_services
from queue_server.settings import ServerSettings
from tests.conftest import DEMO_CONFIG, postgres_admin_url
from tests.processes import SECRET, serve_processes
from tests.support import PASSWORD

KIOSK = {"X-Device-Key": "kiosk-backup-key-0123456789"}


@pytest.fixture
def empty_postgres_url(postgres_url: str) -> Iterator[str]:
    """A second, empty database beside `postgres_url`: where the backup is restored."""
    admin = postgres_admin_url()
    assert admin is not None  # postgres_url skipped otherwise
    name = f"motcua_r_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def libpq(url: str) -> str:
    """pg_dump and pg_restore take a plain postgresql:// address (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_restored_backup_is_served(postgres_url: str, empty_postgres_url: str, tmp_path: Path) -> None:
    settings = ServerSettings(database_url=postgres_url, config_dir=DEMO_CONFIG, secret=SECRET)
    ctx = build_context(settings)
    build_services(ctx).auth.add_user(username="canbo1", role="staff", password=PASSWORD)
    build_services(ctx).auth.add_device(name="kiosk-1", role="kiosk", key=KIOSK["X-Device-Key"])
    with TestClient(create_app(ctx)) as client:
        issued = [client.post("/api/v1/tickets", json={"queue": q}, headers=KIOSK).json() for q in "AAB"]
    ctx.db.dispose()

    backup = tmp_path / "motcua.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={backup}", libpq(postgres_url)], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={libpq(empty_postgres_url)}", str(backup)],
        check=True,
    )

    served = serve_processes(1, database_url=empty_postgres_url, config_dir=DEMO_CONFIG, logs=tmp_path)
    with served as bases, httpx.Client(base_url=bases[0], timeout=30) as restored:
        for ticket in issued:
            answer = restored.get(f"/api/v1/tickets/{ticket['id']}", headers=KIOSK)
            assert answer.status_code == 200, answer.text
            assert answer.json()["number"] == ticket["number"] and answer.json()["status"] == "waiting"
        after = restored.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        assert after["number"] == "A003" and after["id"] > max(t["id"] for t in issued)
        login = restored.post("/api/v1/auth/login", json={"username": "canbo1", "password": PASSWORD})
        assert login.status_code == 200  # accounts came back with the data
    assert [t["number"] for t in issued] == ["A001", "A002", "B001"]
