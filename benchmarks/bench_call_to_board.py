"""Call → board: from the counter's HTTP request (call-next) to the event at each of 200 connected boards.

The queue server runs under uvicorn in its own process (real SQLite file, system clock, 50,000 tickets of
history by default); 200 board WebSocket clients (python websockets) run in this process on one asyncio
loop and time the arrival of each round's ticket.called event. Baseline in the same run: a bare
Starlette WebSocket broadcast (POST → the same two messages to every client through per-client queues,
like the hub) under the same uvicorn, measured the same way: the difference is the server's own cost.
Also reports the server's resident memory (psutil) before and with the 200 boards connected.

    .venv/bin/python benchmarks/bench_call_to_board.py [--clients 200] [--calls 200] [--history 50000]

Target (docs/architecture.md): p99 ≤ 100 ms at 200 boards; server ≤ 250 MB resident with 200 boards and 50,000
tickets of history.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


# ---- the two servers (run in a child process) ------------------------------------------------------


def serve_app(port: int, database_url: str, history: int) -> None:
    import uvicorn

    from queue_server.clock import system_clock
    from tests.support import make_server

    server = make_server(database_url, system_clock)
    if history:
        seed_history(server, history)
    uvicorn.run(server.app, host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=None)


def seed_history(server: Any, count: int) -> None:
    """`count` finished tickets spread over past business days (500 a day), inserted in bulk."""
    import secrets
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import insert

    from queue_server.tables.tickets import Ticket

    rows = []
    for index in range(count):
        day = date(2025, 1, 1) + timedelta(days=index // 500)
        sequence = index % 500 + 1
        issued = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC) + timedelta(seconds=sequence * 50)
        rows.append(
            {
                "public_code": secrets.token_urlsafe(12),
                "office": "CAXTP",
                "queue": "A",
                "issued_queue": "A",
                "queue_prefix": "A",
                "business_day": day,
                "sequence": sequence,
                "number": f"A{sequence:03d}",
                "status": "done",
                "issued_by": "device:kiosk-1",
                "issued_at": issued,
                "place_at": issued,
                "called_at": issued + timedelta(minutes=10),
                "last_called_at": issued + timedelta(minutes=10),
                "started_at": issued + timedelta(minutes=11),
                "ended_at": issued + timedelta(minutes=16),
                "counter": 1 + index % 4,
                "recall_count": 0,
            }
        )
    with server.ctx.db.write() as session:
        session.execute(insert(Ticket), rows)


def serve_echo(port: int) -> None:
    """The baseline: a bare WebSocket broadcast with one queue and one sender task per client."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    queues: set[asyncio.Queue[str]] = set()

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "event_clients": len(queues)})

    async def broadcast(request: Request) -> JSONResponse:
        body = await request.body()
        message = json.loads(body)
        for text in (json.dumps({**message, "type": "ticket.no_show"}), json.dumps(message)):
            for queue in list(queues):
                queue.put_nowait(text)
        return JSONResponse({"sent": len(queues)})

    async def send_all(websocket: WebSocket, queue: asyncio.Queue[str]) -> None:
        while True:
            await websocket.send_text(await queue.get())

    async def stream(websocket: WebSocket) -> None:
        await websocket.accept()
        queue: asyncio.Queue[str] = asyncio.Queue()
        queues.add(queue)
        sender = asyncio.create_task(send_all(websocket, queue))
        try:
            while (await websocket.receive())["type"] != "websocket.disconnect":
                pass  # clients only listen; reading notices when they leave (as the real server does)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            sender.cancel()
            queues.discard(queue)

    routes = [
        Route("/api/v1/health", health),
        Route("/broadcast", broadcast, methods=["POST"]),
        WebSocketRoute("/ws", stream),
    ]
    uvicorn.run(
        Starlette(routes=routes), host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=None
    )


# ---- the measuring side ----------------------------------------------------------------------------


@dataclass
class Rounds:
    clients: int
    current: int = -1
    arrivals: list[float] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self, number: int) -> None:
        self.current, self.arrivals, self.done = number, [], asyncio.Event()

    def arrived(self) -> None:
        self.arrivals.append(time.perf_counter())
        if len(self.arrivals) == self.clients:
            self.done.set()


async def board_client(url: str, rounds: Rounds, ready: asyncio.Event, connected: list[int]) -> None:
    import websockets

    async with websockets.connect(url, max_size=None, ping_interval=None) as socket:
        connected[0] += 1
        if connected[0] == rounds.clients:
            ready.set()
        seen = -1
        async for text in socket:
            event = json.loads(text)
            if event.get("type") == "ticket.called" and rounds.current > seen:
                seen = rounds.current
                rounds.arrived()


async def measure(
    base: str, ws_url: str, clients: int, calls: int, trigger: Any, server_pid: int
) -> dict[str, Any]:
    import psutil

    process = psutil.Process(server_pid)
    idle_rss = process.memory_info().rss
    rounds = Rounds(clients)
    ready = asyncio.Event()
    connected = [0]
    tasks = [asyncio.create_task(board_client(ws_url, rounds, ready, connected)) for _ in range(clients)]
    await asyncio.wait_for(ready.wait(), 60)
    latencies: list[float] = []
    request_times: list[float] = []
    slowest: list[tuple[float, float]] = []  # (last arrival, HTTP answer) per round
    for number in range(calls + 10):  # the first 10 rounds warm up
        rounds.start(number)
        started = time.perf_counter()
        await trigger(number)
        answered = time.perf_counter()
        await asyncio.wait_for(rounds.done.wait(), 30)
        if number >= 10:
            latencies += [(arrival - started) * 1000 for arrival in rounds.arrivals]
            request_times.append((answered - started) * 1000)
            slowest.append(((max(rounds.arrivals) - started) * 1000, (answered - started) * 1000))
    busy_rss = process.memory_info().rss
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "latencies": latencies,
        "requests": request_times,
        "slowest": sorted(slowest, reverse=True)[:5],
        "idle_rss": idle_rss,
        "busy_rss": busy_rss,
    }


