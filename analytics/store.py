"""Visits of a period, from the server's read models (queue_server.readmodels): no table, no session here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from analytics.kpi import Visit
from analytics.scenario import HistoryVisit
from queue_server.config import OfficeConfig
from queue_server.readmodels import TicketRecord, TicketStep, tickets_of_period


def load_visits(
    db: Any, *, office: OfficeConfig, first: date, last: date, catalogue: Any = None
) -> list[Visit]:
    """Tickets of the period with their events; with the procedure catalogue, the case each one brought."""
    return [
        _visit(record, catalogue)
        for record in tickets_of_period(db, office=office.code, first=first, last=last)
    ]


def visits_of(records: Sequence[TicketRecord]) -> list[Visit]:
    """Records read elsewhere (the province's grouped read) as visits."""
    return [_visit(record, None) for record in records]


def _visit(ticket: TicketRecord, catalogue: Any) -> Visit:
    spans, transfers, recalls = _from_steps(ticket.steps)
    procedure, field = _procedure_labels(ticket.procedure_code, catalogue)
    return Visit(
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
        staff=ticket.staff,
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


def _procedure_labels(code: str | None, catalogue: Any) -> tuple[str | None, str | None]:
    """(procedure, field) labels of the case submitted with a ticket, when the catalogue is given."""
    if code is None or catalogue is None:
        return None, None
    procedure = catalogue.procedures.get(code)
    if procedure is None:
        return code, "(không rõ lĩnh vực)"
    return f"{code} — {procedure.name_vi}", procedure.field.name_vi


def _from_steps(steps: Sequence[TicketStep]) -> tuple[list[tuple[datetime, datetime]], int, int]:
    """Serving periods (each start to whatever ended it), transfers and recalls of one ticket."""
    spans = []
    serving_since: datetime | None = None
    transfers = recalls = 0
    for step in steps:
        if step.action == "transfer":
            transfers += 1
        elif step.action == "recall":
            recalls += 1
        if serving_since is not None and step.to_status != "serving":
            spans.append((serving_since, step.at))
            serving_since = None
        if step.to_status == "serving" and serving_since is None:
            serving_since = step.at
    return spans, transfers, recalls


def history_visits(db: Any, *, office: str, first: date, last: date) -> list[HistoryVisit]:
    return [
        HistoryVisit(
            t.queue, t.issued_at, t.status, t.priority is not None, t.called_at, t.started_at, t.ended_at
        )
        for t in tickets_of_period(db, office=office, first=first, last=last, with_history=False)
    ]
