"""Shared browser fixtures: headless Debian Chromium through Playwright, the app under uvicorn on a fixed port,
and screenshots saved under tests/output/ (the current set is kept in docs/screenshots/)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--autoplay-policy=no-user-gesture-required",
]  # fmt: skip
OUTPUT = Path(__file__).resolve().parents[1] / "output"
DEMO_CONFIG = Path(__file__).resolve().parents[2] / "config" / "demo"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One headless Chromium per test module (module scope: other modules start their own Playwright)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_errors() -> list[str]:
    return []


def new_page(
    browser: Any,
    errors: list[str],
    width: int = 1920,
    height: int = 1080,
    *,
    enforce_csp: bool = False,
    timezone_id: str | None = None,
) -> Any:
    """A page in a fresh context (own localStorage) that records uncaught script errors in `errors`.

    The pages' Content-Security-Policy forbids evaluating strings, which Playwright's string predicates do,
    so tests bypass it unless they check the policy itself (tests/ui/test_page_policy.py)."""
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="vi-VN",
        bypass_csp=not enforce_csp,
        **({"timezone_id": timezone_id} if timezone_id else {}),  # a browser far from the office
    )
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    return page


def screenshot(page: Any, name: str) -> Path:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    page.screenshot(path=str(path))
    return path


def board_config_dir(tmp_path: Path, board_toml: str) -> Path:
    """The demo office's config with a board.toml of the test's own."""
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    (config / "board.toml").write_text(board_toml, encoding="utf-8")
    return config


@contextmanager
def serve(app: FastAPI, port: int) -> Iterator[str]:
    """The app under a real uvicorn on `port` (a fixed port, so a test can restart the server on it)."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.025)
    else:
        raise RuntimeError(f"uvicorn did not start on port {port}")
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def bearer(base: str, username: str, password: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}
