"""Real `motcua serve` processes for tests: free port, real secret, output kept in a log file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import ROOT
from tests.support import free_port, wait_for

SECRET = "province-serve-processes-secret-0123456789abcdef"  # ≥ 32 bytes, not the demo's


def healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def serve_processes(
    count: int, *, database_url: str, config_dir: Path, logs: Path, **env: str
) -> Iterator[list[str]]:
    """`count` server processes on one database; yields their base URLs once each answers /health."""
    processes: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    try:
        for index in range(count):
            port = free_port()
            environment = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "MOTCUA_DATABASE_URL": database_url,
                "MOTCUA_CONFIG_DIR": str(config_dir),
                "MOTCUA_SECRET": SECRET,
                "MOTCUA_PORT": str(port),
                **env,
            }
            log = logs / f"serve-{index}.log"
            with log.open("wb") as output:
                processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "motcua", "serve"],
                        env=environment,
                        cwd=ROOT,
                        stdout=output,
                        stderr=output,
                    )
                )
            bases.append(f"http://127.0.0.1:{port}")
        for index, base in enumerate(bases):
            started = wait_for(lambda b=base: healthy(b), seconds=60)  # type: ignore[misc]
            assert started and processes[index].poll() is None, (logs / f"serve-{index}.log").read_text()
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
