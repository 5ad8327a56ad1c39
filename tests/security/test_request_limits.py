"""Issue 12, medium 6: bodies are limited per route while they are read, and credentials come first."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import DEMO_CONFIG, T0
from tests.fixtures.dossiers.helpers import page_jpeg, register, upload
from tests.security.conftest import send_head_only, sqlite_server
from tests.support import KIOSK, KIOSK_KEY, Server, make_server, running_server

MB = 1024 * 1024


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return sqlite_server(sqlite_url)  # one process on its SQLite file (see tests/security/conftest.py)


def test_a_huge_body_without_credentials_is_refused_before_it_is_read(base: str) -> None:
    host = base.removeprefix("http://")
    status, body = send_head_only(
        base,
        f"POST /api/v1/tickets HTTP/1.1\nHost: {host}\nContent-Type: application/json\n"
        f"Content-Length: {80 * MB}\n",
    )
    assert status == 401
    assert json.loads(body)["code"] == "unauthorized"


def test_an_upload_with_a_wrong_key_is_refused_before_it_is_read(base: str) -> None:
    host = base.removeprefix("http://")
    status, body = send_head_only(
        base,
        f"POST /api/v1/documents HTTP/1.1\nHost: {host}\nX-Device-Key: not-a-key\n"
        f"Content-Type: multipart/form-data; boundary=x\nContent-Length: {1024 * MB}\n",
    )
    assert status == 401
    assert json.loads(body)["code"] == "bad_device_key"


def test_an_upload_announced_over_the_request_cap_gets_413_at_once(base: str) -> None:
    host = base.removeprefix("http://")
    status, body = send_head_only(
        base,
        f"POST /api/v1/documents HTTP/1.1\nHost: {host}\nX-Device-Key: {KIOSK_KEY}\n"
        f"Content-Type: multipart/form-data; boundary=x\nContent-Length: {1024 * MB}\n",
    )
    assert status == 413
    answer = json.loads(body)
    assert answer["code"] == "request_too_large"
    assert answer["error"]["details"]["limit_bytes"] < 100 * MB


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    yield b'{"queue": "A", "padding": "'
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}'


def test_a_streamed_json_body_is_cut_off_at_the_route_limit(base: str) -> None:
    # No Content-Length (chunked): only counting while reading can stop it.
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.post(
            "/api/v1/tickets",
            content=_chunks(8 * MB),
            headers={**KIOSK, "Content-Type": "application/json"},
        )
    assert answer.status_code == 413, answer.text
    assert answer.json()["code"] == "request_too_large"
    assert "quá lớn" in answer.json()["message"]


def test_an_anonymous_public_path_takes_only_a_small_body(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.post(
            "/api/v1/auth/login",
            json={"username": "canbo1", "password": "x" * (64 * 1024)},
        )
        assert answer.status_code == 413, answer.text
        # The server is still there for everyone else.
        assert client.get("/api/v1/health").status_code == 200


def test_ordinary_requests_still_pass(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
    assert answer.status_code == 201, answer.text


def test_a_device_uploads_at_most_its_daily_quota(tmp_path: Path, sqlite_url: str) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    procedures = config / "procedures.toml"
    procedures.write_text(
        re.sub(
            r"(?m)^max_upload_mb_per_device_per_day = .*$",
            "max_upload_mb_per_device_per_day = 0.1",
            procedures.read_text(encoding="utf-8"),
        ),
        encoding="utf-8",
    )
    clock = ManualClock(T0)
    server = make_server(sqlite_url, clock, config)
    page = [("trang.png", _noise_png(240), "image/png")]  # ~170 KB: over the 0.1 MB of a day
    small = [("trang.jpg", page_jpeg("nho"), "image/jpeg")]
    with running_server(server) as base, httpx.Client(base_url=base, timeout=30) as client:
        register(client)
        assert upload(client, "GTCMCHO", small).status_code == 201
        refused = upload(client, "GTCMCHO", page)
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "upload_quota_reached"
        assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
        clock.advance(days=1)  # a new business day
        assert upload(client, "GTCMCHO", small).status_code == 201


def _noise_png(side: int) -> bytes:
    import io
    import random

    from PIL import Image

    rng = random.Random(7)
    image = Image.frombytes("RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3)))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
