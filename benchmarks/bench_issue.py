"""Ticket issue throughput and latency at 32 concurrent clients, motcua on SQLite (synchronous=FULL: every
commit on disk when it returns) vs a bare FastAPI + sqlite3 endpoint in the same run, the bare one both with
synchronous=NORMAL (the target's baseline) and FULL (what durability costs by itself); again with 50,000 tickets of earlier days; server memory with that history and 200
event-stream clients connected.

    .venv/bin/python benchmarks/bench_issue.py [--seconds 16] [--rounds 4] [--clients 32]

Each server runs in its own process (uvicorn, one worker); the load comes from another process. The three
servers run side by side and take the load in turns, round after round.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
KEY = "bench-kiosk-key-" + "x" * 16
BARE = "bare FastAPI + sqlite3 insert, NORMAL"
BARE_FULL = "bare FastAPI + sqlite3 insert, FULL"
EMPTY = "motcua (FULL), empty database"
DISPLAY_KEY = "bench-display-key-" + "x" * 14


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL)
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/docs", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"server on {port} did not start: {cmd}")


def bench_config(folder: Path) -> Path:
    """The demo office with room for every ticket the load takes: no daily cap, four-digit numbers."""
    config = folder / "config"
    if not config.exists():
        shutil.copytree(ROOT / "config" / "demo", config)
        queues = config / "queues.toml"
        text = re.sub(r"(?m)^daily_cap = .*$", "", queues.read_text(encoding="utf-8"))
        queues.write_text(re.sub(r"(?m)^number_end = .*$", "number_end = 9999", text), encoding="utf-8")
    return config


def motcua_server(db_path: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        "MOTCUA_DATABASE_URL": f"sqlite:///{db_path}",
        "MOTCUA_CONFIG_DIR": str(bench_config(db_path.parent)),
        "MOTCUA_SECRET": secrets.token_hex(16),
    }
    return start([sys.executable, "-m", "motcua", "serve", "--port", str(port)], env, port)


def prepare_database(db_path: Path, history: int) -> None:
    """Migrate, register the devices, and optionally fill earlier days with closed tickets."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import insert

    from queue_server.app import build_context
    from queue_server.services import build_services
    from queue_server.settings import ServerSettings
    from queue_server.tables.tickets import Ticket

    ctx = build_context(
        ServerSettings(database_url=f"sqlite:///{db_path}", config_dir=bench_config(db_path.parent))
    )
    auth = build_services(ctx).auth
    auth.add_device(name="bench-kiosk", role="kiosk", key=KEY)
    auth.add_device(name="bench-board", role="display", key=DISPLAY_KEY)
    if history:
        rows = []
        start_day = date.today() - timedelta(days=history // 500 + 2)
        for i in range(history):
            day = start_day + timedelta(days=i // 500)
            issued = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC) + timedelta(
                seconds=30 * (i % 500)
            )
            queue = "ABC"[i % 3]
            sequence = i % 500 // 3 + 1
            rows.append(
                {
                    "public_code": secrets.token_urlsafe(12),
                    "office": "CAXTP",
                    "queue": queue,
                    "issued_queue": queue,
                    "queue_prefix": queue,
                    "business_day": day,
                    "sequence": sequence,
                    "number": f"{queue}{sequence:03d}",
                    "status": "done",
                    "issued_by": "device:bench",
                    "issued_at": issued,
                    "place_at": issued,
                    "called_at": issued + timedelta(minutes=9),
                    "started_at": issued + timedelta(minutes=10),
                    "ended_at": issued + timedelta(minutes=16),
                    "counter": 1 + i % 4,
                    "recall_count": 0,
                }
            )
        with ctx.db.write() as session:
            session.execute(insert(Ticket), rows)
    ctx.db.dispose()


class Kiosks:
    """`clients` keep-alive connections to one server, each sending the next ticket request as soon as its
    answer is in. Connected anew each round: servers close a connection idle for 5 s (uvicorn's default),
    and the other servers' turns last longer than that.

    A lean HTTP/1.1 client on raw sockets: httpx spends ~2 ms of CPU a request, so on two cores it, not the
    server, capped the bare endpoint (~640 req/s with httpx against ~1,300-1,800 with this client).
    """

    def __init__(self, base: str, clients: int, headers: dict[str, str]) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.clients = host, int(port), clients
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.requests = []
        for index in range(clients):
            body = json.dumps({"queue": "ABC"[index % 3]}).encode()
            self.requests.append(
                (
                    f"POST /api/v1/tickets HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n"
                    f"{head}content-length: {len(body)}\r\n\r\n"
                ).encode()
                + body
            )
        self.connections: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def connect(self) -> None:
        self.connections = [await asyncio.open_connection(self.host, self.port) for _ in range(self.clients)]

    def close(self) -> None:
        for _, writer in self.connections:
            writer.close()

    async def run(self, seconds: float, rate: float | None = None) -> Round:
        """As fast as answers come (rate None), or `rate` requests a second in all, spread over the
        connections; then each latency counts from when the request was due, so a late answer also
        delays the next ones' figures instead of hiding them."""
        await self.connect()
        try:
            return await self._load(seconds, rate)
        finally:
            self.close()

    async def _load(self, seconds: float, rate: float | None) -> Round:
        latencies: list[float] = []
        began = time.perf_counter()
        stop_at = began + seconds
        errors = 0

        async def kiosk(index: int) -> None:
            nonlocal errors
            reader, writer = self.connections[index]
            due = began + (index / rate if rate else 0.0)
            while due < stop_at and time.perf_counter() < stop_at:
                if rate:
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                started = due if rate else time.perf_counter()
                writer.write(self.requests[index])
                status, length = parse_head(await reader.readuntil(b"\r\n\r\n"))
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                if status != 201:
                    errors += 1
                due += self.clients / rate if rate else 0.0

        await asyncio.gather(*(kiosk(i) for i in range(self.clients)))
        return Round(latencies, time.perf_counter() - began, errors)


@dataclass
class Round:
    latencies: list[float]
    elapsed: float
    errors: int


def summarise(rounds: list[Round]) -> dict[str, float]:
    """Throughput: the median round (the machine is shared; a neighbour's burst hits one round, not all).
    Latency percentiles over every request of every round."""
    latencies = sorted(latency for one in rounds for latency in one.latencies)
    return {
        "requests": len(latencies),
        "errors": sum(one.errors for one in rounds),
        "per_s": statistics.median(len(one.latencies) / one.elapsed for one in rounds),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99) - 1],
    }


