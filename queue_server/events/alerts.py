"""Open alerts in the database (table open_alert): one row per condition, whichever process sees it.

Every server process runs the alert check, so two may find the same condition at once. The row's primary
key (office, kind, key) decides: an insert that lands raises the alert (its event goes in the same
transaction), an insert that meets the row does nothing; a delete that removes the row clears it, a delete
that finds nothing does nothing. On PostgreSQL the loser waits for the winner's commit and then sees its
row (or its absence), so each alert is raised once and cleared once however many processes check.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from queue_server.tables.events import OpenAlert

_open: Table = OpenAlert.__table__  # type: ignore[assignment]


def open_if_absent(session: Session, office: str, alert: Mapping[str, Any], now: datetime) -> bool:
    """Open the alert unless it is open already; True when this call opened it."""
    since = alert.get("since")
    values = {
        "office": office,
        "kind": str(alert["kind"]),
        "key": str(alert["key"]),
        "since": datetime.fromisoformat(since) if isinstance(since, str) else now,
        "raised_at": now,
        "alert": dict(alert),
    }
    insert = postgresql.insert if session.connection().dialect.name == "postgresql" else sqlite.insert
    # RETURNING says whether a row went in: psycopg's rowcount for this statement is -1 (unknown), which
    # read as true let two processes' checks both raise the same alert
    written = session.execute(insert(_open).values(values).on_conflict_do_nothing().returning(_open.c.key))
    return written.first() is not None


def close_if_open(session: Session, office: str, kind: str, key: str) -> bool:
    """Close the alert; True when this call closed it (it was open)."""
    gone = session.execute(
        delete(_open)
        .where(_open.c.office == office, _open.c.kind == kind, _open.c.key == key)
        .returning(_open.c.key)
    )
    return gone.first() is not None


def open_alerts(session: Session, offices: Collection[str] | None = None) -> list[dict[str, Any]]:
    """The open alerts as raised (oldest first), of some offices or (None) of all."""
    query = select(OpenAlert).order_by(OpenAlert.raised_at, OpenAlert.office, OpenAlert.kind, OpenAlert.key)
    if offices is not None:
        query = query.where(OpenAlert.office.in_(sorted(offices)))
    return [
        {**row.alert, "office": row.office, "kind": row.kind, "key": row.key}
        for row in session.scalars(query)
    ]
