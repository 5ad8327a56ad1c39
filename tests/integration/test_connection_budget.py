"""Server processes stay within PostgreSQL's connections, so a burst of boards connecting is served.

What bench_province found at 4 processes: each process's pool could open 40 connections (20 + 20 overflow),
4 × 41 passed the server's max_connections (100), and when 700 clients connected at once PostgreSQL refused
some ("too many clients"); the WebSocket handshakes that needed those connections ended in HTTP 500 and
those boards saw none of their office's calls. Here PostgreSQL allows the server's role 8 connections; two processes with
a pool of 2 + 1 (and one LISTEN each) fit, and 60 boards connecting at once all connect and all get the
tickets issued afterwards, 80 at once on each process.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import websockets
from sqlalchemy.engine import make_url

from queue_server.app import build_context
from queue_server.services import build_services
from queue_server.settings import ServerSettings
from tests.conftest import FIXTURES
from tests.processes import SECRET, serve_processes

CONFIG = FIXTURES / "config" / "province"
OFFICE = "CAXAB"
BOARDS = [f"board-ab-{index:02d}-key-for-budget-0001" for index in range(60)]
KIOSK = "kiosk-ab-key-for-budget-00001"
LIMIT = 8  # connections the database accepts
TICKETS = 160
POOL = {"MOTCUA_DB_POOL_SIZE": "2", "MOTCUA_DB_MAX_OVERFLOW": "1"}  # 2 × (3 + LISTEN) = 8


@contextmanager
def limited_role(database_url: str, limit: int) -> Iterator[str]:
    """The database's URL for a role that may hold `limit` connections (a superuser has no limit): PostgreSQL
    refuses the next one as it does past max_connections. It acts with the tables' owner's rights."""
    url = make_url(database_url)
    role = f"budget_{url.database}"[:60]
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT {limit}')
        connection.execute(f'GRANT "{url.username}" TO "{role}"')
    try:
        yield url.set(username=role).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (role,)
            )
            connection.execute(f'DROP ROLE "{role}"')


def place_devices(database_url: str) -> None:
    ctx = build_context(ServerSettings(database_url=database_url, config_dir=CONFIG, secret=SECRET))
    auth = build_services(ctx).auth
    for index, key in enumerate(BOARDS):
        auth.add_device(name=f"board-ab-{index}", role="display", office=OFFICE, key=key)
    auth.add_device(name="kiosk-ab", role="kiosk", office=OFFICE, key=KIOSK)
    ctx.db.dispose()


async def issued_seen(socket: Any) -> int:
    """The tickets a board saw issued, once it has seen them all (or the stream stopped)."""
    numbers: set[str] = set()
    while len(numbers) < TICKETS:
        event = json.loads(await asyncio.wait_for(socket.recv(), 120))
        if event["type"] == "ticket.issued":
            numbers.add(event["data"]["ticket"]["number"])
    return len(numbers)


def test_a_burst_of_boards_on_two_processes_stays_within_the_database_connections(
    postgres_url: str, tmp_path: Path
) -> None:
    place_devices(postgres_url)
    with (
        limited_role(postgres_url, LIMIT) as limited_url,
        serve_processes(
            2,
            database_url=limited_url,
            config_dir=CONFIG,
            logs=tmp_path,
            MOTCUA_EVENT_FANOUT="postgres",
            **POOL,
        ) as bases,
    ):

        async def scenario() -> list[int]:
            urls = [
                bases[index % 2].replace("http", "ws") + f"/api/v1/events?key={key}"
                for index, key in enumerate(BOARDS)
            ]
            sockets = await asyncio.gather(*(websockets.connect(url) for url in urls))  # all at once
            try:
                async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=None)) as http:
                    # 80 kiosks' tickets at once on each process: every request holds a connection while
                    # it waits its turn to write the event log, so each process wants its whole pool.
                    issued = await asyncio.gather(
                        *(
                            http.post(
                                f"{bases[index % 2]}/api/v1/tickets",
                                json={"queue": "A"},
                                headers={"X-Device-Key": KIOSK},
                            )
                            for index in range(TICKETS)
                        )
                    )
                assert [answer.status_code for answer in issued] == [201] * TICKETS
                return await asyncio.gather(*(issued_seen(socket) for socket in sockets))
            finally:
                await asyncio.gather(*(s.close() for s in sockets))

        seen = asyncio.run(scenario())
    assert seen == [TICKETS] * len(BOARDS)  # every board, every ticket
    logs = "".join(path.read_text() for path in tmp_path.glob("serve-*.log"))
    assert "too many connections" not in logs and "too many clients" not in logs
