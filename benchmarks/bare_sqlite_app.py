"""The baseline of the issue benchmark: a bare FastAPI endpoint that only inserts a row with sqlite3."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime

from fastapi import FastAPI

DATABASE = os.environ.get("BARE_DATABASE", "/tmp/bare.sqlite3")
SYNCHRONOUS = os.environ.get("BARE_SYNCHRONOUS", "NORMAL")  # NORMAL or FULL (what motcua runs)
app = FastAPI()
_local = threading.local()


def connection() -> sqlite3.Connection:
    if not hasattr(_local, "db"):
        db = sqlite3.connect(DATABASE, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={'FULL' if SYNCHRONOUS == 'FULL' else 'NORMAL'}")
        db.execute("CREATE TABLE IF NOT EXISTS ticket (id INTEGER PRIMARY KEY, queue TEXT, issued_at TEXT)")
        _local.db = db
    return _local.db  # type: ignore[no-any-return]


@app.post("/api/v1/tickets", status_code=201)
def issue(body: dict[str, object]) -> dict[str, object]:
    cursor = connection().execute(
        "INSERT INTO ticket (queue, issued_at) VALUES (?, ?)",
        (str(body.get("queue")), datetime.now(UTC).isoformat()),
    )
    return {"id": cursor.lastrowid, "queue": body.get("queue")}
