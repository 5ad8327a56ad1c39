"""The queues of an office as kiosks and boards see them: open now, waiting, expected wait."""

from __future__ import annotations

from typing import Any

from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.calendar import business_day, check_open
from queue_server.tickets import repository as ticket_repo
from queue_server.tickets.service import TicketService


class QueueService:
    def __init__(self, ctx: ServerContext, tickets: TicketService) -> None:
        self.ctx = ctx
        self.tickets = tickets

    def list(self, *, office: str | None = None) -> list[dict[str, Any]]:
        office_cfg = self.tickets.office(office)
        with UnitOfWork(self.ctx, read_only=True) as tx:
            opened = check_open(office_cfg.hours, tx.now, office_cfg.zone)
            day = business_day(tx.now, office_cfg.zone)
            counts = ticket_repo.waiting_counts(tx, office=office_cfg.code, day=day)
            result = []
            for queue in office_cfg.queues.values():
                waiting = counts.get(queue.code, 0)
                result.append(
                    {
                        "code": queue.code,
                        "prefix": queue.prefix,
                        "name": queue.name_vi,
                        "name_vi": queue.name_vi,
                        "name_en": queue.name_en,
                        "office": office_cfg.code,
                        "open": opened.open,
                        "closed_reason": opened.reason or None,
                        "waiting": waiting,
                        "estimated_wait_s": self.tickets.queue_estimate(tx, office_cfg, queue.code, waiting),
                        "counters": sorted(
                            n for n, c in office_cfg.counters.items() if queue.code in c.weights
                        ),
                        "appointments": queue.appointment_slot_capacity > 0,
                    }
                )
            return result
