"""The waiting count per office, queue and business day (table ticket_waiting_count).

Every status change goes through tickets/repository.py, which records here how it moves the count. The
changes of a transaction are kept in its cache and written just before it commits, in key order, so two
transactions on PostgreSQL never lock two count rows in opposite orders; reads inside the transaction add
its own pending changes to what the table holds.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import Table, bindparam, select

from queue_server.db.prepared import Prepared
from queue_server.db.unit_of_work import Slot, Transaction
from queue_server.tables.tickets import WaitingCount

Key = tuple[str, date, str]  # office, business day, queue
PENDING: Slot[Counter[Key]] = Slot("waiting count changes", Counter)
_table: Table = WaitingCount.__table__  # type: ignore[assignment]

# On the issue path: compiled once and run straight on the driver (db/prepared.py).
_READ = Prepared(
    select(_table.c.queue, _table.c.waiting).where(
        _table.c.office == bindparam("office"), _table.c.business_day == bindparam("day")
    )
)
_UPSERT = Prepared.upsert(
    _table,
    values={
        "office": bindparam("w_office"),
        "queue": bindparam("w_queue"),
        "business_day": bindparam("w_day"),
        "waiting": bindparam("w_delta"),
    },
    keys=["office", "queue", "business_day"],
    set_={"waiting": _table.c.waiting + bindparam("w_delta")},
)


def record(tx: Transaction, *, office: str, day: date, queue: str, delta: int) -> None:
    """Note that a ticket of `day` started (+1) or stopped (−1) waiting in `queue`."""
    pending = tx.peek(PENDING)
    if pending is None:
        pending = tx.cached(PENDING)
        # Before commit, and before the outbox: count rows are locked before the event-order lock.
        tx.before_commit(_write_pending)
    pending[(office, day, queue)] += delta


def counts(tx: Transaction, *, office: str, day: date) -> dict[str, int]:
    """Tickets waiting per queue: what is committed plus this transaction's own changes."""
    result = {queue: int(waiting) for queue, waiting in _READ.rows(tx, {"office": office, "day": day})}
    pending = tx.peek(PENDING) or Counter()
    for (key_office, key_day, queue), delta in pending.items():
        if key_office == office and key_day == day:
            result[queue] = result.get(queue, 0) + delta
    return {queue: n for queue, n in result.items() if n}


def _write_pending(tx: Transaction) -> None:
    pending = tx.peek(PENDING) or Counter()
    tx.drop(PENDING)
    rows = [
        {"w_office": office, "w_day": day, "w_queue": queue, "w_delta": delta}
        for (office, day, queue), delta in sorted(pending.items())
        if delta
    ]
    for row in rows:
        _UPSERT.rows(tx, row)
