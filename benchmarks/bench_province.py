"""A synthetic province on PostgreSQL, served by 1, 2 and 4 `motcua serve` processes (docs/deploy.md).

Part 1 — load (100 offices by default): each office has lines A/B/C and 4 counters, a board, a console per
counter and two kiosks, all on WebSockets (700 clients), spread over the processes as a proxy would. The
simulator's peak-hour arrivals (config/demo/simulation.toml, all lines, Monday) of every office are played
at 10× their real rate; each counter calls, starts and finishes with the scenario's service times ÷ 10.
Per process count, in one run: tickets and calls per second sustained (achieved against offered), call →
board p50/p99 (from the call request leaving the counter to the event at the office's board), events lost
or out of order at the boards, server memory per WebSocket client, PostgreSQL connections (peak).
The baseline is the single process, measured the same way in the same run.

Part 2 — growth (10 → 100 → 300 offices, 1 process): the province API (`/api/v1/analytics/province`, every
office of the province, 3 waiting tickets in each) and the alert check that runs every 30 s over every
office; time per office should stay flat. The 10-office province is the baseline.

    flock /tmp/motcua-bench.lock .venv/bin/python benchmarks/bench_province.py [--offices 100]
        [--processes 1,2,4] [--seconds 30] [--grow 10,100,300] [--rate-factor 10]

Needs PostgreSQL: MOTCUA_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/
motcua_bench_province); the database is dropped and created again for each province.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/motcua_bench_province"
COUNTERS = 4
KIOSKS = 2
LINES = "ABC"
ROOT_OFFICE = "TINH"
CONNECTION_MARGIN = 10  # PostgreSQL connections left free: this bench's own, psql, a backup
HOURS = "\n".join(f'{day} = ["00:00-24:00"]' for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


# ---- the province: config files, database, accounts -------------------------------------------------


def office_codes(count: int) -> list[str]:
    return [ROOT_OFFICE] + [f"XA{index:03d}" for index in range(1, count)]


def write_config(folder: Path, offices: list[str]) -> Path:
    config = folder / f"config-{len(offices)}"
    config.mkdir(parents=True, exist_ok=True)
    office_toml, queue_toml, counter_toml = [], [], []
    for code in offices:
        parent = "" if code == ROOT_OFFICE else ROOT_OFFICE
        office_toml.append(
            f'[[office]]\ncode = "{code}"\nname_vi = "Công an {code}"\nname_en = "Police {code}"\n'
            f'parent = "{parent}"\ntime_zone = "Asia/Ho_Chi_Minh"\nissue_cutoff_minutes = 0\n'
            f'open_on_holidays = true\n\n[office.hours]\n{HOURS}\nlunch = ""\n'
        )
        for line in LINES:
            queue_toml.append(
                f'[[queue]]\noffice = "{code}"\ncode = "{line}"\nprefix = "{line}"\nname_vi = "Hàng {line}"\n'
            )
        for number in range(1, COUNTERS + 1):
            counter_toml.append(
                f'[[counter]]\noffice = "{code}"\nnumber = {number}\nqueues = {{ A = 1, B = 1, C = 1 }}\n'
            )
    (config / "offices.toml").write_text("\n".join(office_toml), encoding="utf-8")
    (config / "queues.toml").write_text("\n".join(queue_toml), encoding="utf-8")
    (config / "counters.toml").write_text("\n".join(counter_toml), encoding="utf-8")
    return config


def fresh_database(url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (parsed.database,)
        )
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}"')
        connection.execute(f'CREATE DATABASE "{parsed.database}"')


@dataclass
class Accounts:
    staff: dict[tuple[str, int], str]  # (office, counter) → bearer token
    boards: dict[str, str]  # office → device key
    kiosks: dict[str, list[str]]
    supervisor: str  # the province supervisor's token


def place_accounts(url: str, config: Path, offices: list[str]) -> Accounts:
    """Users, tokens and devices in bulk (one password hash for all): setup, not measured."""
    from sqlalchemy import insert

    from queue_server.auth.secrets import digest, hash_password
    from queue_server.bootstrap import build_context
    from queue_server.settings import ServerSettings
    from queue_server.tables.auth import AuthToken, Device, User
    from tests.processes import SECRET

    ctx = build_context(ServerSettings(database_url=url, config_dir=config, secret=SECRET))
    now = datetime.now(UTC)
    password = hash_password("bench-password-0123")
    accounts = Accounts({}, {}, defaultdict(list), "")
    users, devices = [], []
    for code in offices:
        for number in range(1, COUNTERS + 1):
            users.append({"username": f"cb.{code.lower()}.{number}", "role": "staff", "office": code})
        accounts.boards[code] = f"board-{code}-key-{random.getrandbits(64):016x}"
        devices.append(
            {"name": f"board-{code}", "role": "display", "office": code, "key": accounts.boards[code]}
        )
        for index in range(KIOSKS):
            key = f"kiosk-{code}-{index}-key-{random.getrandbits(64):016x}"
            accounts.kiosks[code].append(key)
            devices.append({"name": f"kiosk-{code}-{index}", "role": "kiosk", "office": code, "key": key})
    users.append({"username": "giamsat.tinh", "role": "supervisor", "office": ROOT_OFFICE})
    with ctx.db.write() as session:
        session.execute(
            insert(User),
            [
                {
                    **u,
                    "full_name": "",
                    "password_hash": password,
                    "active": True,
                    "is_demo": False,
                    "created_at": now,
                }
                for u in users
            ],
        )
        session.execute(
            insert(Device),
            [
                {
                    "name": d["name"],
                    "role": d["role"],
                    "office": d["office"],
                    "key_hash": digest(d["key"]),
                    "is_demo": False,
                    "created_at": now,
                }
                for d in devices
            ],
        )
        ids = dict(session.execute(User.__table__.select().with_only_columns(User.username, User.id)).all())
        tokens = []
        for user in users:
            token = f"tok-{random.getrandbits(128):032x}"
            tokens.append(
                {
                    "token_hash": digest(token),
                    "user_id": ids[user["username"]],
                    "created_at": now,
                    "expires_at": now + timedelta(hours=8),
                }
            )
            if user["role"] == "supervisor":
                accounts.supervisor = token
            else:
                _, office, number = user["username"].split(".")
                accounts.staff[(office.upper(), int(number))] = token
        session.execute(insert(AuthToken), tokens)
    ctx.db.dispose()
    return accounts


# ---- part 1: load with 1/2/4 processes ---------------------------------------------------------------


@dataclass
class Run:
    processes: int
    clients: int = 0
    offered_tickets: int = 0
    tickets: int = 0
    calls: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    lost: int = 0
    out_of_order: int = 0
    rss_before_mb: float = 0.0
    rss_after_mb: float = 0.0
    pg_connections: int = 0
    errors: int = 0
    slow_by_5s: dict[int, int] = field(default_factory=lambda: defaultdict(int))  # calls over 250 ms
    reconnects: int = 0  # boards cut off or refused (HTTP 500, 1013) that connected again
    pool: tuple[int, int] = (0, 0)  # each process's PostgreSQL pool: kept open, overflow
    missing: list[Missing] = field(default_factory=list)  # what was lost, to find out why


@dataclass
class Missing:
    """A call whose event never reached its office's board: where it came from and where it should have gone."""

    ticket: int
    office: str
    seq: int  # its ticket.called in the event log (0: not in the log)
    emitted_by: int  # the process the call request went to
    board_on: int  # the process the office's board is connected to
    at_s: float  # when the call request left, from the start of the load
    before_end_s: float  # how long before the load stopped
    board_seqs_around: str  # the board's seqs just before and after that seq
    board_closed: str  # how the board's socket ended, if it did before the end


