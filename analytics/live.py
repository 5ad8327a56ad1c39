"""The supervisors' view of today: live lines and desks, today's KPIs, charts' data, staffing advice."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from analytics.advice import Advice, DeskNow, LineNow, WaitingNow, advise
from analytics.alerts import alerts_now
from analytics.figures import LineFigures, OfficeFigures, office_figures
from analytics.kpi import KpiSource, Visit, figures, office_kpis
from analytics.scenario import Scenario, ScenarioError, ServiceModel, load_scenario
from analytics.settings import AnalyticsSettings
from analytics.sources import case_sources, pace_rows
from analytics.stats import mean
from analytics.store import load_visits
from queue_server.config import OfficeConfig
from queue_server.domain.calendar import business_day
from queue_server.domain.counters import CounterStatus
from queue_server.domain.estimates import DEFAULT_SERVICE_S, OpenDesk, desk_free_in_s
from queue_server.readmodels import desks_busy_since
from queue_server.services import Services

ADVICE_TTL_S = 20.0  # the advice plays a few hundred small simulations: not on every refresh


class LiveView:
    def __init__(self, services: Services, settings: AnalyticsSettings) -> None:
        self.services = services
        self.settings = settings
        self._advice: dict[str, tuple[float, object, Advice]] = {}
        self._lock = threading.Lock()
        self._scenario: Scenario | None = None
        self._scenario_problem: str | None = None
        self.sources = case_sources(services, settings.targets(services.ctx.config))
        self._load_scenario()

    def _load_scenario(self) -> None:
        path = self.settings.scenario_path
        if not path.exists():
            return
        try:
            self._scenario = load_scenario(path, self.services.ctx.config)
        except ScenarioError as error:
            self._scenario_problem = "; ".join(error.problems)

    # ---- the overview ------------------------------------------------------------------------------

    def overview(self, *, office: str | None = None, alerts: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
        ctx = self.services.ctx
        office_cfg = ctx.config.office(office)
        targets = self.settings.targets(ctx.config, office_cfg.code)
        # Cards, desks, alerts and advice: one reading of the office (analytics/figures.py).
        live = office_figures(self.services, office_cfg.code, targets.wait_s)
        now, queues, counters = live.now, live.queues, live.counters
        today = business_day(now, office_cfg.zone)
        visits = load_visits(ctx.db, office=office_cfg, first=today, last=today)
        busy = desks_busy_since(ctx.db, office=office_cfg.code)
        kpis = office_kpis(
            visits,
            hours=office_cfg.hours,
            zone=office_cfg.zone,
            targets=targets,
            office=office_cfg.code,
            first=today,
            last=today,
            sources=self._year_to_date_pace(),
        )
        by_queue = {
            code: figures([v for v in visits if v.queue == code], office_cfg.hours, office_cfg.zone).as_row(
                targets
            )
            for code in office_cfg.queues
        }
        advice = self.advice(office_cfg, live, visits, busy)
        return {
            "office": {"code": office_cfg.code, "name_vi": office_cfg.name_vi, "name_en": office_cfg.name_en},
            "now": now.isoformat(),
            "day": today.isoformat(),
            "targets": {"wait_s": targets.wait_s, "handling_s": targets.handling_s},
            "limits": {"paused_too_long_s": self.settings.alerts.paused_too_long_minutes * 60},
            "queues": [_queue_row(q, by_queue.get(q["code"], {}), live.lines[q["code"]]) for q in queues],
            "counters": [_counter_row(c, now) for c in counters],
            "kpis": [k.as_dict() for k in kpis],
            "waits_by_hour": _waits_by_hour(visits, office_cfg, targets.wait_s),
            "advice": advice.as_dict(),
            "alerts": alerts_now(list(alerts), live),
            "pace": self._pace(office_cfg.code, today),
        }

    # ---- pace: cases per officer this year against the class target -----------------------------------

    def _pace(self, office: str, today: date) -> list[dict[str, Any]]:
        follow_up = getattr(getattr(self.services, "cases", None), "follow_up", None)
        if follow_up is None:
            return []
        return pace_rows(follow_up.pace, office, date(today.year, 1, 1), today)

    def _year_to_date_pace(self) -> dict[str, KpiSource]:
        """Today's KPIs, but productivity over the year to date (one day says nothing about a year)."""
        productivity = self.sources.get("productivity")
        if productivity is None:
            return self.sources
        return {
            **self.sources,
            "productivity": lambda o, f, last: productivity(o, date(last.year, 1, 1), last),
        }

    # ---- advice ------------------------------------------------------------------------------------

    def advice(
        self,
        office: OfficeConfig,
        live: OfficeFigures,
        visits: Sequence[Visit],
        busy: dict[int | None, datetime | None],
    ) -> Advice:
        now, counters = live.now, live.counters
        # The same office state (desks, people waiting, the minute) within the TTL gives the same advice;
        # a desk opening or pausing, or a ticket issued or called, asks again at once.
        state = (
            tuple((c["number"], c["status"]) for c in counters),
            tuple(sorted((v.id, v.status) for v in visits if v.status in ("waiting", "called", "serving"))),
            tuple((code, line.waiting, line.estimated_wait_s) for code, line in live.lines.items()),
            now.replace(second=0, microsecond=0),
        )
        with self._lock:
            cached = self._advice.get(office.code)
            if cached is not None and cached[1] == state and time.monotonic() - cached[0] < ADVICE_TTL_S:
                return cached[2]
        lines = self._lines(office, now, visits)
        means = {line.code: line.service.mean_s for line in lines}
        desks = []
        for counter in counters:
            weights = counter["weights"]
            remaining = 0.0
            since = busy.get(counter["number"])
            if counter["status"] == CounterStatus.OPEN and since is not None:
                # The server's own reading of a busy desk (domain/estimates.py desk_free_in_s).
                remaining = desk_free_in_s(OpenDesk(weights, (now - since).total_seconds()), means)
            desks.append(DeskNow(counter["number"], weights, counter["status"], remaining))
        # The people waiting as the cards count them (the same read).
        waiting = [WaitingNow(w.queue, (now - w.place_at).total_seconds(), w.priority) for w in live.waiting]
        scenario = self._scenario
        result = advise(
            lines=lines,
            desks=desks,
            waiting=waiting,
            rule=self.services.ctx.config.fairness,
            target_s=live.target_s,
            now_waits={code: line.estimated_wait_s for code, line in live.lines.items()},
            time_left_s=live.time_left_s,
            walk_s=scenario.walk_s if scenario else 40.0,
            no_show_wait_s=scenario.no_show_wait_s if scenario else 120.0,
        )
        with self._lock:
            self._advice[office.code] = (time.monotonic(), state, result)
        return result

    def _lines(self, office: OfficeConfig, now: datetime, visits: Sequence[Visit]) -> list[LineNow]:
        """Next hour's arrivals: the scenario's figure for this weekday and hour when there is one,
        otherwise the pace of the last hour. Visit times: today's when known, else the scenario's."""
        local = now.astimezone(office.zone)
        scenario = self._scenario if self._scenario and self._scenario.office == office.code else None
        lines = []
        for code, queue in office.queues.items():
            profile = next((q for q in scenario.queues if q.code == code), None) if scenario else None
            planned = None
            if profile is not None and scenario is not None:
                factor = scenario.day_factor.get(local.weekday(), 1.0)
                planned = profile.arrivals_per_hour.get(local.hour, 0.0) * factor
            recent = sum(
                1 for v in visits if v.issued_queue == code and (now - v.issued_at).total_seconds() <= 3600
            )
            rate = planned if planned else float(recent)
            service = profile.service if profile else ServiceModel(DEFAULT_SERVICE_S)
            measured = [
                (v.ended_at - v.called_at).total_seconds()
                for v in visits
                if v.queue == code and v.status in ("done", "no_show") and v.called_at and v.ended_at
            ]
            if len(measured) >= 5:
                service = replace(service, mean_s=sum(measured[-30:]) / len(measured[-30:]))
            lines.append(
                LineNow(code, queue.name_vi, rate, service, profile.no_show_share if profile else 0.0)
            )
        return lines


