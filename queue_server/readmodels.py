"""Read models: what other programs (analytics, reports, the simulator's replay) may read of the server's
tables, as plain records. They never see an ORM model or a session, so the tables can change behind
these functions without touching them (docs/architecture.md, "Public modules of the server").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from queue_server.db.engine import Database
from queue_server.tables.auth import User
from queue_server.tables.dossiers import Dossier
from queue_server.tables.tickets import Ticket, TicketEvent

CHUNK = 900  # ids per IN (...): under SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class TicketStep:
    """One line of a ticket's event history."""

    action: str
    to_status: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """One ticket of a period as it stands now, with its history."""

    id: int
    office: str
    number: str
    queue: str
    issued_queue: str
    business_day: date
    status: str
    priority: str | None
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    counter: int | None
    staff: str | None  # the username of the last staff member who acted on it
    recall_count: int
    estimated_wait_s: int | None
    steps: tuple[TicketStep, ...] = ()
    procedure_code: str | None = None  # of the first case submitted with this visit


@dataclass(frozen=True, slots=True)
class QueueCount:
    office: str
    queue: str
    count: int


@dataclass(frozen=True, slots=True)
class StaffAccount:
    id: int
    username: str


def tickets_of_period(
    db: Database, *, office: str, first: date, last: date, with_history: bool = True
) -> list[TicketRecord]:
    """The office's tickets of business days first..last in issue order; with their steps and cases."""
    with db.read() as session:
        rows = session.execute(
            select(Ticket, User.username)
            .outerjoin(User, User.id == Ticket.staff_id)
            .where(Ticket.office == office, Ticket.business_day >= first, Ticket.business_day <= last)
            .order_by(Ticket.id)
        ).all()
        ids = [ticket.id for ticket, _ in rows]
        steps = _steps_of(session, ids) if with_history else {}
        procedures = _procedures_of(session, ids) if with_history else {}
    return [
        ticket_record(
            ticket,
            staff=username,
            steps=tuple(steps.get(ticket.id, ())),
            procedure_code=procedures.get(ticket.id),
        )
        for ticket, username in rows
    ]


def ticket_record(
    ticket: Ticket,
    *,
    staff: str | None = None,
    steps: tuple[TicketStep, ...] = (),
    procedure_code: str | None = None,
) -> TicketRecord:
    """A ticket row as the plain record analytics reads (its history only where the caller loaded it)."""
    return TicketRecord(
        id=ticket.id,
        office=ticket.office,
        number=ticket.number,
        queue=ticket.queue,
        issued_queue=ticket.issued_queue,
        business_day=ticket.business_day,
        status=ticket.status,
        priority=ticket.priority,
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        started_at=ticket.started_at,
        ended_at=ticket.ended_at,
        counter=ticket.counter,
        staff=staff,
        recall_count=ticket.recall_count,
        estimated_wait_s=ticket.estimated_wait_s,
        steps=steps,
        procedure_code=procedure_code,
    )


