"""Turning events into message rows, inside the transaction that writes the events (events/outbox.py).

Each row's key is unique per event and kind (or per ticket for "sắp đến lượt", per appointment for its
reminder), and rows are inserted with ON CONFLICT DO NOTHING: planning twice writes once, and two
transactions planning the same message never fail each other. Rendering happens when sending, with the
office's config; a row carries numbers, counters, codes and dates only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from queue_server.tables.appointments import Appointment
from queue_server.tables.dossiers import Dossier
from queue_server.tables.messages import MessageContact, OutboundMessage
from queue_server.tables.tickets import Ticket

if TYPE_CHECKING:
    from queue_server.db.unit_of_work import Transaction

_outbox: Table = OutboundMessage.__table__  # type: ignore[assignment]
Event = dict[str, Any]

# A waiting ticket leaves its line (or joins another): positions behind it move.
_LINE_MOVES = ("ticket.called", "ticket.cancelled", "ticket.transferred", "ticket.no_show")


def plan_messages(tx: Transaction, events: list[Event]) -> None:
    """The one call the event outbox makes: message rows for the events it just wrote."""
    session = tx.session
    for event in events:
        planner = _PLANNERS.get(event["type"])
        if planner is not None:
            planner(session, event)
        if event["type"] in _LINE_MOVES:
            for queue in event["data"].get("queues", {}):
                _plan_near(tx, event, queue)


def _plan_call(session: Session, event: Event) -> None:
    ticket = event["data"]["ticket"]
    contact = _ticket_contact(session, ticket["id"])
    if contact is not None:
        data = {"number": ticket["number"], "counter": ticket["counter"]}
        _add(session, event, contact, "call", f"event:{event['seq']}:call", ticket["id"], data)


def _plan_near(tx: Transaction, event: Event, queue: str) -> None:
    session = tx.session
    rows = session.execute(
        select(Ticket, MessageContact.id, MessageContact.notify_ahead)
        .join(MessageContact, MessageContact.ticket_id == Ticket.id)
        .where(
            Ticket.office == event["office"],
            Ticket.queue == queue,
            Ticket.status == "waiting",
            MessageContact.purged_at.is_(None),
        )
    ).all()
    for ticket, contact_id, notify_ahead in rows:
        ahead = _people_ahead(session, ticket)
        if ahead <= notify_ahead:
            data = {"number": ticket.number, "ahead": ahead}
            _add(session, event, contact_id, "near", f"ticket:{ticket.id}:near", ticket.id, data)


def _people_ahead(session: Session, ticket: Ticket) -> int:
    """Waiting before it in its line, in place order (as the ticket's page counts them). Not the tickets
    repository's: that one builds on the unit of work, which writes the outbox that calls this planner."""
    before = or_(
        Ticket.place_at < ticket.place_at, and_(Ticket.place_at == ticket.place_at, Ticket.id < ticket.id)
    )
    count = session.scalar(
        select(func.count(Ticket.id)).where(
            Ticket.office == ticket.office,
            Ticket.status == "waiting",
            Ticket.business_day == ticket.business_day,
            Ticket.queue == ticket.queue,
            before,
        )
    )
    return int(count or 0)


def _plan_booked(session: Session, event: Event) -> None:
    code = event["data"].get("code")
    appointment = session.scalar(select(Appointment).where(Appointment.code == code)) if code else None
    if appointment is None:
        return
    contact = session.scalar(
        select(MessageContact.id).where(
            MessageContact.appointment_id == appointment.id, MessageContact.purged_at.is_(None)
        )
    )
    if contact is not None:
        data = _appointment_data(appointment)
        _add(session, event, contact, "appointment_booked", f"event:{event['seq']}:booked", None, data)


def _dossier_planner(kind: str) -> Callable[[Session, Event], None]:
    def plan(session: Session, event: Event) -> None:
        facts = event["data"]["dossier"]
        if facts.get("ticket_id") is None:
            return
        contact = _ticket_contact(session, facts["ticket_id"])
        if contact is None:
            return
        dossier = session.scalar(select(Dossier).where(Dossier.code == facts["code"]))
        if dossier is None:
            return
        data = case_data(dossier)
        _add(session, event, contact, kind, f"event:{event['seq']}:{kind}", facts["ticket_id"], data)

    return plan


def case_data(dossier: Dossier) -> dict[str, Any]:
    data: dict[str, Any] = {"dossier": dossier.code}
    if dossier.due_date is not None:
        data["due"] = dossier.due_date.strftime("%d/%m/%Y")
    if dossier.requested_papers:
        data["papers"] = list(dossier.requested_papers)
    return data


def appointment_data(appointment: Appointment) -> dict[str, Any]:
    return _appointment_data(appointment)


def _appointment_data(appointment: Appointment) -> dict[str, Any]:
    return {
        "code": appointment.code,
        "queue": appointment.queue,
        "at": appointment.slot_start.isoformat(),
        "manage_token": appointment.manage_token or "",
    }


_PLANNERS: dict[str, Callable[[Session, Event], None]] = {
    "ticket.called": _plan_call,
    "appointment.booked": _plan_booked,
    "appointment.moved": _plan_booked,  # a new confirmation with the new time
    "dossier.receive": _dossier_planner("case_received"),
    "dossier.request_papers": _dossier_planner("case_papers_requested"),
    "dossier.finish": _dossier_planner("case_result_ready"),
}


def _ticket_contact(session: Session, ticket_id: int) -> int | None:
    return session.scalar(
        select(MessageContact.id)
        .where(MessageContact.ticket_id == ticket_id, MessageContact.purged_at.is_(None))
        .order_by(MessageContact.id.desc())
        .limit(1)
    )


def _add(
    session: Session,
    event: Event,
    contact_id: int,
    kind: str,
    key: str,
    ticket_id: int | None,
    data: dict[str, Any],
) -> None:
    at = event["at"]
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    add_message(
        session,
        key=key,
        office=event["office"],
        kind=kind,
        contact_id=contact_id,
        ticket_id=ticket_id,
        data=data,
        at=moment,
    )


def add_message(
    session: Session,
    *,
    key: str,
    office: str,
    kind: str,
    contact_id: int,
    ticket_id: int | None,
    data: dict[str, Any],
    at: datetime,
) -> None:
    """One message row, or nothing if a row with this key exists (planned before)."""
    values = {
        "key": key,
        "office": office,
        "kind": kind,
        "contact_id": contact_id,
        "ticket_id": ticket_id,
        "data": data,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": at,
        "created_at": at,
    }
    dialect = session.connection().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(_outbox).values(values).on_conflict_do_nothing(index_elements=["key"]))


