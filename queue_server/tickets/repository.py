"""Ticket queries, inside a unit of work's transaction (db/unit_of_work.py). They never commit."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, case, func, or_, select, update
from sqlalchemy.orm import Session

from queue_server.db.prepared import Prepared
from queue_server.db.unit_of_work import Slot, Transaction
from queue_server.domain.calling import Candidate
from queue_server.domain.tickets import TicketStatus
from queue_server.tables.counters import CounterState, CounterStatus
from queue_server.tables.tickets import NewTicket, Ticket, TicketEvent, TicketSequence
from queue_server.tickets import waiting as waiting_store

WAITING = TicketStatus.WAITING.value
_tickets: Table = Ticket.__table__  # type: ignore[assignment]
_sequences: Table = TicketSequence.__table__  # type: ignore[assignment]

# The statements of issuing: built and compiled once, run straight on the driver (db/prepared.py).
_NEW_TICKET_COLUMNS = [column.key for column in _tickets.columns if column.key != "id"]
_INSERT_TICKET = Prepared(_tickets.insert().returning(_tickets.c.id), column_keys=_NEW_TICKET_COLUMNS)
_OPEN_COUNTERS = Prepared(
    select(CounterState.number, CounterState.priority_streak, Ticket.last_called_at, Ticket.queue)
    .outerjoin(
        Ticket,
        and_(
            Ticket.office == CounterState.office,
            Ticket.counter == CounterState.number,
            or_(Ticket.status == TicketStatus.CALLED.value, Ticket.status == TicketStatus.SERVING.value),
        ),
    )
    .where(CounterState.office == bindparam("office"), CounterState.status == CounterStatus.OPEN.value)
)
_NEXT_NUMBER = Prepared.upsert(
    _sequences,
    values={
        "office": bindparam("s_office"),
        "queue_prefix": bindparam("s_prefix"),
        "business_day": bindparam("s_day"),
        "last_number": bindparam("s_start"),
    },
    keys=["office", "queue_prefix", "business_day"],
    set_={"last_number": _sequences.c.last_number + 1},
    returning=_sequences.c.last_number,
)
_events: Table = TicketEvent.__table__  # type: ignore[assignment]
_INSERT_EVENT = Prepared(_events.insert(), column_keys=[c.key for c in _events.columns if c.key != "id"])
_BY_IDEMPOTENCY_KEY = select(Ticket).where(
    Ticket.office == bindparam("office"), Ticket.idempotency_key == bindparam("key")
)


@dataclass(frozen=True)
class OfficeSnapshot:
    open_counters: list[int]
    busy_since: dict[int, datetime]  # open counter → when it called its current ticket
    waiting: dict[str, int]  # queue → tickets waiting today
    busy_queue: dict[int, str] = field(default_factory=dict)  # open counter → queue of its current ticket
    streaks: dict[int, int] = field(default_factory=dict)  # open counter → priority calls in a row


SNAPSHOTS: Slot[dict[str, OfficeSnapshot]] = Slot("office snapshots", dict)  # any status change drops it


def office_snapshot(tx: Transaction, *, office: str, day: date) -> OfficeSnapshot:
    """The live state estimates need, read once per transaction (and again after each status change)."""
    memo = tx.cached(SNAPSHOTS)
    snapshot = memo.get(office)
    if snapshot is None:
        rows = _OPEN_COUNTERS.rows(tx, {"office": office})
        open_counters = sorted({int(number) for number, *_ in rows})
        busy_since = {int(number): at for number, _, at, _ in rows if at is not None}
        busy_queue = {int(number): queue for number, _, at, queue in rows if at is not None}
        streaks = {int(number): int(streak or 0) for number, streak, *_ in rows}
        waiting = waiting_counts(tx, office=office, day=day)
        snapshot = memo[office] = OfficeSnapshot(open_counters, busy_since, waiting, busy_queue, streaks)
    return snapshot


def insert_ticket(tx: Transaction, ticket: NewTicket) -> None:
    """Write a new ticket in one statement and give it its id. The live snapshot, if read, counts it as
    waiting from now on."""
    values = {key: getattr(ticket, key) for key in _NEW_TICKET_COLUMNS}
    ticket.id = int(_INSERT_TICKET.scalar(tx, values))
    if ticket.status == WAITING:
        waiting_store.record(tx, office=ticket.office, day=ticket.business_day, queue=ticket.queue, delta=1)
    memo = tx.peek(SNAPSHOTS) or {}
    snapshot = memo.get(ticket.office)
    if snapshot is not None:
        waiting = {**snapshot.waiting, ticket.queue: snapshot.waiting.get(ticket.queue, 0) + 1}
        memo[ticket.office] = replace(snapshot, waiting=waiting)


def insert_event(tx: Transaction, row: dict[str, Any]) -> None:
    """Append one row to the ticket's audit trail (ticket_event)."""
    _INSERT_EVENT.rows(tx, row)