async def run_app(port: int, clients: int, calls: int, pid: int) -> dict[str, Any]:
    import httpx

    from tests.support import DISPLAY_KEY, KIOSK, PASSWORD

    base = f"http://127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        for index in range(calls + 10):
            answer = await http.post("/api/v1/tickets", json={"queue": "AB"[index % 2]}, headers=KIOSK)
            answer.raise_for_status()
        login = await http.post("/api/v1/auth/login", json={"username": "canbo1", "password": PASSWORD})
        staff = {"Authorization": f"Bearer {login.json()['access_token']}"}
        (await http.post("/api/v1/counters/1/open", headers=staff)).raise_for_status()

        async def call_next(_: int) -> None:
            answer = await http.post("/api/v1/counters/1/call-next", headers=staff)
            assert answer.status_code == 200, answer.text

        ws_url = f"ws://127.0.0.1:{port}/api/v1/events?key={DISPLAY_KEY}"
        return await measure(base, ws_url, clients, calls, call_next, pid)


async def run_echo(port: int, clients: int, calls: int, pid: int) -> dict[str, Any]:
    import httpx

    base = f"http://127.0.0.1:{port}"
    payload = {
        "seq": 0, "type": "ticket.called", "at": "2026-03-10T02:00:00+00:00", "office": "CAXTP",
        "data": {"ticket": {"id": 1, "number": "A001", "queue": "A", "status": "called", "counter": 1,
                            "priority": False, "recall_count": 0},
                 "transition": {"from": "waiting", "to": "called"},
                 "queues": {"A": {"waiting": 10, "estimated_wait_s": 600}}},
    }  # fmt: skip
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def broadcast(number: int) -> None:
            (await http.post("/broadcast", json={**payload, "seq": number})).raise_for_status()

        return await measure(base, f"ws://127.0.0.1:{port}/ws", clients, calls, broadcast, pid)


def start_server(args: list[str], port: int) -> subprocess.Popen[bytes]:
    import httpx

    process = subprocess.Popen([sys.executable, __file__, "--serve", *args], cwd=ROOT)
    for _ in range(1200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
    process.terminate()
    raise RuntimeError("server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def row(name: str, result: dict[str, Any]) -> str:
    values = result["latencies"]
    p50, p99 = statistics.median(values), percentile(values, 0.99)
    request = statistics.median(result["requests"])
    mb = result["busy_rss"] / 2**20
    return f"{name:<34} {p50:>8.1f} {p99:>8.1f} {max(values):>8.1f} {request:>12.1f} {mb:>10.1f}"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        kind, port = sys.argv[2], int(sys.argv[3])
        if kind == "echo":
            serve_echo(port)
        else:
            serve_app(port, sys.argv[4], int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--calls", type=int, default=200, help="measured calls (after 10 warm-up calls)")
    parser.add_argument("--history", type=int, default=50_000, help="finished tickets on past days")
    options = parser.parse_args()
    if options.calls + 10 > 600:
        parser.error("--calls: at most 590 (the demo queues' daily caps)")
    from tests.support import free_port

    results = {}
    with tempfile.TemporaryDirectory() as folder:
        port = free_port()
        echo = start_server(["echo", str(port)], port)
        try:
            results["baseline: bare WebSocket broadcast"] = asyncio.run(
                run_echo(port, options.clients, options.calls, echo.pid)
            )
        finally:
            stop(echo)
        port = free_port()
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        app = start_server(["app", str(port), url, str(options.history)], port)
        try:
            results["motcua call-next → board"] = asyncio.run(
                run_app(port, options.clients, options.calls, app.pid)
            )
        finally:
            stop(app)
    arrivals = options.calls * options.clients
    print(
        f"call → board: {options.clients} WebSocket boards, {options.calls} calls ({arrivals} arrivals each)"
    )
    print(f"{'':<34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'HTTP p50 ms':>12} {'server MB':>10}")
    for name, result in results.items():
        print(row(name, result))
    app_result = results["motcua call-next → board"]
    print(
        f"motcua server resident memory: {app_result['idle_rss'] / 2**20:.1f} MB before the boards connected, "
        f"{app_result['busy_rss'] / 2**20:.1f} MB with {options.clients} boards "
        f"({options.history} tickets of history)"
    )
    for name, result in results.items():
        worst = ", ".join(f"{last:.0f}/{http:.0f}" for last, http in result["slowest"])
        print(f"slowest rounds of {name} (last board ms / HTTP answer ms): {worst}")
    p99 = percentile(app_result["latencies"], 0.99)
    print(
        f"target p99 ≤ 100 ms: {'met' if p99 <= 100 else 'NOT met'} ({p99:.1f} ms); "
        f"memory ≤ 250 MB: {'met' if app_result['busy_rss'] <= 250 * 2**20 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
