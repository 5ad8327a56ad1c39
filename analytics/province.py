"""The province at a glance: one row per office of a subtree — waiting now, longest wait now, today's mean
wait against the target, desks open/paused/closed, alerts open. The data of the province page."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from analytics.kpi import figures
from analytics.settings import AnalyticsSettings
from analytics.store import load_visits
from queue_server.counters.models import CounterState
from queue_server.domain.calendar import business_day
from queue_server.services import Services
from queue_server.tickets.models import Ticket


def province_rows(
    services: Services, settings: AnalyticsSettings, offices: Sequence[str], alerts: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    ctx = services.ctx
    now = ctx.clock()
    targets = settings.targets(ctx.config)
    with ctx.db.read() as session:
        waiting = {
            office: (count, oldest)
            for office, count, oldest in session.execute(
                select(Ticket.office, func.count(), func.min(Ticket.issued_at))
                .where(Ticket.office.in_(offices), Ticket.status == "waiting")
                .group_by(Ticket.office)
            )
        }
        desks: dict[tuple[str, str], int] = {
            (office, status): count
            for office, status, count in session.execute(
                select(CounterState.office, CounterState.status, func.count())
                .where(CounterState.office.in_(offices))
                .group_by(CounterState.office, CounterState.status)
            )
        }
        rows = []
        for code in offices:
            office = ctx.config.offices[code]
            today = business_day(now, office.zone)
            day = figures(
                load_visits(session, office=office, first=today, last=today), office.hours, office.zone
            )
            count, oldest = waiting.get(code, (0, None))
            opened, paused = desks.get((code, "open"), 0), desks.get((code, "paused"), 0)
            mean_wait = day.as_row(targets)["mean_wait_s"]
            rows.append(
                {
                    "office": code,
                    "name_vi": office.name_vi,
                    "name_en": office.name_en,
                    "parent": office.parent or None,
                    "waiting": count,
                    "longest_wait_s": int((now - oldest).total_seconds()) if oldest else 0,
                    "issued_today": day.issued,
                    "served_today": day.served,
                    "mean_wait_s": mean_wait,
                    "over_wait_target": mean_wait is not None and mean_wait > targets.wait_s,
                    "counters": {
                        "open": opened,
                        "paused": paused,
                        "closed": len(office.counters) - opened - paused,
                    },
                    "alerts": sum(1 for alert in alerts if alert["office"] == code),
                }
            )
    return rows
