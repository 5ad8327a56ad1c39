"""Writing events inside a use case's transaction; they are published only after it commits."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from queue_server.db.prepared import Prepared
from queue_server.tables.events import EventLog

if TYPE_CHECKING:
    from queue_server.db.unit_of_work import Transaction

# One lock id for ordering event inserts on PostgreSQL: seq order then equals commit order, so a client
# that reconnects with its last seq can never miss an event that committed late with a lower seq.
_PG_EVENT_LOCK = 7_110_001
_log: Table = EventLog.__table__  # type: ignore[assignment]
_INSERT = Prepared(_log.insert().returning(_log.c.seq), column_keys=["type", "at", "office", "data"])
_LOCK = text("SELECT pg_advisory_xact_lock(:id)")
_NOTIFY = text("NOTIFY motcua_events")
AfterWrite = Callable[["Transaction", list[dict[str, Any]]], None]


@dataclass
class Outbox:
    """Collects the events of one transaction (`tx.outbox`); the unit of work writes them last, just before
    it commits, and publishes `events` after the commit (db/unit_of_work.py).

    Writing last means the ordering lock is taken after every row lock the use case needed, so two
    transactions can never wait on each other in a cycle.
    """

    # Run with the written events, still inside the transaction (the citizen's messages are planned so);
    # given by the composition root (ServerContext.after_events), so events/ knows nothing of who listens.
    after_write: Sequence[AfterWrite] = ()
    events: list[dict[str, Any]] = field(default_factory=list)  # written, with their seq
    _pending: list[dict[str, Any]] = field(default_factory=list)

    def add(self, *, type: str, office: str, at: datetime, data: dict[str, Any]) -> None:
        self._pending.append({"type": type, "at": at, "office": office, "data": data})

    def write(self, tx: Transaction) -> None:
        if not self._pending:
            return
        connection = tx.connection()
        if connection.dialect.name == "postgresql":
            connection.execute(_LOCK, {"id": _PG_EVENT_LOCK})
            connection.execute(_NOTIFY)  # delivered on commit, to other processes
        written = []
        for row in self._pending:
            seq = int(_INSERT.scalar(tx, row))
            written.append({**row, "seq": seq, "at": row["at"].isoformat()})
        self.events.extend(written)
        self._pending = []
        for listener in self.after_write:
            listener(tx, written)


def event_payload(row: EventLog) -> dict[str, Any]:
    return {
        "seq": row.seq,
        "type": row.type,
        "at": row.at.isoformat(),
        "office": row.office,
        "data": row.data,
    }


def events_since(
    session: Session, seq: int, *, office: str | Collection[str] | None = None, limit: int = 5000
) -> list[dict[str, Any]]:
    """Events after seq, of one office, of a set of offices, or (None) of all."""
    query = select(EventLog).where(EventLog.seq > seq).order_by(EventLog.seq).limit(limit)
    if isinstance(office, str):
        query = query.where(EventLog.office == office)
    elif office is not None:
        query = query.where(EventLog.office.in_(sorted(office)))
    return [event_payload(row) for row in session.scalars(query)]


def last_seq(session: Session) -> int:
    from sqlalchemy import func

    return int(session.scalar(select(func.coalesce(func.max(EventLog.seq), 0))) or 0)
