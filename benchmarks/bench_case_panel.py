"""Opening the case panel in the counter console: time until it is usable, beside opening the plain console.

The real server runs under uvicorn in this process (SQLite file, page files on disk); the real /counter page
runs in headless Chromium, signed in and seated at counter 1. Cases are prepared as a kiosk does: 3 papers
of 2 straightened A4 pages each (1240×1754 JPEG, ~150 dpi), the CT01 declaration, a ticket.

- **panel**: the officer types the case code in the search box and presses Enter; timed until the panel shows
  the citizen, the checklist, the declaration and the history AND all 6 page thumbnails have loaded
  (decoded images). Cases alternate so no page comes from a cache (the pages are served `no-store`).
- **plain console (baseline)**: reloading /counter (signed in, seated) until the counter, the current ticket
  and the waiting list are on screen.

Median of the runs; target: the panel usable within 300 ms.

    .venv/bin/python benchmarks/bench_case_panel.py [--runs 15]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.fixtures.dossiers.helpers import ct01_form  # noqa: E402
from tests.support import KIOSK, PASSWORD, make_server, running_server  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
QR = "001199004567|123456789|Nguyễn Thị Hồng Nhung|01021999|Nữ|Thôn 3, xã Tân Phú, tỉnh Đồng Nai|15082021"
PAPERS = ("GTCMCHO", "GTQHNT", "VBDONGY")
PANEL_READY = """code => document.body.dataset.caseReady === code &&
  document.querySelectorAll('#case-papers .thumb img').length === 6 &&
  [...document.querySelectorAll('#case-papers .thumb img')].every(i => i.complete && i.naturalWidth > 0)"""
CONSOLE_READY = """() => window.motcuaConsole && window.motcuaConsole.stats.refreshes > 0 &&
  !document.getElementById('work-view').hidden"""


def page_jpeg(label: str) -> bytes:
    image = Image.new("RGB", (1240, 1754), (250, 249, 244))
    pen = ImageDraw.Draw(image)
    pen.rectangle((60, 60, 1180, 1694), outline=(20, 20, 20), width=4)
    for row in range(40):
        pen.line((120, 200 + row * 36, 1120 - (row * 17) % 300, 200 + row * 36), fill=(40, 40, 40), width=3)
    pen.text((120, 120), label, fill=(0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def prepare_case(base: str, number: int) -> str:
    with httpx.Client(base_url=base, headers=KIOSK, timeout=30) as kiosk:
        registered = kiosk.post("/api/v1/citizens", json={"qr": QR})
        registered.raise_for_status()
        claim = registered.json()["claim"]  # the card's claim, kept with the case it belongs to
        ids = []
        for paper in PAPERS:
            files = [
                ("files", (f"p{n}.jpg", page_jpeg(f"{paper} {number} / {n}"), "image/jpeg")) for n in (1, 2)
            ]
            answer = kiosk.post("/api/v1/documents", data={"citizen_id": QR[:12], "type": paper}, files=files)
            answer.raise_for_status()
            ids.append(answer.json()["id"])
        body = {"procedure": "1.004222", "citizen_id": QR[:12], "form": ct01_form(), "documents": ids,
                "claim": claim, "idempotency_key": f"bench-case-panel-{number:04d}"}  # fmt: skip
        answer = kiosk.post("/api/v1/dossiers", json=body)
        answer.raise_for_status()
        return str(answer.json()["dossier"]["code"])


def open_panel(page: Any, code: str) -> float:
    page.fill("#case-query", code)
    started = time.perf_counter()
    page.press("#case-query", "Enter")
    page.wait_for_function(PANEL_READY, arg=code, polling="raf")
    elapsed = time.perf_counter() - started
    page.click("#case-close")
    page.wait_for_function("() => document.getElementById('case').hidden")
    return elapsed * 1000


def open_console(page: Any) -> float:
    started = time.perf_counter()
    page.reload()
    page.wait_for_function(CONSOLE_READY, polling="raf")
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = make_server(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        with running_server(server) as base:
            codes = [prepare_case(base, n) for n in range(1, 5)]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 720}, locale="vi-VN")
                page.goto(f"{base}/counter")
                page.fill("#username", "canbo1")
                page.fill("#password", PASSWORD)
                page.click("#login-form button[type=submit]")
                page.get_by_role("button", name="Quầy 1").first.click()
                page.wait_for_function(CONSOLE_READY)
                open_panel(page, codes[0])  # warm-up: module scripts compiled, connections open
                panel, plain = [], []
                for run in range(args.runs):
                    plain.append(open_console(page))
                    panel.append(open_panel(page, codes[run % len(codes)]))
                browser.close()
    print(f"case panel (3 papers × 2 pages of 1240×1754 JPEG), {args.runs} runs, 1280×720:")
    print(f"  plain console (reload until usable): median {statistics.median(plain):6.1f} ms, "
          f"max {max(plain):6.1f} ms")  # fmt: skip
    print(f"  case panel (Enter until usable):     median {statistics.median(panel):6.1f} ms, "
          f"max {max(panel):6.1f} ms   target ≤ 300 ms")  # fmt: skip


if __name__ == "__main__":
    main()