def parse_head(head: bytes) -> tuple[int, int]:
    """Status and content length of a response head (the servers here always send a length)."""
    lines = head.split(b"\r\n")
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(lines[0].split()[1]), int(value)
    raise ValueError(f"a response without content-length: {lines[0]!r}")


async def hold_event_clients(port: int, count: int) -> list[object]:
    import websockets

    url = f"ws://127.0.0.1:{port}/api/v1/events?key={DISPLAY_KEY}"
    return [await websockets.connect(url) for _ in range(count)]


async def memory_with_clients(process: subprocess.Popen[bytes], port: int, count: int) -> float:
    sockets = await hold_event_clients(port, count)
    await asyncio.sleep(1.0)
    rss = psutil.Process(process.pid).memory_info().rss / 2**20
    for socket in sockets:
        await socket.close()  # type: ignore[attr-defined]
    return rss


@dataclass
class Server:
    label: str
    process: subprocess.Popen[bytes]
    base: str
    headers: dict[str, str]
    rounds: list[Round] = field(default_factory=list)
    paced: Round | None = None


def start_servers(folder: Path, history: int) -> list[Server]:
    servers = []
    for label, synchronous in ((BARE, "NORMAL"), (BARE_FULL, "FULL")):
        port = free_port()
        command = [sys.executable, "-m", "uvicorn", "benchmarks.bare_sqlite_app:app", "--port", str(port)]
        env = {"BARE_DATABASE": str(folder / f"bare-{synchronous}.db"), "BARE_SYNCHRONOUS": synchronous}
        process = start([*command, "--log-level", "warning"], env, port)
        servers.append(Server(label, process, f"http://127.0.0.1:{port}", {}))
    for label, tickets in ((EMPTY, 0), (f"motcua (FULL), {history:,} tickets of history", history)):
        db_path = folder / f"motcua-{tickets}.sqlite3"
        prepare_database(db_path, tickets)
        port = free_port()
        process = motcua_server(db_path, port)
        servers.append(Server(label, process, f"http://127.0.0.1:{port}", {"X-Device-Key": KEY}))
    return servers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=16, help="load time per server, over all rounds")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--history", type=int, default=50_000)
    parser.add_argument("--rate", type=float, default=100, help="tickets a second in the paced run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        servers = start_servers(Path(tmp), args.history)
        try:
            rss = asyncio.run(drive(servers, args))
        finally:
            for server in servers:
                server.process.terminate()
                server.process.wait()
    report({server.label: summarise(server.rounds) for server in servers}, servers[-1].label, rss)
    print(
        f"paced at {args.rate:.0f} tickets a second, 32 connections (latency from when each request was due):"
    )
    for server in servers:
        assert server.paced is not None
        paced = summarise([server.paced])
        print(
            f"  {server.label:42} p50 {paced['p50_ms']:6.1f} ms  p99 {paced['p99_ms']:6.1f} ms  "
            f"({paced['requests']:.0f} requests, {paced['errors']:.0f} errors)"
        )


async def drive(servers: list[Server], args: argparse.Namespace) -> float:
    """Warm every server up, then let them take the load in turns, round after round (so every server
    meets the same neighbours on this shared machine); answer the history server's memory at the end."""
    kiosks = [Kiosks(server.base, args.clients, server.headers) for server in servers]
    for group in kiosks:
        await group.run(2)
    for _ in range(args.rounds):
        for server, group in zip(servers, kiosks, strict=True):
            server.rounds.append(await group.run(args.seconds / args.rounds))
    for server, group in zip(servers, kiosks, strict=True):  # a busy office's pace, not flat out
        server.paced = await group.run(4, rate=args.rate)
    history = servers[-1]
    return await memory_with_clients(history.process, int(history.base.rsplit(":", 1)[1]), 200)


def report(results: dict[str, dict[str, float]], history_label: str, rss: float) -> None:
    baseline = results[BARE]["per_s"]
    baseline_full = results[BARE_FULL]["per_s"]
    empty = results[EMPTY]["per_s"]
    print(
        f"{'server':42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} {'vs bare FULL':>12} "
        f"{'vs empty':>9} {'errors':>6}"
    )
    for label, row in results.items():
        print(
            f"{label:42} {row['per_s']:8.0f} {row['p50_ms']:8.1f} {row['p99_ms']:8.1f} "
            f"{row['per_s'] / baseline:8.0%} {row['per_s'] / baseline_full:12.0%} "
            f"{row['per_s'] / empty:9.0%} {row['errors']:6.0f}"
        )
    print(f"server resident memory, {history_label}, 200 event-stream clients: {rss:.0f} MB")
    print(json.dumps({**results, "rss_mb_200_clients": rss}))


if __name__ == "__main__":
    main()
