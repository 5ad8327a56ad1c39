"""Run every benchmark one after another (`make bench`); each prints its own table with its baseline."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = []
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"\n=== {script.name} ===", flush=True)
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(script), *sys.argv[1:]], cwd=HERE.parent, check=False)
        print(f"--- {script.name}: exit {done.returncode} in {time.monotonic() - started:.0f} s", flush=True)
        if done.returncode != 0:
            failures.append(script.name)
    if failures:
        print("benchmarks that failed or missed their target:", ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