def _steps_of(session: Session, ids: Sequence[int]) -> dict[int, list[TicketStep]]:
    result: dict[int, list[TicketStep]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        query = (
            select(TicketEvent.ticket_id, TicketEvent.action, TicketEvent.to_status, TicketEvent.at)
            .where(TicketEvent.ticket_id.in_(ids[start : start + CHUNK]))
            .order_by(TicketEvent.id)
        )
        for ticket_id, action, to_status, at in session.execute(query):
            result[ticket_id].append(TicketStep(action, to_status, at))
    return result


def _procedures_of(session: Session, ids: Sequence[int]) -> dict[int, str]:
    result: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        query = (
            select(Dossier.ticket_id, Dossier.procedure_code)
            .where(Dossier.ticket_id.in_(ids[start : start + CHUNK]))
            .order_by(Dossier.id)
        )
        for ticket_id, code in session.execute(query):
            if ticket_id is not None:
                result.setdefault(ticket_id, code)
    return result


def desks_busy_since(db: Database, *, office: str) -> dict[int | None, datetime | None]:
    """Counter → when it last called the ticket it has now (called or being served)."""
    with db.read() as session:
        rows = session.execute(
            select(Ticket.counter, Ticket.last_called_at).where(
                Ticket.office == office, Ticket.status.in_(["called", "serving"])
            )
        ).all()
    return {counter: at for counter, at in rows}


def issued_counts(db: Database) -> list[QueueCount]:
    """Tickets ever issued, by office and the queue that numbered them."""
    with db.read() as session:
        rows = session.execute(
            select(Ticket.office, Ticket.issued_queue, func.count(Ticket.id)).group_by(
                Ticket.office, Ticket.issued_queue
            )
        ).all()
    return sorted((QueueCount(office, queue, count) for office, queue, count in rows), key=_by_place)


def served_counts(db: Database) -> list[QueueCount]:
    """Tickets ever finished at a desk, by office and queue."""
    with db.read() as session:
        rows = session.execute(
            select(Ticket.office, Ticket.queue, func.count(Ticket.id))
            .where(Ticket.status == "done")
            .group_by(Ticket.office, Ticket.queue)
        ).all()
    return sorted((QueueCount(office, queue, count) for office, queue, count in rows), key=_by_place)


def _by_place(row: QueueCount) -> tuple[str, str]:
    return row.office, row.queue


@dataclass(frozen=True, slots=True)
class FirstWait:
    office: str
    queue: str
    wait_s: float
    estimated_wait_s: int | None


def first_waits(db: Database, ticket_ids: Sequence[int]) -> list[FirstWait]:
    """Issue to first call of these tickets (those not called yet are left out)."""
    waits: list[FirstWait] = []
    with db.read() as session:
        for start in range(0, len(ticket_ids), CHUNK):
            query = select(
                Ticket.office, Ticket.queue, Ticket.issued_at, Ticket.called_at, Ticket.estimated_wait_s
            ).where(Ticket.id.in_(ticket_ids[start : start + CHUNK]))
            waits.extend(_first_waits(session.execute(query).all()))
    return waits


def called_waits_of_day(db: Database, *, office: str, day: date) -> list[FirstWait]:
    """The day's called tickets that were given an estimate at issue: the estimate and the real wait."""
    with db.read() as session:
        query = select(
            Ticket.office, Ticket.queue, Ticket.issued_at, Ticket.called_at, Ticket.estimated_wait_s
        ).where(
            Ticket.office == office,
            Ticket.business_day == day,
            Ticket.called_at.is_not(None),
            Ticket.estimated_wait_s.is_not(None),
        )
        return _first_waits(session.execute(query).all())


def _first_waits(rows: Iterable[Any]) -> list[FirstWait]:
    return [
        FirstWait(office, queue, (called - issued).total_seconds(), estimate)
        for office, queue, issued, called, estimate in rows
        if called is not None
    ]


def active_staff(db: Database) -> list[StaffAccount]:
    """Active staff accounts by username."""
    with db.read() as session:
        rows = session.execute(
            select(User.id, User.username)
            .where(User.role == "staff", User.active.is_(True))
            .order_by(User.username)
        ).all()
    return [StaffAccount(user_id, username) for user_id, username in rows]


@dataclass(frozen=True, slots=True)
class OfficeNow:
    """One office right now: people waiting, since when the longest has waited, desks by status."""

    waiting: int
    oldest_waiting_since: datetime | None
    desks: dict[str, int]  # open, paused, closed (those with a state row)


def offices_now(db: Database, offices: Sequence[str]) -> dict[str, OfficeNow]:
    """The province page's live columns, two grouped queries whatever the number of offices."""
    from queue_server.tables.counters import CounterState

    with db.read() as session:
        waiting = {
            office: (int(count), oldest)
            for office, count, oldest in session.execute(
                select(Ticket.office, func.count(), func.min(Ticket.issued_at))
                .where(Ticket.office.in_(offices), Ticket.status == "waiting")
                .group_by(Ticket.office)
            )
        }
        desks: dict[str, dict[str, int]] = defaultdict(dict)
        for office, status, count in session.execute(
            select(CounterState.office, CounterState.status, func.count())
            .where(CounterState.office.in_(offices))
            .group_by(CounterState.office, CounterState.status)
        ):
            desks[office][status] = int(count)
    now: dict[str, OfficeNow] = {}
    for code in offices:
        count, oldest = waiting.get(code, (0, None))
        now[code] = OfficeNow(waiting=count, oldest_waiting_since=oldest, desks=dict(desks.get(code, {})))
    return now
