"""Alerts with two `motcua serve` processes on one PostgreSQL database. Both run the alert check (every
second here); a desk paused too long is one alert — raised once, cleared once — and every board, dashboard
stream, province page and alerts API of either process shows that one alert.

With the open alerts kept in each process's memory (before open_alert), each process raised its own copy.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from queue_server.app import build_context
from queue_server.services import build_services
from queue_server.settings import ServerSettings
from queue_server.tables.events import EventLog
from tests.conftest import FIXTURES
from tests.processes import SECRET, serve_processes
from tests.support import PASSWORD

PROVINCE, BM = "CATTN", "CAXBM"
BOARD = "board-bm-key-for-two-processes-01"
PAUSED = "alert.counter_paused_long"
UNTIL_S = 120.0  # a bound so a broken server ends the test, not a timing the test relies on


@pytest.fixture
def config(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(FIXTURES / "config" / "province", folder)
    # A desk paused 3 s is "too long", and every process checks every second: the two checks race.
    (folder / "analytics.toml").write_text(
        "[alerts]\npaused_too_long_minutes = 0.05\ncheck_every_seconds = 1\n", encoding="utf-8"
    )
    return folder


@pytest.fixture
def two_servers(postgres_url: str, config: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    ctx = build_context(ServerSettings(database_url=postgres_url, config_dir=config, secret=SECRET))
    auth = build_services(ctx).auth
    auth.add_user(username="canbo.bm", role="staff", password=PASSWORD, office=BM)
    auth.add_user(username="giamsat.tinh", role="supervisor", password=PASSWORD, office=PROVINCE)
    auth.add_device(name="board-bm", role="display", office=BM, key=BOARD)
    ctx.db.dispose()
    with serve_processes(
        2, database_url=postgres_url, config_dir=config, logs=tmp_path, MOTCUA_EVENT_FANOUT="postgres"
    ) as bases:
        yield bases[0], bases[1]


class Watcher:
    """One process seen from outside: its alert events on a board and a dashboard stream, its APIs."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.headers = {"Authorization": f"Bearer {token}"}
        self.board: list[dict[str, Any]] = []
        self.dashboard: list[dict[str, Any]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def listen(self) -> None:
        ws = self.base.replace("http", "ws") + "/api/v1/events"
        for url, seen in (
            (f"{ws}?key={BOARD}", self.board),
            (f"{ws}?token={self.headers['Authorization'][7:]}", self.dashboard),
        ):
            socket = await websockets.connect(url)
            self._tasks.append(asyncio.create_task(self._collect(socket, seen)))

    @staticmethod
    async def _collect(socket: Any, seen: list[dict[str, Any]]) -> None:
        async with socket:
            async for text in socket:
                event = json.loads(text)
                if event["type"].startswith("alert."):
                    seen.append(event)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def alerts(self, http: httpx.AsyncClient) -> list[tuple[str, str]]:
        answer = await http.get(f"{self.base}/api/v1/analytics/alerts", headers=self.headers)
        assert answer.status_code == 200, answer.text
        return [(a["office"], a["kind"]) for a in answer.json()]

    async def province(self, http: httpx.AsyncClient) -> tuple[list[tuple[str, str]], int]:
        """The province page's alerts, and the count on the commune's row."""
        answer = await http.get(f"{self.base}/api/v1/analytics/province", headers=self.headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        row = next(r for r in body["offices"] if r["office"] == BM)
        return [(a["office"], a["kind"]) for a in body["alerts"]], row["alerts"]

    async def checks(self, http: httpx.AsyncClient) -> int:
        answer = await http.get(f"{self.base}/metrics", headers=self.headers)
        found = re.search(r"^motcua_alert_checks_total (\d+)$", answer.text, re.MULTILINE)
        assert found, answer.text
        return int(found.group(1))

    def kinds(self, stream: list[dict[str, Any]]) -> list[str]:
        return [e["type"] for e in stream]


async def until(condition: Any) -> None:
    """Poll a condition (an async callable) until it holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + UNTIL_S
    while not await condition():
        assert loop.time() < deadline, "the condition never held"
        await asyncio.sleep(0.1)


async def both_checked_twice_more(http: httpx.AsyncClient, watchers: list[Watcher]) -> None:
    """Each process has finished two more alert checks: whatever it would write, it has written."""
    start = [await w.checks(http) for w in watchers]

    async def done() -> bool:
        for watcher, checks in zip(watchers, start, strict=True):
            if await watcher.checks(http) < checks + 2:
                return False
        return True

    await until(done)


def test_a_desk_paused_too_long_is_one_alert_across_two_processes(
    two_servers: tuple[str, str], postgres_url: str, config: Path
) -> None:
    base_a, base_b = two_servers

    async def scenario() -> list[Watcher]:
        async with httpx.AsyncClient(timeout=30) as http:
            tokens = {}
            for name in ("canbo.bm", "giamsat.tinh"):
                login = await http.post(
                    f"{base_a}/api/v1/auth/login", json={"username": name, "password": PASSWORD}
                )
                tokens[name] = login.json()["access_token"]
            watchers = [Watcher(base, tokens["giamsat.tinh"]) for base in (base_a, base_b)]
            for watcher in watchers:
                await watcher.listen()
            staff = {"Authorization": f"Bearer {tokens['canbo.bm']}"}
            assert (await http.post(f"{base_a}/api/v1/counters/2/open", headers=staff)).status_code == 200
            paused = await http.post(
                f"{base_a}/api/v1/counters/2/pause", json={"reason": "họp"}, headers=staff
            )
            assert paused.status_code == 200, paused.text

            async def raised_everywhere() -> bool:
                for w in watchers:
                    if not (w.board and w.dashboard and await w.alerts(http)):
                        return False
                return True

            await until(raised_everywhere)
            await both_checked_twice_more(http, watchers)  # each process has looked again: no copy
            for watcher in watchers:
                assert await watcher.alerts(http) == [(BM, "counter_paused_long")]
                assert await watcher.province(http) == ([(BM, "counter_paused_long")], 1)

            resumed = await http.post(f"{base_b}/api/v1/counters/2/resume", headers=staff)
            assert resumed.status_code == 200, resumed.text

            async def cleared_everywhere() -> bool:
                for w in watchers:
                    streams = w.kinds(w.board) + w.kinds(w.dashboard)
                    if streams.count("alert.cleared") < 2 or await w.alerts(http):
                        return False
                return True

            await until(cleared_everywhere)
            await both_checked_twice_more(http, watchers)
            for watcher in watchers:
                assert await watcher.province(http) == ([], 0)
                await watcher.stop()
            return watchers

    watchers = asyncio.run(scenario())
    for watcher in watchers:  # each stream of each process: one alert, one clearing
        assert watcher.kinds(watcher.board) == [PAUSED, "alert.cleared"]
        assert watcher.kinds(watcher.dashboard) == [PAUSED, "alert.cleared"]
    ctx = build_context(ServerSettings(database_url=postgres_url, config_dir=config, secret=SECRET))
    with ctx.db.read() as session:
        logged = list(
            session.scalars(
                EventLog.__table__.select()
                .with_only_columns(EventLog.type)
                .where(EventLog.type.like("alert.%"))
                .order_by(EventLog.seq)
            )
        )
    ctx.db.dispose()
    assert logged == [PAUSED, "alert.cleared"]
