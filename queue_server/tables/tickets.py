from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class Ticket(Base):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("office", "queue_prefix", "business_day", "sequence", name="uq_ticket_number"),
        UniqueConstraint("office", "idempotency_key", name="uq_ticket_idempotency"),
        Index("ix_ticket_open", "office", "status", "queue"),
        Index("ix_ticket_day", "office", "business_day"),
        Index("ix_ticket_ended", "office", "queue", "ended_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    public_code: Mapped[str] = mapped_column(String(32), unique=True)
    office: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(8))  # the queue it waits in now (transfers change it)
    issued_queue: Mapped[str] = mapped_column(String(8))  # the queue that numbered it
    queue_prefix: Mapped[str] = mapped_column(String(1))
    business_day: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12))
    priority: Mapped[str | None] = mapped_column(String(32))
    priority_granted_by: Mapped[str | None] = mapped_column(String(64))
    issued_by: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    place_at: Mapped[datetime] = mapped_column(UtcDateTime())
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_called_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    counter: Mapped[int | None] = mapped_column(Integer)
    staff_id: Mapped[int | None] = mapped_column(Integer)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(64))
    appointment_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    estimated_wait_s: Mapped[int | None] = mapped_column(Integer)
    # Transfers (domain/calling.py): the counter it was sent to, and the counter that sent it away.
    for_counter: Mapped[int | None] = mapped_column(Integer)
    from_counter: Mapped[int | None] = mapped_column(Integer)


@dataclass(slots=True)
class NewTicket:
    """A ticket as issuing writes it: the row's values as plain attributes, read (never changed) afterwards
    in the same transaction. Building and reading an ORM instance cost more than the rest of issuing
    (its attribute instrumentation); nothing here needs the ORM's change tracking."""

    public_code: str
    office: str
    queue: str
    issued_queue: str
    queue_prefix: str
    business_day: date
    sequence: int
    number: str
    status: str
    priority: str | None
    priority_granted_by: str | None
    issued_by: str
    idempotency_key: str | None
    issued_at: datetime
    place_at: datetime
    appointment_at: datetime | None
    estimated_wait_s: int | None
    recall_count: int = 0
    called_at: datetime | None = None
    last_called_at: datetime | None = None
    started_at: datetime | None = None
    held_at: datetime | None = None
    ended_at: datetime | None = None
    counter: int | None = None
    staff_id: int | None = None
    outcome: str | None = None
    for_counter: int | None = None
    from_counter: int | None = None
    id: int = 0  # given by the insert


class TicketRecord(Protocol):
    """A ticket as views, events, audit rows and estimates read it: a stored Ticket or one just issued."""

    @property
    def id(self) -> int: ...
    @property
    def public_code(self) -> str: ...
    @property
    def office(self) -> str: ...
    @property
    def queue(self) -> str: ...
    @property
    def business_day(self) -> date: ...
    @property
    def number(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def priority(self) -> str | None: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def place_at(self) -> datetime: ...
    @property
    def called_at(self) -> datetime | None: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def ended_at(self) -> datetime | None: ...
    @property
    def counter(self) -> int | None: ...
    @property
    def recall_count(self) -> int: ...
    @property
    def outcome(self) -> str | None: ...
    @property
    def appointment_at(self) -> datetime | None: ...
    @property
    def estimated_wait_s(self) -> int | None: ...


TicketRow = TicketRecord  # the earlier name


class TicketSequence(Base):
    """The last number handed out per office, queue prefix and business day (compare-and-set counter)."""

    __tablename__ = "ticket_sequence"

    office: Mapped[str] = mapped_column(String(16), primary_key=True)
    queue_prefix: Mapped[str] = mapped_column(String(1), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class TicketEvent(Base):
    """Append-only audit of every change of a ticket: who, where, when, from, to, why."""

    __tablename__ = "ticket_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    counter: Mapped[int | None] = mapped_column(Integer)
    queue: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class WaitingCount(Base):
    """How many tickets wait per office, queue and business day, kept in step with every status change.

    Reading it is one row per queue; counting the waiting tickets instead grows with the waiting list, and
    every issue needs the count (position, estimate, the event boards show).
    """

    __tablename__ = "ticket_waiting_count"

    office: Mapped[str] = mapped_column(String(16), primary_key=True)
    queue: Mapped[str] = mapped_column(String(8), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    waiting: Mapped[int] = mapped_column(Integer)
