"""Several server processes on one PostgreSQL database: an event committed through one reaches the
event-stream clients of the other (LISTEN/NOTIFY), in seq order, once."""

from __future__ import annotations

import asyncio
import json

import httpx
import websockets

from queue_server.app import create_app
from queue_server.clock import system_clock
from queue_server.config import load_config
from queue_server.context import ServerContext
from queue_server.db.engine import Database
from queue_server.events.hub import EventHub
from queue_server.settings import ServerSettings
from tests.conftest import DEMO_CONFIG
from tests.support import DISPLAY_KEY, KIOSK, Server, make_server, running_server


def second_process(first: Server, database_url: str) -> Server:
    """Another server on the same database, as a second process behind a reverse proxy would be."""
    settings = ServerSettings(database_url=database_url, config_dir=DEMO_CONFIG, event_fanout="postgres")
    ctx = ServerContext(
        db=Database(database_url),
        config=load_config(DEMO_CONFIG),
        clock=system_clock,
        hub=EventHub(),
        settings=settings,
    )
    from queue_server.services import build_services

    return Server(ctx, build_services(ctx), create_app(ctx), system_clock)


def test_events_cross_processes_through_postgres(postgres_url: str) -> None:
    first = make_server(postgres_url, system_clock)
    first.ctx.settings.event_fanout = "postgres"
    second = second_process(first, postgres_url)
    with running_server(first) as base_one, running_server(second) as base_two:

        async def scenario() -> list[dict[str, object]]:
            url = base_two.replace("http", "ws") + f"/api/v1/events?since=0&key={DISPLAY_KEY}"
            async with websockets.connect(url) as socket:
                async with httpx.AsyncClient(base_url=base_one, headers=KIOSK) as client:
                    for queue in ("A", "B", "C"):
                        assert (
                            await client.post("/api/v1/tickets", json={"queue": queue})
                        ).status_code == 201
                return [json.loads(await asyncio.wait_for(socket.recv(), 30)) for _ in range(3)]

        received = asyncio.run(scenario())
    assert [e["data"]["ticket"]["number"] for e in received] == ["A001", "B001", "C001"]  # type: ignore[index]
    assert [e["seq"] for e in received] == sorted({e["seq"] for e in received})  # type: ignore[type-var]
