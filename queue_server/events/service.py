"""Use cases of the event log that other programs need: where the log stands, what came after a seq, and
supervisors' alerts (open alerts kept in the database, one per condition across server processes; raised
and cleared through the outbox like every other event)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from queue_server.db.engine import Database
from queue_server.db.unit_of_work import OutboxPort, StorageParts, UnitOfWork
from queue_server.events.alerts import close_if_open, open_alerts, open_if_absent
from queue_server.events.hub import EventHub
from queue_server.events.outbox import events_since, last_seq

ALERT_PREFIX = "alert."
ALERT_CLEARED = "alert.cleared"


class EventService:
    def __init__(
        self,
        *,
        db: Database,
        clock: Callable[[], datetime],
        hub: EventHub,
        outbox: Callable[[], OutboxPort],
    ) -> None:
        self.db = db
        self._storage = StorageParts(db=db, clock=clock, hub=hub, outbox=outbox)

    def last_seq(self) -> int:
        """The seq of the newest committed event (0 for an empty log): where a new client starts."""
        with self.db.read() as session:
            return last_seq(session)

    def since(self, seq: int, *, office: str | None = None, limit: int = 5000) -> list[dict[str, Any]]:
        """Committed events after `seq`, oldest first."""
        with self.db.read() as session:
            return events_since(session, seq, office=office, limit=limit)

    def open_alerts(self, offices: Collection[str] | None = None) -> list[dict[str, Any]]:
        """The alerts open now (raised and not yet cleared, by any server process), oldest first."""
        with self.db.read() as session:
            return open_alerts(session, offices)

    def raise_alerts(
        self,
        *,
        office: str,
        raised: Sequence[Mapping[str, Any]],
        cleared: Sequence[Mapping[str, Any]],
    ) -> list[dict[str, Any]]:
        """Open each raised alert and close each ended one, in one transaction at one clock reading; write
        `alert.<kind>` for each alert this call opened and `alert.cleared` for each it closed (an alert
        another process opened or closed first is left alone); publish after commit. Each alert names its
        `kind` and `key`."""
        if not raised and not cleared:
            return []
        with UnitOfWork(self._storage) as tx:
            for alert in _in_lock_order(raised):
                if open_if_absent(tx.session, office, alert, tx.now):
                    data = {"alert": dict(alert)}
                    tx.outbox.add(type=ALERT_PREFIX + str(alert["kind"]), office=office, at=tx.now, data=data)
            for alert in _in_lock_order(cleared):
                if close_if_open(tx.session, office, str(alert["kind"]), str(alert["key"])):
                    data = {"alert": {"kind": alert["kind"], "key": alert["key"], "office": office}}
                    tx.outbox.add(type=ALERT_CLEARED, office=office, at=tx.now, data=data)
        return tx.outbox.events  # published by the unit of work after the commit


def _in_lock_order(alerts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """One order of row locks in every process: two checks of one office never wait on each other in a cycle."""
    return sorted(alerts, key=lambda alert: (str(alert["kind"]), str(alert["key"])))
