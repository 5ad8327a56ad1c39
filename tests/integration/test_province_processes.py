"""A province on one PostgreSQL database served by two `motcua serve` processes (as behind a reverse proxy).

Boards of two commune offices are connected to process B; every call made through process A reaches each
board in order, and nothing of the province office (a third office, busy at the same time) reaches either.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from queue_server.app import build_context
from queue_server.services import build_services
from queue_server.settings import ServerSettings
from tests.conftest import FIXTURES
from tests.processes import SECRET, serve_processes
from tests.support import PASSWORD

CONFIG = FIXTURES / "config" / "province"
PROVINCE, AB, BM = "CATTN", "CAXAB", "CAXBM"
KIOSKS = {office: f"kiosk-{office.lower()}-key-0123456789" for office in (PROVINCE, AB, BM)}
BOARDS = {office: f"board-{office.lower()}-key-0123456789" for office in (AB, BM)}
STAFF = {PROVINCE: "canbo.tinh", AB: "canbo.ab", BM: "canbo.bm"}


def place_everyone(database_url: str) -> None:
    ctx = build_context(ServerSettings(database_url=database_url, config_dir=CONFIG, secret=SECRET))
    auth = build_services(ctx).auth
    for office, username in STAFF.items():
        auth.add_user(username=username, role="staff", password=PASSWORD, office=office)
    for office, key in KIOSKS.items():
        auth.add_device(name=f"kiosk-{office.lower()}", role="kiosk", office=office, key=key)
    for office, key in BOARDS.items():
        auth.add_device(name=f"board-{office.lower()}", role="display", office=office, key=key)
    ctx.db.dispose()


@pytest.fixture
def two_servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    place_everyone(postgres_url)  # also brings the database to the schema before either process starts
    with serve_processes(
        2, database_url=postgres_url, config_dir=CONFIG, logs=tmp_path, MOTCUA_EVENT_FANOUT="postgres"
    ) as bases:
        yield bases[0], bases[1]


async def _calls_through(base: str) -> dict[str, list[str]]:
    """Each office issues three tickets and calls them one by one; the numbers called, per office, in order."""
    called: dict[str, list[str]] = {office: [] for office in STAFF}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        tokens = {}
        for office, username in STAFF.items():
            login = await client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            tokens[office] = {"Authorization": f"Bearer {login.json()['access_token']}"}
            assert (await client.post("/api/v1/counters/1/open", headers=tokens[office])).status_code == 200
        for office in STAFF:
            for _ in range(3):
                kiosk = {"X-Device-Key": KIOSKS[office]}
                assert (
                    await client.post("/api/v1/tickets", json={"queue": "A"}, headers=kiosk)
                ).status_code == 201
        for _ in range(3):
            for office in (PROVINCE, AB, BM):  # the third office is busy between every call of the other two
                answer = await client.post("/api/v1/counters/1/call-next", headers=tokens[office])
                assert answer.status_code == 200, answer.text
                called[office].append(answer.json()["number"])
    return called


async def _board_until(socket: Any, office: str, expected_calls: int) -> list[dict[str, Any]]:
    received: list[dict[str, Any]] = []
    while sum(1 for e in received if e["type"] == "ticket.called") < expected_calls:
        received.append(json.loads(await asyncio.wait_for(socket.recv(), 60)))
    return received


def test_boards_on_one_process_see_every_call_made_through_the_other(two_servers: tuple[str, str]) -> None:
    base_a, base_b = two_servers

    async def scenario() -> tuple[dict[str, list[str]], dict[str, list[dict[str, Any]]]]:
        ws_b = base_b.replace("http", "ws")
        async with (
            websockets.connect(f"{ws_b}/api/v1/events?key={BOARDS[AB]}") as board_ab,
            websockets.connect(f"{ws_b}/api/v1/events?key={BOARDS[BM]}") as board_bm,
        ):
            called = await _calls_through(base_a)
            seen = await asyncio.gather(_board_until(board_ab, AB, 3), _board_until(board_bm, BM, 3))
        return called, {AB: seen[0], BM: seen[1]}

    called, seen = asyncio.run(scenario())
    for office in (AB, BM):
        events = seen[office]
        assert {e["office"] for e in events} == {office}  # nothing of the other commune nor of the province
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(set(seqs))  # in order, each once
        board_calls = [e["data"]["ticket"]["number"] for e in events if e["type"] == "ticket.called"]
        assert board_calls == called[office] and len(board_calls) == 3
        issued = [e for e in events if e["type"] == "ticket.issued"]
        assert len(issued) == 3  # the tickets issued through A arrived too
    assert called[PROVINCE]  # the third office really was busy meanwhile