def plan_day_before(
    session: Session, *, office: str, tomorrow_start: datetime, tomorrow_end: datetime, now: datetime
) -> int:
    """Reminders for the appointments of the office's next day (run by the dispatcher, idempotent)."""
    rows = session.execute(
        select(Appointment, MessageContact.id)
        .join(MessageContact, MessageContact.appointment_id == Appointment.id)
        .where(
            Appointment.office == office,
            Appointment.status == "booked",
            Appointment.slot_start >= tomorrow_start,
            Appointment.slot_start < tomorrow_end,
            Appointment.created_at
            < tomorrow_start - timedelta(days=1),  # booked today: its confirmation is enough
            MessageContact.purged_at.is_(None),
        )
    ).all()
    for appointment, contact_id in rows:
        add_message(
            session,
            key=f"appointment:{appointment.id}:reminder",
            office=office,
            kind="appointment_reminder",
            contact_id=contact_id,
            ticket_id=None,
            data=_appointment_data(appointment),
            at=now,
        )
    return len(rows)


def plan_overdue(session: Session, *, office: str, today: date, now: datetime) -> int:
    """An apology for each case past its due date and not settled (idempotent, once per case)."""
    from queue_server.domain.dossiers import FINAL_STATUSES

    finished = [status.value for status in FINAL_STATUSES] + ["done", "returned"]
    rows = session.execute(
        select(Dossier, MessageContact.id)
        .join(MessageContact, MessageContact.ticket_id == Dossier.ticket_id)
        .where(
            Dossier.office == office,
            Dossier.due_date < today,
            Dossier.status.not_in(finished),
            MessageContact.purged_at.is_(None),
        )
    ).all()
    for dossier, contact_id in rows:
        add_message(
            session,
            key=f"dossier:{dossier.code}:overdue",
            office=office,
            kind="case_overdue",
            contact_id=contact_id,
            ticket_id=dossier.ticket_id,
            data=case_data(dossier),
            at=now,
        )
    return len(rows)
