"""Ticket -> ESC/POS bytes (layout + raster + escpos encoding), side by side with baselines in the same run.

Target (docs/architecture.md): <= 50 ms per ticket. Baselines:
  * python-escpos printing the same ticket as plain text lines on its Dummy printer (what a printer with
    a Vietnamese code page would get: no drawing at all);
  * PIL drawing alone (our layout without the ESC/POS encoding).

    .venv/bin/python benchmarks/bench_ticket_bytes.py [--runs 200]

Exits 1 when the median of the full pipeline misses the target on either paper.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from functools import partial

from escpos.printer import Dummy

from devices.printers.encoding import document_bytes
from devices.printers.layout import local_time_text, render_ticket, wait_minutes_text
from devices.printers.port import TicketPrint
from devices.printers.sample import sample_ticket

TARGET_MS = 50.0


def text_lines(ticket: TicketPrint) -> list[str]:
    wait_vi, wait_en = wait_minutes_text(ticket.estimated_wait_s)
    return [
        ticket.office_name.upper(),
        "SO THU TU / YOUR NUMBER",
        ticket.number,
        ticket.queue_name_vi,
        ticket.queue_name_en,
        f"Gio lay so: {local_time_text(ticket.issued_at)}",
        f"So nguoi dang cho truoc ban: {ticket.people_ahead}",
        wait_vi,
        wait_en,
        *ticket.footer,
    ]


def plain_text_bytes(ticket: TicketPrint) -> bytes:
    """Baseline: python-escpos text mode (it picks code pages itself), QR as the printer's native QR."""
    dummy = Dummy()
    dummy.hw("INIT")
    for line in text_lines(ticket):
        dummy.text(line + "\n")
    if ticket.qr_url:
        dummy.qr(ticket.qr_url, native=True, size=6)
    dummy.cut()
    output: bytes = dummy.output
    return output


def ticket_bytes(ticket: TicketPrint, paper: str) -> bytes:
    """What the kiosk does per ticket: draw, rasterise, encode."""
    return document_bytes(render_ticket(ticket, paper), paper)


def timed_ms(action: Callable[[], object], runs: int) -> list[float]:
    action()  # warm caches (fonts, profiles) the way a running kiosk has them
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    runs = parser.parse_args().runs
    ticket = sample_ticket()
    rows: list[tuple[str, str, list[float], int]] = []
    for paper in ("80mm", "58mm"):
        size = len(ticket_bytes(ticket, paper))
        pipeline = timed_ms(partial(ticket_bytes, ticket, paper), runs)
        layout = timed_ms(partial(render_ticket, ticket, paper), runs)
        rows.append((paper, "ticket -> bytes (layout + raster + escpos)", pipeline, size))
        rows.append((paper, "baseline: PIL layout only", layout, 0))
    plain = timed_ms(lambda: plain_text_bytes(ticket), runs)
    rows.append(("any", "baseline: escpos plain text lines", plain, len(plain_text_bytes(ticket))))

    print(f"{runs} runs each, target <= {TARGET_MS:.0f} ms per ticket")
    print(f"{'paper':5s}  {'what':44s} {'median ms':>10s} {'p95 ms':>8s} {'bytes':>7s}")
    for paper, label, samples, size in rows:
        print(
            f"{paper:5s}  {label:44s} {statistics.median(samples):10.2f} {p95(samples):8.2f} "
            f"{size if size else '':>7}"
        )
    worst = max(statistics.median(samples) for _, label, samples, _ in rows if label.startswith("ticket"))
    verdict = "meets" if worst <= TARGET_MS else "MISSES"
    print(f"slowest full-pipeline median {worst:.2f} ms: {verdict} the {TARGET_MS:.0f} ms target")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
