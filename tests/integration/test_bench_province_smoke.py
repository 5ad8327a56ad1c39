"""The province benchmark runs (a tiny province, a few seconds): its table comes out and no event is lost.
The figures themselves are the benchmark's business (benchmarks/bench_province.py), not a test's."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
from sqlalchemy.engine import make_url

from tests.conftest import ROOT


def test_the_province_benchmark_runs_on_a_tiny_province(empty_postgres_url: str) -> None:
    url = make_url(empty_postgres_url).set(database=make_url(empty_postgres_url).database + "_bench")
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_province.py",
            "--offices",
            "3",
            "--processes",
            "1",
            "--seconds",
            "3",
            "--grow",
            "2",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "MOTCUA_BENCH_POSTGRES_URL": url.render_as_string(False)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    with psycopg.connect(
        url.set(drivername="postgresql", database="postgres").render_as_string(False), autocommit=True
    ) as connection:  # the benchmark's own database goes with the test
        connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    assert done.returncode == 0, done.stdout + done.stderr
    assert "| 1 |" in done.stdout and "Growth (1 process" in done.stdout and "| 2 |" in done.stdout
