"""`motcua user add|device add --office CODE`: every person and device is placed in one office of offices.toml."""

from __future__ import annotations

from fastapi.testclient import TestClient

from queue_server.app import build_context, create_app
from queue_server.settings import ServerSettings
from tests.conftest import FIXTURES
from tests.integration.test_cli import motcua

PROVINCE_CONFIG = str(FIXTURES / "config" / "province")


def test_people_and_devices_get_the_office_given_or_the_first(sqlite_url: str) -> None:
    env = {"MOTCUA_CONFIG_DIR": PROVINCE_CONFIG}
    staff = motcua(
        "user",
        "add",
        "canbo.ab",
        "--role",
        "staff",
        "--password",
        "mat-khau-dai",
        "--office",
        "caxab",
        database_url=sqlite_url,
        **env,
    )
    assert staff.returncode == 0 and "added staff canbo.ab at office CAXAB" in staff.stdout, staff.stderr
    head = motcua(
        "user",
        "add",
        "giamsat",
        "--role",
        "supervisor",
        "--password",
        "mat-khau-dai",
        database_url=sqlite_url,
        **env,
    )
    assert "at office CATTN" in head.stdout  # no office given: the first (root) office
    kiosk = motcua(
        "device", "add", "kiosk-bm", "--role", "kiosk", "--office", "CAXBM", database_url=sqlite_url, **env
    )
    assert kiosk.returncode == 0 and "at office CAXBM" in kiosk.stdout
    key = kiosk.stdout.strip().splitlines()[-1]
    ctx = build_context(ServerSettings(database_url=sqlite_url, config_dir=FIXTURES / "config" / "province"))
    with TestClient(create_app(ctx)) as client:
        device = {"X-Device-Key": key}
        assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=device).json()["office"] == "CAXBM"
        outside = client.post("/api/v1/tickets", json={"queue": "A", "office": "CAXAB"}, headers=device)
        assert outside.status_code == 403


def test_an_unknown_office_is_refused_with_the_known_ones(sqlite_url: str) -> None:
    env = {"MOTCUA_CONFIG_DIR": PROVINCE_CONFIG}
    done = motcua(
        "user",
        "add",
        "canbo.x",
        "--role",
        "staff",
        "--password",
        "mat-khau-dai",
        "--office",
        "CAXYZ",
        database_url=sqlite_url,
        **env,
    )
    assert done.returncode == 1 and "No office CAXYZ" in done.stderr and "CAXAB" in done.stderr
    device = motcua(
        "device", "add", "board-x", "--role", "display", "--office", "NOWHERE", database_url=sqlite_url, **env
    )
    assert device.returncode == 1 and "Không có đơn vị NOWHERE" in device.stderr
