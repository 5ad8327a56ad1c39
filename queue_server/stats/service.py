"""Waits and service times of a business day, per queue and per counter, against the wait target."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select

from queue_server.context import ServerContext
from queue_server.domain.calendar import business_day
from queue_server.tables.tickets import Ticket


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (an observed value, as offices read it)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


def summarise(tickets: Iterable[Ticket], target_s: float) -> dict[str, Any]:
    rows = list(tickets)
    waits = [(t.called_at - t.issued_at).total_seconds() for t in rows if t.called_at is not None]
    services = [
        (t.ended_at - t.started_at).total_seconds()
        for t in rows
        if t.status == "done" and t.started_at is not None and t.ended_at is not None
    ]
    return {
        "issued": len(rows),
        "served": sum(1 for t in rows if t.status == "done"),
        "no_show": sum(1 for t in rows if t.status == "no_show"),
        "cancelled": sum(1 for t in rows if t.status == "cancelled"),
        "waiting": sum(1 for t in rows if t.status == "waiting"),
        "wait_s": {
            "mean": statistics.fmean(waits) if waits else None,
            "p50": percentile(waits, 0.5),
            "p90": percentile(waits, 0.9),
            "max": max(waits) if waits else None,
        },
        "service_s": {
            "mean": statistics.fmean(services) if services else None,
            "p90": percentile(services, 0.9),
        },
        "share_wait_within_target": (sum(1 for w in waits if w <= target_s) / len(waits)) if waits else None,
    }


class StatsService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def day(self, *, day: date | None = None, office: str | None = None) -> dict[str, Any]:
        office_cfg = self.ctx.config.office(office)
        day = day or business_day(self.ctx.clock(), office_cfg.zone)
        target_s = self.ctx.config.targets.wait.total_seconds()
        with self.ctx.db.read() as session:
            tickets = list(
                session.scalars(
                    select(Ticket).where(Ticket.office == office_cfg.code, Ticket.business_day == day)
                )
            )
        by_queue = {
            code: summarise((t for t in tickets if t.queue == code), target_s) for code in office_cfg.queues
        }
        by_counter = {
            str(n): summarise((t for t in tickets if t.counter == n), target_s)
            for n in sorted(office_cfg.counters)
        }
        return {
            "office": office_cfg.code,
            "day": day.isoformat(),
            "wait_target_s": target_s,
            "total": summarise(tickets, target_s),
            "queues": by_queue,
            "counters": by_counter,
        }
