"""What a counter's console lists: the waiting tickets of its queues, and its own tickets on hold.

The ticket the calling rule would pick next is marked, so "call next" holds no surprise for the staff.
Rows carry numbers, queues, times and the priority group only: tickets hold no names.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain import calling
from queue_server.domain.calendar import business_day
from queue_server.domain.errors import NotFound
from queue_server.domain.tickets import TicketStatus
from queue_server.tables.counters import CounterState
from queue_server.tables.dossiers import Dossier
from queue_server.tables.tickets import Ticket
from queue_server.tickets import repository as ticket_repo
from queue_server.tickets.access import check_may_read_counter
from queue_server.tickets.acting import seats_of
from queue_server.tickets.estimates import candidate
from queue_server.tickets.service import TicketService

DEFAULT_LIMIT = 100


def counter_waiting_list(
    tickets: TicketService,
    *,
    number: int,
    actor: Principal,
    office: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """{"counter", "queues", "total", "waiting": [rows, oldest place first], "on_hold": [rows]}."""
    office_cfg = tickets.office(office or actor.office)
    counter_cfg = office_cfg.counters.get(number)
    if counter_cfg is None:
        raise NotFound("unknown_counter", f"Không có quầy số {number}.", f"Unknown counter {number}.")
    with UnitOfWork(tickets.ctx, read_only=True) as tx:
        now, session = tx.now, tx.session
        day = business_day(now, office_cfg.zone)
        state = session.scalar(
            select(CounterState).where(CounterState.office == office_cfg.code, CounterState.number == number)
        )
        check_may_read_counter(actor, state, number)
        waiting = ticket_repo.waiting_tickets(
            tx, office=office_cfg.code, day=day, queues=list(counter_cfg.weights)
        )
        held = session.scalars(
            select(Ticket)
            .where(
                Ticket.office == office_cfg.code,
                Ticket.counter == number,
                Ticket.status == TicketStatus.ON_HOLD.value,
                Ticket.business_day == day,
            )
            .order_by(Ticket.held_at, Ticket.id)
        ).all()
        dossiers = _dossier_codes(session, [t.id for t in [*waiting[:limit], *held]])
        seats = seats_of(tx, office_cfg, number)
    next_id = _next_ticket_id(tickets, waiting, counter_cfg.weights, now, state, seats)
    positions: Counter[str] = Counter()
    rows = []
    for ticket in waiting[:limit]:
        positions[ticket.queue] += 1
        rows.append(
            _row(
                tickets,
                office_cfg.code,
                ticket,
                now,
                position=positions[ticket.queue],
                is_next=ticket.id == next_id,
                dossier=dossiers.get(ticket.id),
            )
        )
    return {
        "counter": number,
        "queues": list(counter_cfg.weights),
        "total": len(waiting),
        "waiting": rows,
        "on_hold": [
            _row(tickets, office_cfg.code, t, now, position=None, is_next=False, dossier=dossiers.get(t.id))
            for t in held
        ],
    }


def _next_ticket_id(
    tickets: TicketService,
    waiting: list[Ticket],
    weights: dict[str, float],
    now: datetime,
    state: CounterState | None,
    seats: calling.Seats,
) -> int | None:
    decision = calling.choose_next(
        (candidate(t) for t in waiting),
        weights=weights,
        now=now,
        priority_streak=state.priority_streak if state is not None else 0,
        rule=tickets.ctx.config.fairness,
        seats=seats,
    )
    return decision.ticket.id if decision else None


def _dossier_codes(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """The case (hồ sơ) each ticket was issued for, if any: one query for the whole list."""
    if not ticket_ids:
        return {}
    rows = session.execute(select(Dossier.ticket_id, Dossier.code).where(Dossier.ticket_id.in_(ticket_ids)))
    return {ticket_id: code for ticket_id, code in rows if ticket_id is not None}


def _row(
    tickets: TicketService,
    office: str,
    ticket: Ticket,
    now: datetime,
    *,
    position: int | None,
    is_next: bool,
    dossier: str | None,
) -> dict[str, Any]:
    queue = tickets.ctx.config.office(office).queues.get(ticket.queue)
    group = tickets.ctx.config.priority_groups.get(ticket.priority) if ticket.priority else None
    return {
        "id": ticket.id,
        "number": ticket.number,
        "queue": ticket.queue,
        "queue_name_vi": queue.name_vi if queue else ticket.queue,
        "status": ticket.status,
        "priority": ticket.priority,
        "priority_name_vi": group.name_vi if group else None,
        "issued_at": ticket.issued_at.isoformat(),
        "waited_s": max(0, int((now - ticket.issued_at).total_seconds())),
        "appointment_at": ticket.appointment_at.isoformat() if ticket.appointment_at else None,
        "position": position,
        "next": is_next,
        "dossier_code": dossier,
        "for_counter": ticket.for_counter,  # sent to that counter by a transfer
    }