def next_sequence(tx: Transaction, *, office: str, prefix: str, day: date, start: int) -> int:
    """Atomically take the next number of the day: one upsert, so no two callers get the same one."""
    values = {"s_office": office, "s_prefix": prefix, "s_day": day, "s_start": start}
    return int(_NEXT_NUMBER.scalar(tx, values))


def by_idempotency_key(tx: Transaction, office: str, key: str) -> Ticket | None:
    return tx.session.scalar(_BY_IDEMPOTENCY_KEY, {"office": office, "key": key})


def load(tx: Transaction, ticket_id: int, *, for_update: bool = False) -> Ticket | None:
    query = select(Ticket).where(Ticket.id == ticket_id)
    if for_update:
        query = query.with_for_update()
    return tx.session.scalar(query)


def by_public_code(tx: Transaction, public_code: str) -> Ticket | None:
    return tx.session.scalar(select(Ticket).where(Ticket.public_code == public_code))


def waiting_tickets(tx: Transaction, *, office: str, day: date, queues: list[str]) -> list[Ticket]:
    return list(
        tx.session.scalars(
            select(Ticket)
            .where(
                Ticket.office == office,
                Ticket.status == WAITING,
                Ticket.business_day == day,
                Ticket.queue.in_(queues),
            )
            .order_by(Ticket.place_at, Ticket.id)
        )
    )


def waiting_counts(tx: Transaction, *, office: str, day: date) -> dict[str, int]:
    return waiting_store.counts(tx, office=office, day=day)


def _rank(appointment_at: Any, priority: Any) -> Any:
    """What the calling rule serves first: a checked-in appointment (2), then priority (1), then the rest."""
    return case((appointment_at.is_not(None), 2), (priority.is_not(None), 1), else_=0)


def ahead_in_line(tx: Transaction, *, office: str, day: date, target: Candidate) -> int:
    """Waiting tickets of the target's line that the rule calls before it: a higher rank (appointment,
    priority), or the same rank and an earlier place. Ageing and the priority streak are not counted."""
    mine = 2 if target.appointment_at is not None else 1 if target.priority is not None else 0
    rank = _rank(Ticket.appointment_at, Ticket.priority)
    before = or_(
        Ticket.place_at < target.place_at, and_(Ticket.place_at == target.place_at, Ticket.id < target.id)
    )
    return int(
        tx.session.scalar(
            select(func.count(Ticket.id)).where(
                Ticket.office == office,
                Ticket.status == WAITING,
                Ticket.business_day == day,
                Ticket.queue == target.queue,
                Ticket.id != target.id,
                or_(rank > mine, and_(rank == mine, before)),
            )
        )
        or 0
    )


def compare_and_set(tx: Transaction, ticket: Ticket, expected_status: str, values: dict[str, Any]) -> bool:
    """Write `values` only if the ticket is still in `expected_status` (two counters never share a ticket)."""
    was_in = ticket.queue
    session = tx.session
    result = session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status == expected_status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    tx.drop(SNAPSHOTS)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(ticket)
    if expected_status == WAITING:
        waiting_store.record(tx, office=ticket.office, day=ticket.business_day, queue=was_in, delta=-1)
    if ticket.status == WAITING:
        waiting_store.record(tx, office=ticket.office, day=ticket.business_day, queue=ticket.queue, delta=1)
    return True


def open_tickets_before(tx: Transaction, *, office: str, day: date) -> list[Ticket]:
    open_statuses = [
        s.value
        for s in (TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.ON_HOLD)
    ]
    return list(
        tx.session.scalars(
            select(Ticket).where(
                Ticket.office == office, Ticket.status.in_(open_statuses), Ticket.business_day < day
            )
        )
    )


def current_ticket_of_counter(session: Session, *, office: str, counter: int) -> Ticket | None:
    return session.scalar(
        select(Ticket)
        .where(
            Ticket.office == office,
            Ticket.counter == counter,
            Ticket.status.in_([TicketStatus.CALLED.value, TicketStatus.SERVING.value]),
        )
        .order_by(Ticket.last_called_at.desc())
        .limit(1)
    )
