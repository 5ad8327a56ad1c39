"""Messages to citizens: throughput through the outbox to an SMPP server, and the delay from a counter's
call to the "mời Ông/Bà đến quầy" message leaving motcua, beside the call → board delay in the same run.

1. Throughput: N message rows already planned (as the planner writes them) are sent by the dispatcher to
   the loopback SMPP server (the tests' SMSC: bind_transceiver, submit_sm/submit_sm_resp, delivery
   receipts), one submit_sm each, on a fresh SQLite file; messages per second, wall clock.
2. Delays: the queue server runs under uvicorn in its own process (real SQLite file, system clock, its own
   background sender woken by the call's event). Tickets with a consenting phone wait; a board listens on
   the event stream; each round the counter calls the next one. Per round: from the call-next request to
   the board's ticket.called event, and to the call's submit_sm arriving at the SMSC. p50/p95/p99.

    .venv/bin/python benchmarks/bench_messages.py [--messages 2000] [--calls 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PHONE_TOML = """
[messages]
notify_ahead = 1
poll_s = 1.0
batch = 200

[limits]
per_address_per_minute = 100000

[[office]]
code = "CAXTP"
sender = "{url}"
unaccented = false
"""


def config_dir(work: Path, smsc_url: str) -> Path:
    directory = work / "config"
    shutil.copytree(ROOT / "config" / "demo", directory)
    (directory / "phone.toml").write_text(PHONE_TOML.format(url=smsc_url), encoding="utf-8")
    return directory


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values):6.1f} ms  p95 {percentile(values, 0.95):6.1f} ms  "
        f"p99 {percentile(values, 0.99):6.1f} ms  max {max(values):6.1f} ms"
    )


# ---- 1. throughput ---------------------------------------------------------------------------------


def throughput(work: Path, smsc: Any, count: int) -> float:
    from datetime import UTC, datetime

    from queue_server.app import build_context
    from queue_server.clock import system_clock
    from queue_server.messages.contacts import add_contact
    from queue_server.messages.dispatcher import MessageDispatcher
    from queue_server.messages.planner import add_message
    from queue_server.settings import ServerSettings

    settings = ServerSettings(
        database_url=f"sqlite:///{work / 'throughput.sqlite3'}", config_dir=config_dir(work / "t", smsc.url)
    )
    ctx = build_context(settings, system_clock)
    now = datetime.now(UTC)
    with ctx.db.write() as session:
        for index in range(count):
            contact = add_contact(
                session, office="CAXTP", address=f"09{index:08d}", kind="phone", notify_ahead=1, now=now
            )
            add_message(
                session,
                key=f"bench:{index}",
                office="CAXTP",
                kind="call",
                contact_id=contact.id,
                ticket_id=None,
                data={"number": f"A{index % 1000:03d}", "counter": 1 + index % 9},
                at=now,
            )
    dispatcher = MessageDispatcher(ctx)
    before = len(smsc.submitted)
    started = time.perf_counter()
    while len(smsc.submitted) - before < count:
        if not dispatcher.run_once():
            break
    elapsed = time.perf_counter() - started
    sent = len(smsc.submitted) - before
    dispatcher.close()
    ctx.db.dispose()
    assert sent == count, f"only {sent} of {count} reached the SMSC"
    return count / elapsed


# ---- 2. call → message, call → board ---------------------------------------------------------------


def serve(port: int, database_url: str, config: str) -> None:
    import uvicorn

    from queue_server.clock import system_clock
    from tests.support import make_server

    server = make_server(database_url, system_clock, config_dir=Path(config))
    uvicorn.run(server.app, host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=None)


async def delays(base: str, port: int, smsc: Any, calls: int) -> tuple[list[float], list[float]]:
    import httpx
    import websockets

    from tests.support import DISPLAY_KEY, KIOSK, PASSWORD

    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        numbers = []
        for index in range(calls + 10):
            ticket = (await client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)).json()
            contact = {"phone": f"09{index:08d}", "consent": True}
            await client.post(f"/api/v1/tickets/{ticket['id']}/contact", json=contact, headers=KIOSK)
            numbers.append(ticket["number"])
        login = await client.post("/api/v1/auth/login", json={"username": "canbo1", "password": PASSWORD})
        staff = {"Authorization": f"Bearer {login.json()['access_token']}"}
        await client.post("/api/v1/counters/1/open", headers=staff)
        to_board: list[float] = []
        to_sms: list[float] = []
        url = f"ws://127.0.0.1:{port}/api/v1/events?key={DISPLAY_KEY}"
        async with websockets.connect(url, max_size=None, ping_interval=None) as socket:
            for round_number in range(calls + 10):
                started = time.perf_counter()
                answer = await client.post("/api/v1/counters/1/call-next", headers=staff)
                number = answer.json()["number"]
                while True:
                    event = json.loads(await asyncio.wait_for(socket.recv(), 30))
                    if event.get("type") == "ticket.called" and event["data"]["ticket"]["number"] == number:
                        board_at = time.perf_counter()
                        break
                sms_at = await arrival(smsc, f"số {number} đến quầy", 30)
                if round_number >= 10:  # the first rounds warm up
                    to_board.append((board_at - started) * 1000)
                    to_sms.append((sms_at - started) * 1000)
        return to_board, to_sms


async def arrival(smsc: Any, text: str, timeout_s: float) -> float:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        for item in list(smsc.submitted):
            if text in item.text:
                return float(item.arrived)
        await asyncio.sleep(0.001)
    raise TimeoutError(f"no message with {text!r}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    from tests.fixtures.messages.smpp_server import SmppTestServer
    from tests.support import free_port

    with tempfile.TemporaryDirectory(prefix="motcua-bench-messages-") as folder:
        work = Path(folder)
        first = SmppTestServer()
        rate = throughput(work, first, args.messages)
        first.stop()
        print(
            f"outbox → SMPP: {args.messages} messages, {rate:,.0f} messages/s (one submit_sm each, receipts on)"
        )
        smsc = SmppTestServer()  # a fresh SMSC: only this part's messages in it

        port = free_port()
        config = config_dir(work / "d", smsc.url)
        child = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve",
                str(port),
                f"sqlite:///{work / 'server.sqlite3'}",
                str(config),
            ],
            cwd=ROOT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base)
            to_board, to_sms = asyncio.run(delays(base, port, smsc, args.calls))
        finally:
            child.terminate()
            child.wait(timeout=30)
        print(f"{args.calls} calls, same run, same server:")
        print(f"  call → board event      {summary(to_board)}")
        print(f"  call → SMS leaves motcua {summary(to_sms)}")
        smsc.stop()


def wait_until_up(base: str) -> None:
    import httpx

    for _ in range(400):
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError("the server did not start")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4])
    else:
        main()