def _queue_row(queue: dict[str, Any], today: dict[str, Any], line: LineFigures) -> dict[str, Any]:
    return {
        "code": queue["code"],
        "name_vi": queue["name_vi"],
        "name_en": queue["name_en"],
        "open": queue["open"],
        "waiting": queue["waiting"],
        "estimated_wait_s": line.estimated_wait_s,
        "over_target": line.over_target,
        "counters": queue["counters"],
        "issued_today": today.get("issued", 0),
        "served_today": today.get("served", 0),
        "mean_wait_today_s": today.get("mean_wait_s"),
        "p90_wait_today_s": today.get("p90_wait_s"),
        "estimate_mae_today_s": today.get("estimate_mae_s"),
    }


def _counter_row(counter: dict[str, Any], now: datetime) -> dict[str, Any]:
    since = counter.get("since")
    for_s = (now - datetime.fromisoformat(since)).total_seconds() if since else None
    return {**counter, "for_s": for_s}


def _waits_by_hour(visits: Sequence[Visit], office: OfficeConfig, target_s: float) -> list[dict[str, Any]]:
    hours: dict[int, list[Visit]] = {}
    for visit in visits:
        hours.setdefault(visit.issued_at.astimezone(office.zone).hour, []).append(visit)
    result = []
    for hour in sorted(hours):
        waits = figures(hours[hour], office.hours, office.zone).waits_s
        result.append(
            {"hour": hour, "issued": len(hours[hour]), "mean_wait_s": mean(waits), "target_s": target_s}
        )
    return result
