"""The server most integration tests talk to: the demo office on a fresh SQLite file, the clock at T0."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import Server, client_for, make_server


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return make_server(sqlite_url, ManualClock(T0))


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client
