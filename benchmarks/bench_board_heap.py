"""The lobby board page over many calls: its JS heap, DOM and listeners must stay flat (weeks without a reload).

The real server runs under uvicorn in this process (SQLite file); the real /board page runs in headless
Chromium and receives calls through the real event stream: synthetic ticket.called / ticket.recalled
events are handed to the server's event hub in bursts of 20, so 10,000 calls take minutes, not days, while
the page does everything it does for a real call (tiles, recent list, queue panels, localStorage, one
announcement request per call and the voice queue). After a forced garbage collection (DevTools
protocol) the used heap, DOM nodes and JS event listeners are read after 100 calls and after 10,000.
Baseline in the same run: the same page left idle as long as 1,000 calls took (the heap's own drift).

    .venv/bin/python benchmarks/bench_board_heap.py [--calls 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from queue_server.events.outbox import last_seq  # noqa: E402
from tests.support import DISPLAY_KEY, make_server, running_server  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
BURST = 20


class Feeder:
    """Synthetic call events with consecutive seq numbers, published through the server's hub."""

    def __init__(self, server: Any) -> None:
        self.hub = server.ctx.hub
        with server.ctx.db.read() as session:
            self.seq = last_seq(session)
        self.calls = 0

    def event(self) -> dict[str, Any]:
        self.seq += 1
        self.calls += 1
        n = self.calls
        recall = n % 10 == 0
        ticket = {"id": n, "number": f"{'ABC'[n % 3]}{n % 999 + 1:03d}", "queue": "ABC"[n % 3],
                  "status": "called", "counter": n % 4 + 1, "priority": False, "recall_count": int(recall)}  # fmt: skip
        return {
            "seq": self.seq,
            "type": "ticket.recalled" if recall else "ticket.called",
            "at": datetime.now(UTC).isoformat(),
            "office": "CAXTP",
            "data": {
                "ticket": ticket,
                "transition": {"from": "waiting", "to": "called"},
                "queues": {ticket["queue"]: {"waiting": n % 40, "estimated_wait_s": (n % 40) * 90}},
            },
        }

    def feed(self, page: Any, calls: int) -> None:
        for _ in range(calls // BURST):
            self.hub.publish([self.event() for _ in range(BURST)])
            page.wait_for_function("(seq) => window.motcuaBoard.lastSeq >= seq", arg=self.seq)


def measure(page: Any, cdp: Any) -> dict[str, float]:
    cdp.send("HeapProfiler.collectGarbage")
    heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return {
        "heap": heap,
        "nodes": metrics["Nodes"],
        "listeners": metrics["JSEventListeners"],
        "pending": page.evaluate("window.motcuaBoard.voice ? window.motcuaBoard.voice.pendingCount : 0"),
    }


def line(name: str, values: dict[str, float]) -> str:
    return (
        f"{name:<34} {values['heap'] / 2**20:>9.2f} {values['nodes']:>9.0f} {values['listeners']:>10.0f}"
        f" {values['pending']:>8.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    calls = parser.parse_args().calls
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(f"sqlite:///{Path(folder) / 'heap.sqlite3'}")
        with running_server(server) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.goto(f"{base}/board?key={DISPLAY_KEY}")
            page.wait_for_function("window.motcuaBoard && window.motcuaBoard.socket.state === 'live'")
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            feeder = Feeder(server)
            feeder.feed(page, 100)
            after_100 = measure(page, cdp)
            started = time.perf_counter()
            feeder.feed(page, 1000)
            thousand_s = time.perf_counter() - started
            idle_start = measure(page, cdp)
            time.sleep(thousand_s)
            idle_end = measure(page, cdp)
            feeder.feed(page, calls - 1100)
            after_all = measure(page, cdp)
            elapsed = time.perf_counter() - started
            shown = page.locator("#recent li:not([hidden])").count()
            stats = page.evaluate("JSON.stringify(window.motcuaBoard.stats)")
            browser.close()
    print(f"board page: {feeder.calls} calls through the event stream in {elapsed:.0f} s ({stats})")
    print(f"{'':<34} {'heap MB':>9} {'DOM nodes':>9} {'listeners':>10} {'voice q':>8}")
    print(line("after 100 calls", after_100))
    print(line(f"after {feeder.calls} calls", after_all))
    print(line(f"baseline: idle {thousand_s:.0f} s, start", idle_start))
    print(line(f"baseline: idle {thousand_s:.0f} s, end", idle_end))
    growth = (after_all["heap"] - after_100["heap"]) / 2**10
    drift = (idle_end["heap"] - idle_start["heap"]) / 2**10
    print(
        f"heap growth from 100 to {feeder.calls} calls: {growth:+.0f} KB "
        f"({growth / max(1, (feeder.calls - 100) / 1000):+.1f} KB per 1,000 calls); idle drift {drift:+.0f} KB; "
        f"DOM nodes {after_100['nodes']:.0f} → {after_all['nodes']:.0f}; recent calls shown: {shown}"
    )


if __name__ == "__main__":
    main()
