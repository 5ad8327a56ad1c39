"""The province at a glance: one row per office of a subtree — waiting now, longest wait now, today's mean
wait against the target, desks open/paused/closed, alerts open. The data of the province page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from analytics.kpi import figures
from analytics.province_report import province_period
from analytics.settings import AnalyticsSettings
from analytics.store import visits_of
from queue_server.domain.calendar import business_day
from queue_server.domain.follow_up import due_state
from queue_server.indicator_reads import open_cases, tickets_of_offices
from queue_server.readmodels import offices_now
from queue_server.services import Services


def province_rows(
    services: Services, settings: AnalyticsSettings, offices: Sequence[str], alerts: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    ctx = services.ctx
    now = ctx.clock()
    targets = settings.targets(ctx.config)
    live = offices_now(ctx.db, offices)
    days = {code: business_day(now, ctx.config.offices[code].zone) for code in offices}
    tickets = tickets_of_offices(ctx.db, days)  # one query for the province, not one per office
    cases = _case_columns(services, offices, now)
    rows = []
    for code in offices:
        office = ctx.config.offices[code]
        day = figures(visits_of(tickets[code]), office.hours, office.zone)
        count, oldest = live[code].waiting, live[code].oldest_waiting_since
        opened, paused = live[code].desks.get("open", 0), live[code].desks.get("paused", 0)
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
                **cases[code],
            }
        )
    return rows


def _case_columns(services: Services, offices: Sequence[str], now: datetime) -> dict[str, dict[str, Any]]:
    """Per office: cases due soon and overdue now; this month's on-time, satisfaction and reuse shares
    (docs/analytics.md, cross-office report); officers' pace this year, the dashboard's figure (no yearly
    figure before 20 working days)."""
    config = services.ctx.config
    catalogue = getattr(getattr(services, "cases", None), "catalogue", None)
    days = {code: business_day(now, config.offices[code].zone) for code in offices}
    first = min(days.values()).replace(day=1)
    period = province_period(services.ctx.db, config, offices, first, max(days.values()), {})
    running = open_cases(services.ctx.db, offices)
    pace = getattr(getattr(getattr(services, "cases", None), "follow_up", None), "pace", None)
    columns = {}
    for code in offices:
        office = config.offices[code]
        states = [due_state(status, due, days[code], office.hours) for status, due in running[code]]
        paces = pace(code, date(days[code].year, 1, 1), days[code]) if pace is not None else []
        scaled = [p.per_year for p in paces if p.per_year is not None]
        columns[code] = {
            "cases_due_soon": states.count("due_soon"),
            "cases_overdue": states.count("overdue"),
            "on_time_rate": period[code]["on_time"].value,
            "satisfaction": period[code]["satisfied"].value,
            "reuse": period[code]["reuse"].value,
            "pace_per_officer": round(sum(scaled) / len(scaled)) if scaled else None,
            "pace_target": catalogue.settings.target_for(office.level) if catalogue is not None else None,
        }
    return columns
