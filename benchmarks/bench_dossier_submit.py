"""Submitting a case (dossier + its ticket, form checked, one paper attached) next to issuing a bare ticket,
on the same SQLite file in the same run; and checking an uploaded 12 MP page photo next to a plain decode.

    .venv/bin/python benchmarks/bench_dossier_submit.py [--count 300]

In-process through the HTTP app (TestClient), one client after another: it shows what the case adds on top
of a ticket (form validation, document checks, two more numbered rows, audit), not server concurrency
(benchmarks/bench_issue.py does that).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(action: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> float:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median = statistics.median(ordered)
    print(f"  {name:<46} median {median:7.2f} ms   p99 {p99:7.2f} ms   {1000 / median:7.0f}/s")
    return median


def bench_submit(count: int) -> None:
    from queue_server.clock import ManualClock
    from tests.fixtures.dossiers.helpers import NHUNG_ID, ct01_form, page_jpeg, register, upload
    from tests.support import KIOSK, client_for, make_server

    folder = Path(tempfile.mkdtemp(prefix="bench-dossier-"))
    server = make_server(
        f"sqlite:///{folder / 'bench.sqlite3'}", ManualClock(datetime(2026, 3, 10, 2, tzinfo=UTC))
    )
    with client_for(server) as client:
        register(client)
        paper = upload(client, "GTCMCHO", [("p.jpg", page_jpeg(), "image/jpeg")]).json()["id"]
        numbers = iter(range(1, 10**6))

        def ticket() -> None:
            answer = client.post("/api/v1/tickets", json={"queue": "B"}, headers=KIOSK)
            assert answer.status_code == 201, answer.text

        def dossier() -> None:
            body = {
                "procedure": "1.004222",
                "citizen_id": NHUNG_ID,
                "form": ct01_form(),
                "documents": [paper],
                "idempotency_key": f"bench-key-{next(numbers):08d}",
            }
            answer = client.post("/api/v1/dossiers", json=body, headers=KIOSK)
            assert answer.status_code == 201, answer.text

        timed(ticket, 20)  # warm-up
        timed(dossier, 20)
        print(f"SQLite, {count} requests each, one after another:")
        base = report("POST /tickets (baseline)", timed(ticket, count))
        case = report("POST /dossiers (dossier + ticket + paper)", timed(dossier, count))
        print(f"  a case costs {case / base:.2f}x a bare ticket")


def bench_file_check(count: int) -> None:
    from PIL import Image

    from queue_server.documents.filetypes import check_file

    image = Image.effect_noise((4000, 3000), 30).convert("RGB")  # 12 MP, like a phone photo
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    data = buffer.getvalue()

    def decode_only() -> None:
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()

    def checked() -> None:
        check_file(data, name="page.jpg", claimed_type="image/jpeg", max_bytes=20 * 1024 * 1024)

    print(f"12 MP JPEG ({len(data) / 1e6:.1f} MB), {count} times:")
    base = report("PIL open + load (baseline)", timed(decode_only, count))
    full = report("check_file (magic, EOI, size, full decode)", timed(checked, count))
    print(f"  the check costs {full / base:.2f}x a plain decode")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    bench_submit(args.count)
    bench_file_check(max(5, args.count // 30))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
