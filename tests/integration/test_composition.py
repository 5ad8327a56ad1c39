"""The composition root: every program's pages are there, and a missing dependency stops the start loudly."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import ROOT


def test_board_console_and_dashboard_pages_are_served(client: TestClient) -> None:
    for path in ("/board", "/counter", "/dashboard"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "text/html" in answer.headers["content-type"]
    assert client.get("/static/board/board.js").status_code == 200


def test_a_missing_dependency_of_the_pages_stops_the_server_with_a_clear_message(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["numpy"] = None  # as if numpy were not installed
        from queue_server.app import create_app
        from queue_server.bootstrap import build_context, settings_with
        create_app(build_context(settings_with(database_url="sqlite:///{tmp_path}/m.sqlite3")))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "need the Python package 'numpy'" in done.stderr
    assert "pip install 'motcua[server]'" in done.stderr