def peak_hour(rate_factor: float) -> tuple[float, dict[str, float]]:
    """Tickets per second per office at the scenario's busiest hour × rate_factor, and service seconds."""
    from analytics.scenario import load_scenario
    from queue_server.config import load_config

    demo = ROOT / "config" / "demo"
    scenario = load_scenario(demo / "simulation.toml", load_config(demo))
    lines = scenario.queues
    per_hour: dict[int, float] = defaultdict(float)
    for line in lines:
        for hour, rate in line.arrivals_per_hour.items():
            per_hour[int(hour)] += rate
    busiest = max(per_hour.values()) * max(scenario.day_factor.values())
    service = {line.code: line.service.mean_s / rate_factor for line in lines}
    return busiest * rate_factor / 3600, service


async def load_run(
    bases: list[str],
    accounts: Accounts,
    offices: list[str],
    seconds: float,
    rate_factor: float,
    pg_url: str,
    server_pids: list[int],
) -> Run:
    import httpx
    import psutil
    import websockets

    run = Run(processes=len(bases))
    per_office_rate, service = peak_hour(rate_factor)
    rss = lambda: sum(psutil.Process(pid).memory_info().rss for pid in server_pids) / 2**20  # noqa: E731
    run.rss_before_mb = rss()
    board_seen: dict[str, list[tuple[int, str, int, float]]] = defaultdict(
        list
    )  # office → (seq, type, id, t)
    sent_at: dict[int, float] = {}  # ticket id → when its call request left
    called_office: dict[int, str] = {}
    called_through: dict[int, int] = {}  # ticket id → index of the process the call went to
    board_process: dict[str, int] = {}  # office → index of the process its board listens on
    board_closed: dict[str, str] = {}  # office → how its board's socket ended before the run did
    board_connected: dict[str, float] = {}  # office → when its board's socket opened
    board_sockets: dict[str, Any] = {}  # office → its board's socket now
    stop = asyncio.Event()
    sockets: list[Any] = []

    def ws_url(index: int, query: str) -> str:
        return bases[index % len(bases)].replace("http", "ws") + f"/api/v1/events?{query}"

    async def board(index: int, office: str) -> None:
        """Like the lobby board (board.js): listen, and when cut off or refused, reconnect with since=<last
        seq> so nothing committed meanwhile is missed. Each reconnect is counted: there should be none."""
        board_process[office] = index % len(bases)
        first = True
        while not stop.is_set() or first:
            seen = board_seen[office]
            since = f"&since={seen[-1][0]}" if seen else ""
            try:
                await board_listen(index, office, since, first)
                return
            except Exception as error:
                board_closed[office] = f"{type(error).__name__}: {error}"
                run.reconnects += 1
            first = False
            await asyncio.sleep(0.5)

    async def board_listen(index: int, office: str, since: str, first: bool) -> None:
        async with websockets.connect(
            ws_url(index, f"key={accounts.boards[office]}{since}"), max_size=None
        ) as socket:
            if office not in board_connected:
                sockets.append(socket)
            board_sockets[office] = socket
            board_connected[office] = time.perf_counter()
            async for text in socket:
                event = json.loads(text)
                if "seq" in event:
                    ticket = ((event.get("data") or {}).get("ticket") or {}).get("id", 0)
                    board_seen[office].append((event["seq"], event["type"], ticket, time.perf_counter()))
            if not stop.is_set():
                raise ConnectionError(f"closed {socket.close_code} {socket.close_reason}")

    async def drain(index: int, query: str) -> None:
        async with websockets.connect(ws_url(index, query), max_size=None) as socket:
            sockets.append(socket)
            async for _ in socket:
                pass

    async def sample_connections() -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        parsed = make_url(pg_url)
        dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        async with await psycopg.AsyncConnection.connect(dsn, autocommit=True) as connection:
            while True:  # from before the clients connect (their burst) to the end
                cursor = await connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (parsed.database,)
                )
                row = await cursor.fetchone()
                run.pg_connections = max(run.pg_connections, int(row[0]) - 1 if row else 0)
                await asyncio.sleep(0.2)

    sampler = asyncio.create_task(sample_connections())
    listeners = []
    index = 0
    for office in offices:
        listeners.append(asyncio.create_task(board(index, office)))
        index += 1
        for number in range(1, COUNTERS + 1):
            listeners.append(asyncio.create_task(drain(index, f"token={accounts.staff[(office, number)]}")))
            index += 1
        for key in accounts.kiosks[office]:
            listeners.append(asyncio.create_task(drain(index, f"key={key}")))
            index += 1
    run.clients = len(listeners)
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=100)) as http:
        deadline = time.monotonic() + 60
        while len(sockets) < run.clients and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        print(f"    {len(sockets)} of {run.clients} sockets open; boards failed: {board_closed}", flush=True)
        await asyncio.sleep(1.0)
        run.rss_after_mb = rss()
        waiting: dict[str, int] = defaultdict(int)
        free: dict[str, asyncio.Event] = {office: asyncio.Event() for office in offices}
        rng = random.Random(7)

        async def post(url: str, **kwargs: Any) -> Any:
            """A request of the load; a dropped connection is counted as an error, not a crash."""
            try:
                return await http.post(url, **kwargs)
            except httpx.TransportError:
                run.errors += 1
                return None

        def process_for(office: str, number: int = 0) -> int:
            return (offices.index(office) + number) % len(bases)

        def base_for(office: str, number: int = 0) -> str:
            return bases[process_for(office, number)]

        async def open_counters() -> None:
            async def one(office: str, number: int) -> None:
                headers = {"Authorization": f"Bearer {accounts.staff[(office, number)]}"}
                url = f"{base_for(office, number)}/api/v1/counters/{number}/open"
                for _ in range(3):  # a connection dropped while 700 sockets were opening: try again
                    answer = await post(url, headers=headers)
                    if answer is not None:
                        break
                assert answer is not None and answer.status_code == 200, answer and answer.text

            desks = [(o, n) for o in offices for n in range(1, COUNTERS + 1)]
            for start in range(0, len(desks), 20):
                await asyncio.gather(*(one(o, n) for o, n in desks[start : start + 20]))

        async def kiosk(office: str) -> None:
            rate = per_office_rate
            while not stop.is_set():
                await asyncio.sleep(rng.expovariate(rate))
                if stop.is_set():
                    return
                run.offered_tickets += 1
                line = rng.choices(LINES, weights=(10, 7, 3))[0]
                key = accounts.kiosks[office][rng.randrange(KIOSKS)]
                answer = await post(
                    f"{base_for(office)}/api/v1/tickets", json={"queue": line}, headers={"X-Device-Key": key}
                )
                if answer is not None and answer.status_code == 201:
                    run.tickets += 1
                    waiting[office] += 1
                    free[office].set()
                else:
                    run.errors += 1

        async def counter(office: str, number: int) -> None:
            headers = {"Authorization": f"Bearer {accounts.staff[(office, number)]}"}
            base = base_for(office, number)
            while not stop.is_set():
                if waiting[office] <= 0:
                    free[office].clear()
                    try:
                        await asyncio.wait_for(free[office].wait(), 1.0)
                    except TimeoutError:
                        continue
                    continue
                waiting[office] -= 1
                started = time.perf_counter()
                answer = await post(f"{base}/api/v1/counters/{number}/call-next", headers=headers)
                if answer is None or answer.status_code != 200:
                    waiting[office] += 1
                    await asyncio.sleep(0.5)
                    continue
                ticket = answer.json()
                sent_at[ticket["id"]] = started
                called_office[ticket["id"]] = office
                called_through[ticket["id"]] = process_for(office, number)
                run.calls += 1
                for action in ("start",):
                    await post(f"{base}/api/v1/tickets/{ticket['id']}/{action}", headers=headers)
                await asyncio.sleep(rng.expovariate(1 / service[ticket["queue"]]))
                await post(f"{base}/api/v1/tickets/{ticket['id']}/finish", headers=headers)

        await open_counters()
        workers = [asyncio.create_task(kiosk(o)) for o in offices]
        workers += [asyncio.create_task(counter(o, n)) for o in offices for n in range(1, COUNTERS + 1)]
        began, began_perf = time.monotonic(), time.perf_counter()
        await asyncio.sleep(seconds)
        stop.set()
        run.seconds = time.monotonic() - began
        ended_perf = time.perf_counter()
        for worker in workers:  # a desk in the middle of a visit, a kiosk between citizens: stop now
            worker.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        late_by = time.monotonic() + 15  # the last events reach the boards: late is not lost
        while time.monotonic() < late_by and not all(
            any(t == ticket and k == "ticket.called" for _, k, t, _ in board_seen[called_office[ticket]])
            for ticket in sent_at
        ):
            await asyncio.sleep(0.5)
    for socket in [*sockets, *board_sockets.values()]:
        await socket.close()
    for task in [*listeners, sampler]:
        task.cancel()
    await asyncio.gather(*listeners, sampler, return_exceptions=True)
    seen_call: dict[int, float] = {}
    for office, events in board_seen.items():
        seqs = [seq for seq, _, _, _ in events]
        run.out_of_order += sum(1 for a, b in itertools.pairwise(seqs) if b <= a)
        for _, kind, ticket, at in events:
            if kind == "ticket.called" and called_office.get(ticket) == office:
                seen_call.setdefault(ticket, at)
    for ticket, started in sent_at.items():
        if ticket in seen_call:
            run.latencies_ms.append((seen_call[ticket] - started) * 1000)
            if run.latencies_ms[-1] > 250:  # when in the run the slow ones were: a burst, or all along
                run.slow_by_5s[int((started - began_perf) // 5) * 5] += 1
        else:
            run.lost += 1
            office = called_office[ticket]
            run.missing.append(
                Missing(
                    ticket=ticket,
                    office=office,
                    seq=0,
                    emitted_by=called_through[ticket],
                    board_on=board_process.get(office, -1),
                    at_s=started - began_perf,
                    before_end_s=ended_perf - started,
                    board_seqs_around="",
                    board_closed=board_closed.get(office, "")
                    or ("" if office in board_connected else "never connected"),
                )
            )
    if run.missing:
        await asyncio.to_thread(place_in_log, run.missing, pg_url, board_seen)
    return run


def place_in_log(
    missing: list[Missing], pg_url: str, board_seen: dict[str, list[tuple[int, str, int, float]]]
) -> None:
    """The seq of each lost call in the event log, and what its board saw just around it."""
    import psycopg
    from sqlalchemy.engine import make_url

    dsn = make_url(pg_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        for item in missing:
            row = connection.execute(
                "SELECT seq FROM event_log WHERE type = 'ticket.called' "
                "AND (data->'ticket'->>'id')::int = %s",
                (item.ticket,),
            ).fetchone()
            item.seq = int(row[0]) if row else 0
            seqs = sorted(seq for seq, _, _, _ in board_seen[item.office])
            before = [s for s in seqs if s < item.seq][-2:]
            after = [s for s in seqs if s > item.seq][:2]
            item.board_seqs_around = f"{before} · {item.seq} · {after}"


def pool_for(url: str, processes: int) -> tuple[int, int]:
    """Each process's pool (kept, overflow) so that all of them, with one LISTEN each, fit in PostgreSQL's
    max_connections beside what is open already (other databases) and a margin: docs/deploy.md's rule.
    Past it PostgreSQL refuses connections, and the requests that needed them fail."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False)) as connection:
        allowed = int(connection.execute("SHOW max_connections").fetchone()[0])  # type: ignore[index]
        reserved = int(connection.execute("SHOW superuser_reserved_connections").fetchone()[0])  # type: ignore[index]
        used = int(
            connection.execute(  # type: ignore[index]
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
            ).fetchone()[0]
        )
    per_process = min(40, (allowed - reserved - used - CONNECTION_MARGIN) // processes - 1)  # 1: LISTEN
    kept = max(1, per_process // 2)
    return kept, max(0, per_process - kept)


def part_one(args: argparse.Namespace, folder: Path) -> list[Run]:
    from tests.processes import serve_processes

    offices = office_codes(args.offices)
    config = write_config(folder, offices)
    runs = []
    for count in args.processes:
        fresh_database(args.url)
        accounts = place_accounts(args.url, config, offices)
        logs = folder / f"logs-{count}"
        logs.mkdir(exist_ok=True)
        pool = pool_for(args.url, count)
        with serve_processes(
            count,
            database_url=args.url,
            config_dir=config,
            logs=logs,
            MOTCUA_EVENT_FANOUT="postgres",
            MOTCUA_DB_POOL_SIZE=str(pool[0]),
            MOTCUA_DB_MAX_OVERFLOW=str(pool[1]),
        ) as bases:
            import psutil

            pids = [
                p.pid for p in psutil.Process().children(recursive=True) if "serve" in " ".join(p.cmdline())
            ]
            run = asyncio.run(
                load_run(bases, accounts, offices, args.seconds, args.rate_factor, args.url, pids)
            )
        run.pool = pool
        runs.append(run)
        print(
            f"  {count} process(es): {run.tickets / run.seconds:.1f} tickets/s, {run.calls / run.seconds:.1f} "
            f"calls/s, p99 {percentile(run.latencies_ms, 0.99):.0f} ms",
            flush=True,
        )
        print(f"    calls over 250 ms by 5 s of the run: {dict(sorted(run.slow_by_5s.items()))}", flush=True)
        for item in run.missing:
            print(f"    lost: {item}", flush=True)
    return runs


# ---- part 2: growth of the province page -------------------------------------------------------------


@dataclass
class Growth:
    offices: int
    api_ms: float
    check_ms: float
    api_bytes: int


async def three_waiting_each(base: str, accounts: Accounts, offices: list[str]) -> None:
    """Three waiting tickets in every office, through the kiosks' HTTP API (50 offices at a time)."""
    import httpx

    async with httpx.AsyncClient(timeout=60) as http:

        async def three(office: str) -> None:
            for line in "ABA":
                answer = await http.post(
                    f"{base}/api/v1/tickets",
                    json={"queue": line},
                    headers={"X-Device-Key": accounts.kiosks[office][0]},
                )
                assert answer.status_code == 201, answer.text

        for start in range(0, len(offices), 50):
            await asyncio.gather(*(three(o) for o in offices[start : start + 50]))


def part_two(args: argparse.Namespace, folder: Path) -> list[Growth]:
    import httpx

    from analytics.alerts import AlertMonitor
    from analytics.settings import load_analytics_settings
    from queue_server.bootstrap import build_context
    from queue_server.services import build_services
    from queue_server.settings import ServerSettings
    from tests.processes import SECRET, serve_processes

    results = []
    for count in args.grow:
        offices = office_codes(count)
        config = write_config(folder, offices)
        fresh_database(args.url)
        accounts = place_accounts(args.url, config, offices)
        logs = folder / f"grow-{count}"
        logs.mkdir(exist_ok=True)
        with serve_processes(1, database_url=args.url, config_dir=config, logs=logs) as bases:
            base = bases[0]

            asyncio.run(three_waiting_each(base, accounts, offices))
            headers = {"Authorization": f"Bearer {accounts.supervisor}"}
            with httpx.Client(timeout=120) as http:
                http.get(f"{base}/api/v1/analytics/province", headers=headers)  # warm
                times, size = [], 0
                for _ in range(5):
                    began = time.perf_counter()
                    answer = http.get(f"{base}/api/v1/analytics/province", headers=headers)
                    times.append((time.perf_counter() - began) * 1000)
                    assert answer.status_code == 200 and len(answer.json()["offices"]) == count
                    size = len(answer.content)
        ctx = build_context(
            ServerSettings(database_url=args.url, config_dir=config, secret=SECRET), migrate=False
        )
        monitor = AlertMonitor(build_services(ctx), load_analytics_settings(config))
        checks = []
        for _ in range(3):
            began = time.perf_counter()
            monitor.check()
            checks.append((time.perf_counter() - began) * 1000)
        ctx.db.dispose()
        results.append(Growth(count, statistics.median(times), statistics.median(checks), size))
        print(
            f"  {count} offices: province API {statistics.median(times):.0f} ms, alert check "
            f"{statistics.median(checks):.0f} ms",
            flush=True,
        )
    return results


# ---- report --------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(runs: list[Run], growth: list[Growth], args: argparse.Namespace) -> str:
    lines = [
        f"Province load: {args.offices} offices, {args.offices * COUNTERS} counters, "
        f"{runs[0].clients if runs else 0} WebSocket clients, peak hour × {args.rate_factor:g}, "
        f"{args.seconds:g} s per process count, PostgreSQL, {os.cpu_count()} cores",
        "| processes | tickets/s (offered) | calls/s | call → board p50 | p99 | lost | out of order "
        "| server MB before → with clients | KB per WS client | PG connections (pool per process) "
        "| board reconnects | HTTP errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        per_client = (run.rss_after_mb - run.rss_before_mb) * 1024 / run.clients if run.clients else 0
        lines.append(
            f"| {run.processes} | {run.tickets / run.seconds:.1f} ({run.offered_tickets / run.seconds:.1f}) "
            f"| {run.calls / run.seconds:.1f} | {percentile(run.latencies_ms, 0.5):.0f} ms "
            f"| {percentile(run.latencies_ms, 0.99):.0f} ms | {run.lost} | {run.out_of_order} "
            f"| {run.rss_before_mb:.0f} → {run.rss_after_mb:.0f} | {per_client:.0f} | {run.pg_connections} "
            f"({run.pool[0]} + {run.pool[1]}) | {run.reconnects} | {run.errors} |"
        )
    if growth:
        base = growth[0]
        lines += [
            "",
            "Growth (1 process; baseline: the smallest province):",
            "| offices | province API | per office | alert check | per office | answer size |",
            "|---|---|---|---|---|---|",
        ]
        for row in growth:
            lines.append(
                f"| {row.offices} | {row.api_ms:.0f} ms | {row.api_ms / row.offices:.2f} ms "
                f"({row.api_ms / row.offices / (base.api_ms / base.offices):.2f}×) | {row.check_ms:.0f} ms "
                f"| {row.check_ms / row.offices:.2f} ms ({row.check_ms / row.offices / (base.check_ms / base.offices):.2f}×) "
                f"| {row.api_bytes / 1024:.0f} KB |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offices", type=int, default=100)
    parser.add_argument("--processes", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate-factor", type=float, default=10)
    parser.add_argument("--grow", type=lambda s: [int(x) for x in s.split(",") if x], default=[10, 100, 300])
    parser.add_argument("--keep", help="a folder for the config and the servers' logs, kept after the run")
    parser.add_argument("--url", default=os.environ.get("MOTCUA_BENCH_POSTGRES_URL", DEFAULT_URL))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-province-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        print("part 1: load", flush=True)
        runs = part_one(args, folder) if args.processes and args.offices else []
        print("part 2: growth", flush=True)
        growth = part_two(args, folder) if args.grow else []
    print()
    print(report(runs, growth, args))
    bad = [run for run in runs if run.lost or run.out_of_order or run.reconnects]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
