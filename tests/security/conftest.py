"""Security tests run against both databases: a server at T0 on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import Server, client_for, make_server


@pytest.fixture
def server(database_url: str) -> Server:
    return make_server(database_url, ManualClock(T0))


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client
