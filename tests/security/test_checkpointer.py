"""Issue 12, low: the background checkpointer of a SQLite server stopped for good after one error, and a
reader holding its transaction open made it fail silently. Now a failed round is logged and retried, and
checkpoints resume once the cause is gone."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from tests.security.conftest import sqlite_server
from tests.support import KIOSK, Server, running_server, wait_for

ROUNDS_TO_WAIT_S = 60


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return sqlite_server(sqlite_url)


def _state(server: Server) -> tuple[bool, int, int]:
    return server.ctx.db.background_checkpoints()  # running, rounds done, failures in a row


def _messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "queue_server.db.engine"]


def test_a_reader_holding_the_log_is_logged_and_the_checkpoints_resume_after_it(
    server: Server, base: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="queue_server.db.engine")
    path = Path(str(make_url(str(server.ctx.db.url)).database))
    with httpx.Client(base_url=base, timeout=60) as client:
        assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).status_code == 201
        assert wait_for(lambda: _state(server)[1] >= 1, seconds=ROUNDS_TO_WAIT_S)
        # Another program (a backup, a report) opens a read transaction and keeps it.
        reader = sqlite3.connect(path, isolation_level=None)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM ticket").fetchall()
        try:
            assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).status_code == 201
            assert wait_for(lambda: _state(server)[2] >= 1, seconds=ROUNDS_TO_WAIT_S)
            assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).status_code == 201
        finally:
            reader.execute("COMMIT")
            reader.close()
        assert wait_for(lambda: _state(server)[2] == 0, seconds=ROUNDS_TO_WAIT_S)
        assert _state(server)[0]
    messages = _messages(caplog)
    assert any("background checkpoint failed" in m and "busy" in m for m in messages), messages
    assert any("background checkpoints resumed" in m for m in messages), messages


@pytest.fixture
def failing_connects(server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The checkpointer's first connections fail as on a disk that answers I/O errors, from its very first
    round; other threads connect as usual. Yields the number of failures still to come."""
    left = [3]
    real = Engine.connect

    def connect(engine: Engine, *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "sqlite-checkpoint" and left[0] > 0:
            left[0] -= 1
            raise sqlite3.OperationalError("disk I/O error")
        return real(engine, *args, **kwargs)

    monkeypatch.setattr(Engine, "connect", connect)
    yield left


def test_the_checkpointer_survives_errors_and_checkpoints_once_they_stop(
    server: Server, failing_connects: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="queue_server.db.engine")
    with running_server(server) as base, httpx.Client(base_url=base, timeout=60) as client:
        assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).status_code == 201
        assert wait_for(lambda: _state(server)[1] >= 1, seconds=ROUNDS_TO_WAIT_S), _messages(caplog)
        running, _, failures = _state(server)
        assert running and failures == 0 and failing_connects == [0]
        assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).status_code == 201
    messages = _messages(caplog)
    assert any("background checkpoint failed (disk I/O error)" in m for m in messages), messages
    assert any("resumed after 3 failures" in m for m in messages), messages
