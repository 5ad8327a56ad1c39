"""A ticket as clients see it: the kiosk's answer, the console, the phone page, the public lookup."""

from __future__ import annotations

from sqlalchemy import select

from queue_server.config import SystemConfig
from queue_server.db.unit_of_work import Transaction
from queue_server.domain.estimates import WaitEstimate
from queue_server.domain.tickets import TicketStatus
from queue_server.tables.dossiers import Dossier
from queue_server.tables.tickets import TicketRecord
from queue_server.tickets.estimates import Estimator
from queue_server.tickets.issuing import ISSUED
from queue_server.tickets.schemas import TicketView


class TicketViews:
    def __init__(self, config: SystemConfig, estimates: Estimator) -> None:
        self.config = config
        self.estimates = estimates

    def view(self, tx: Transaction, ticket: TicketRecord, *, newest: bool = False) -> TicketView:
        """`newest`: issued in this transaction, so it has its estimate already and no case yet.

        A waiting ticket's position, people ahead and wait come from one play of the calling rule with its
        own priority and appointment: the people ahead are those of its line called before it."""
        office = self.config.office(ticket.office)
        queue = office.queues.get(ticket.queue)
        estimate: WaitEstimate | None = None
        if ticket.status == TicketStatus.WAITING.value:
            issued = tx.peek(ISSUED)  # issued in this transaction: the estimate it was printed with
            estimate = issued.get(ticket.id) if issued else None
            if estimate is None:
                estimate = self.estimates.for_ticket(tx, ticket)
        return TicketView(
            id=ticket.id,
            number=ticket.number,
            queue=ticket.queue,
            queue_name_vi=queue.name_vi if queue else ticket.queue,
            queue_name_en=queue.name_en if queue else ticket.queue,
            status=ticket.status,
            office=ticket.office,
            business_day=ticket.business_day,
            priority=ticket.priority,
            position=None if estimate is None else estimate.people_ahead + 1,
            people_ahead=None if estimate is None else estimate.people_ahead,
            estimated_wait_s=None if estimate is None else estimate.wait_s,
            issued_at=ticket.issued_at,
            called_at=ticket.called_at,
            started_at=ticket.started_at,
            ended_at=ticket.ended_at,
            counter=ticket.counter,
            recall_count=ticket.recall_count,
            outcome=ticket.outcome,
            public_code=ticket.public_code,
            appointment_at=ticket.appointment_at,
            dossier_code=(  # a ticket just issued has no case pointing at it yet
                None
                if newest
                else tx.session.scalar(select(Dossier.code).where(Dossier.ticket_id == ticket.id))
            ),
        )
