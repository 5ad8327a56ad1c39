"""What one kiosk issue asks of SQLite, statement by statement: the issue path's cost is mostly these, so a
statement added to it (a second read of the counters, a count of the waiting line) shows up here first."""

from __future__ import annotations

import sqlite3
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.support import KIOSK, Server, client_for

ONE_ISSUE = [
    "BEGIN IMMEDIATE",
    "INSERT INTO ticket_sequence",  # the day's next number (an upsert)
    "SELECT counter_state",  # open counters and since when each is busy, for the estimate
    "SELECT ticket_waiting_count",  # how many wait per queue (the visit times: cached for minutes)
    "INSERT INTO ticket ",
    "INSERT INTO ticket_event",
    "INSERT INTO ticket_waiting_count",  # the count moved (an upsert)
    "INSERT INTO event_log",
    "COMMIT",
]


def _traced(server: Server) -> list[list[str]]:
    """The statements of each connection the server's database opens from now on, one list a connection
    (reads of other work, such as the boards' snapshots, run on connections of their own)."""
    connections: list[list[str]] = []

    def trace(connection: sqlite3.Connection, _: Any) -> None:
        statements: list[str] = []
        connections.append(statements)
        connection.set_trace_callback(statements.append)

    event.listen(server.ctx.db.engine, "connect", trace)
    server.ctx.db.dispose()  # connections are opened again, traced
    return connections


def _kind(statement: str) -> str:
    words = " ".join(statement.split())
    for kind in ONE_ISSUE:
        if words.startswith(kind):
            return kind
        if kind.startswith("SELECT") and words.startswith("SELECT") and f" FROM {kind[7:]} " in f"{words} ":
            return kind
    return words[:80]


def test_one_issue_is_one_transaction_of_nine_statements(server: Server) -> None:
    connections = _traced(server)
    with client_for(server) as client:
        _issue(client, "B")  # the first also reads the kiosk's key and the queue's recent visit times
        for statements in connections:
            statements.clear()
        answer = _issue(client, "B")
    assert answer["number"].startswith("B")
    writes = [
        [_kind(s) for s in statements if not s.lstrip().upper().startswith("PRAGMA")]
        for statements in connections
        if any(s.startswith("BEGIN IMMEDIATE") for s in statements)
    ]
    assert writes == [ONE_ISSUE]


def _issue(client: TestClient, queue: str) -> dict[str, Any]:
    answer = client.post("/api/v1/tickets", json={"queue": queue}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    result: dict[str, Any] = answer.json()
    return result
