"""Reading visits from the server's tables (read-only; one query for tickets, one for their events)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.kpi import Visit
from analytics.scenario import HistoryVisit
from queue_server.auth.models import User
from queue_server.config import OfficeConfig
from queue_server.tickets.models import Ticket, TicketEvent


def load_visits(
    session: Session, *, office: OfficeConfig, first: date, last: date, catalogue: Any = None
) -> list[Visit]:
    """Tickets of the period with their events; with the procedure catalogue, the case each one brought."""
    rows = session.execute(
        select(Ticket, User.username)
        .outerjoin(User, User.id == Ticket.staff_id)
        .where(Ticket.office == office.code, Ticket.business_day >= first, Ticket.business_day <= last)
        .order_by(Ticket.id)
    ).all()
    ids = [ticket.id for ticket, _ in rows]
    events = _events_of(session, ids)
    cases = _procedures_of(session, ids, catalogue) if catalogue is not None else {}
    visits = []
    for ticket, username in rows:
        spans, transfers, recalls = _from_events(events.get(ticket.id, []))
        procedure, field = cases.get(ticket.id, (None, None))
        visits.append(
            Visit(
                id=ticket.id,
                office=ticket.office,
                queue=ticket.queue,
                issued_queue=ticket.issued_queue,
                business_day=ticket.business_day,
                status=ticket.status,
                issued_at=ticket.issued_at,
                called_at=ticket.called_at,
                started_at=ticket.started_at,
                ended_at=ticket.ended_at,
                counter=ticket.counter,
                staff=username,
                priority=ticket.priority is not None,
                recall_count=ticket.recall_count,
                transfers=transfers,
                recalls_total=recalls,
                estimated_wait_s=ticket.estimated_wait_s,
                serving_spans=tuple(spans),
                number=ticket.number,
                procedure=procedure,
                field=field,
            )
        )
    return visits


def _procedures_of(session: Session, ids: Sequence[int], catalogue: Any) -> dict[int, tuple[str, str]]:
    """Ticket → (procedure, field) labels of the dossier submitted with it (the first, if several)."""
    try:
        from queue_server.dossiers.models import Dossier
    except ImportError:  # the server without cases
        return {}
    result: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 900):
        query = (
            select(Dossier.ticket_id, Dossier.procedure_code)
            .where(Dossier.ticket_id.in_(ids[start : start + 900]))
            .order_by(Dossier.id)
        )
        for ticket_id, code in session.execute(query):
            procedure = catalogue.procedures.get(code)
            if ticket_id is None or ticket_id in result:
                continue
            if procedure is None:
                result[ticket_id] = (code, "(không rõ lĩnh vực)")
            else:
                result[ticket_id] = (f"{code} — {procedure.name_vi}", procedure.field.name_vi)
    return result


def _events_of(session: Session, ids: Sequence[int]) -> dict[int, list[TicketEvent]]:
    result: dict[int, list[TicketEvent]] = defaultdict(list)
    for start in range(0, len(ids), 900):  # keep under SQLite's bound-parameter limit
        chunk = ids[start : start + 900]
        query = select(TicketEvent).where(TicketEvent.ticket_id.in_(chunk)).order_by(TicketEvent.id)
        for event in session.scalars(query):
            result[event.ticket_id].append(event)
    return result


def _from_events(events: Sequence[TicketEvent]) -> tuple[list[tuple[datetime, datetime]], int, int]:
    """Serving periods (each start to whatever ended it), transfers and recalls of one ticket."""
    spans = []
    serving_since: datetime | None = None
    transfers = recalls = 0
    for event in events:
        if event.action == "transfer":
            transfers += 1
        elif event.action == "recall":
            recalls += 1
        if serving_since is not None and event.to_status != "serving":
            spans.append((serving_since, event.at))
            serving_since = None
        if event.to_status == "serving" and serving_since is None:
            serving_since = event.at
    return spans, transfers, recalls


def history_visits(session: Session, *, office: str, first: date, last: date) -> list[HistoryVisit]:
    rows = session.execute(
        select(
            Ticket.queue,
            Ticket.issued_at,
            Ticket.status,
            Ticket.priority,
            Ticket.called_at,
            Ticket.started_at,
            Ticket.ended_at,
        ).where(Ticket.office == office, Ticket.business_day >= first, Ticket.business_day <= last)
    )
    return [
        HistoryVisit(queue, issued, status, priority is not None, called, started, ended)
        for queue, issued, status, priority, called, started, ended in rows
    ]
