"""The queues of an office as kiosks and boards see them: open now, waiting, expected wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
        return self.live(office=office).queues

    def live(self, *, office: str | None = None) -> LiveLines:
        """The lines and the people waiting in them, read together in one transaction: the one source of
        the waiting counts and waits that boards, kiosks and the dashboard's cards, alerts and advice show."""
        office_cfg = self.tickets.office(office)
        with UnitOfWork(self.ctx, read_only=True) as tx:
            opened = check_open(office_cfg.hours, tx.now, office_cfg.zone)
            day = business_day(tx.now, office_cfg.zone)
            counts = ticket_repo.waiting_counts(tx, office=office_cfg.code, day=day)
            waiting = ticket_repo.waiting_tickets(
                tx, office=office_cfg.code, day=day, queues=list(office_cfg.queues)
            )
            result = []
            for queue in office_cfg.queues.values():
                count = counts.get(queue.code, 0)
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
                        "waiting": count,
                        "estimated_wait_s": self.tickets.queue_estimate(tx, office_cfg, queue.code, count),
                        "counters": sorted(
                            n for n, c in office_cfg.counters.items() if queue.code in c.weights
                        ),
                        "appointments": queue.appointment_slot_capacity > 0,
                    }
                )
            people = tuple(WaitingPerson(t.queue, t.place_at, t.priority is not None) for t in waiting)
            return LiveLines(tx.now, result, people)


@dataclass(frozen=True)
class WaitingPerson:
    queue: str
    place_at: datetime  # issue time, or when a transfer sent them to the back
    priority: bool


@dataclass(frozen=True)
class LiveLines:
    now: datetime
    queues: list[dict[str, Any]]
    waiting: tuple[WaitingPerson, ...]
