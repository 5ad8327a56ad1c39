"""Alerts for supervisors: a line whose expected wait passes the target, a desk paused too long, cases
past their due date (one alert per office while any is overdue), and for the province page an office over
its wait target for 15 minutes (`office_over_target`).

An office is over its wait target while someone has waited longer than the target, or a new ticket of one
of its lines is expected to. The episode is timed from the moment the longest waiter passed the target (or
from the first check that saw an estimate over it); the alert is raised once it has lasted
`alerts.office_over_target_minutes` (15) and cleared when the office is back under the target.

An alert is an event on the stream (alert.wait_over_target, alert.counter_paused_long, and
alert.cleared when the condition ends), raised through the server's use case
`services.events.raise_alerts`, which writes it to the event log like every other event, so a dashboard
that reconnects catches up on it. Each condition is raised once per episode: a wait alert ends only when the estimate falls below `clear_below_share` × target, so a line hovering
at the target does not flood the stream.

Open alerts live in the database (queue_server/events/alerts.py), one per condition (office, kind, key):
every server process runs this check, and whichever process's write lands first raises (or clears) the
alert; the others find it done and write nothing. A restarted process carries on with the open alerts as
they are. Only the start of an office's over-target episode is kept in the process (it is read again from
the longest waiter, so processes agree on it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from analytics.figures import LineFigures, OfficeFigures, office_figures
from analytics.settings import AnalyticsSettings
from queue_server.domain.counters import CounterStatus
from queue_server.readmodels import offices_now
from queue_server.services import Services

log = logging.getLogger(__name__)
Condition = tuple[str, str, str]  # (office, kind, key): one open alert at most for each


@dataclass(frozen=True)
class Alert:
    kind: str  # wait_over_target, counter_paused_long, cases_overdue, office_over_target
    key: str  # the queue code or the counter number
    office: str
    since: datetime
    message_vi: str
    message_en: str
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "office": self.office,
            "since": self.since.isoformat(),
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            **self.data,
        }


class AlertMonitor:
    def __init__(self, services: Services, settings: AnalyticsSettings) -> None:
        self.services = services
        self.settings = settings
        self._over_since: dict[str, datetime] = {}  # office → when it went over its wait target
        self._lock = threading.Lock()
        self.checks = 0  # finished, for /metrics: each process checks, the database keeps one alert

    def active(self, office: str | None = None) -> list[dict[str, Any]]:
        """The open alerts as raised (by whichever process), of one office or of all."""
        return self.services.events.open_alerts(None if office is None else [office])

    def current(self, offices: Iterable[str]) -> list[dict[str, Any]]:
        """The offices' open alerts told with this moment's figures, exactly as the dashboard shows them
        beside its cards (`alerts_now`): for the alerts API and the province page."""
        target_s = self.settings.targets(self.services.ctx.config).wait_s
        wanted = list(offices)
        opened: dict[str, list[dict[str, Any]]] = {office: [] for office in wanted}
        for alert in self.services.events.open_alerts(wanted):  # one read for the whole province
            opened[alert["office"]].append(alert)
        shown: list[dict[str, Any]] = []
        for office in wanted:
            shown.extend(alerts_now(opened[office], office_figures(self.services, office, target_s)))
        return shown

    def check(self) -> list[dict[str, Any]]:
        """Look at every office now; raise new alerts and clear ended ones. Returns the events written."""
        with (
            self._lock
        ):  # one check at a time in this process (the episodes' starts); the database does the rest
            events: list[dict[str, Any]] = []
            offices = list(self.services.ctx.config.offices)
            live = offices_now(self.services.ctx.db, offices)
            opened: dict[str, set[Condition]] = {office: set() for office in offices}
            for alert in self.services.events.open_alerts():
                opened.setdefault(alert["office"], set()).add((alert["office"], alert["kind"], alert["key"]))
            for office in offices:
                events.extend(self._check_office(office, live[office].oldest_waiting_since, opened[office]))
            self.checks += 1
            return events

    def _check_office(
        self, office: str, oldest: datetime | None, opened: set[Condition]
    ) -> list[dict[str, Any]]:
        target_s = self.settings.targets(self.services.ctx.config).wait_s
        live = office_figures(self.services, office, target_s)
        now = live.now
        found: dict[Condition, Alert] = {}
        still: set[Condition] = set()
        passed = oldest + timedelta(seconds=target_s) if oldest is not None else None
        over_from = passed if passed is not None and passed < now else None  # someone waits past the target
        for line in live.lines.values():
            key = (office, "wait_over_target", line.code)
            if line.over_target:
                over_from = min(over_from or now, now)
                found[key] = _wait_alert(office, line, now)
            elif (
                key in opened
                and line.waiting
                and (line.estimated_wait_s or 0) >= self.settings.alerts.clear_below_share * line.target_s
            ):
                still.add(key)  # not yet clearly back under the target
        limit_s = self.settings.alerts.paused_too_long_minutes * 60
        for counter in live.counters:
            if counter["status"] != CounterStatus.PAUSED or not counter["since"]:
                continue
            paused_s = (now - datetime.fromisoformat(counter["since"])).total_seconds()
            if paused_s > limit_s:
                key = (office, "counter_paused_long", str(counter["number"]))
                found[key] = _pause_alert(office, counter, paused_s, limit_s, now)
        office_alert = self._office_over(office, over_from, oldest, target_s, now)
        if office_alert is not None:
            found[(office, office_alert.kind, office_alert.key)] = office_alert
        overdue = self._overdue_cases(office)
        if overdue:
            found[(office, "cases_overdue", "cases")] = _overdue_alert(office, overdue, now)
        raised = [alert.as_dict() for key, alert in found.items() if key not in opened]
        cleared = [{"kind": kind, "key": key} for _, kind, key in opened - found.keys() - still]
        # The database has the last word: another process may have raised or cleared it meanwhile.
        return self.services.events.raise_alerts(office=office, raised=raised, cleared=cleared)

    def _office_over(
        self, office: str, over_from: datetime | None, oldest: datetime | None, target_s: float, now: datetime
    ) -> Alert | None:
        """The province's rule: the office over its wait target for `office_over_target_minutes`."""
        if over_from is None:
            self._over_since.pop(office, None)
            return None
        since = min(self._over_since.get(office, over_from), over_from)
        self._over_since[office] = since
        lasted_s = (now - since).total_seconds()
        if lasted_s < self.settings.alerts.office_over_target_minutes * 60:
            return None
        longest_s = (now - oldest).total_seconds() if oldest else 0.0
        return Alert(
            kind="office_over_target",
            key="office",
            office=office,
            since=since,
            message_vi=(
                f"Đơn vị quá mục tiêu chờ {target_s / 60:g} phút đã {round(lasted_s / 60)} phút "
                f"(người chờ lâu nhất: {round(longest_s / 60)} phút)."
            ),
            message_en=(
                f"Over its {target_s / 60:g} min wait target for {round(lasted_s / 60)} min "
                f"(longest wait {round(longest_s / 60)} min)."
            ),
            data={"over_for_s": lasted_s, "longest_wait_s": longest_s, "target_s": target_s},
        )

    def _overdue_cases(self, office: str) -> int:
        follow_up = getattr(getattr(self.services, "cases", None), "follow_up", None)
        return int(follow_up.overdue_count(office)) if follow_up is not None else 0


def _wait_alert(office: str, line: LineFigures, now: datetime) -> Alert:
    return Alert(
        kind="wait_over_target",
        key=line.code,
        office=office,
        since=now,
        **_wait_text(line),
    )


def _wait_text(line: LineFigures) -> dict[str, Any]:
    target = f"{line.target_s / 60:g}"
    return {
        "message_vi": (
            f"Hàng {line.name_vi}: người lấy số bây giờ dự kiến chờ {line.minutes} phút, "
            f"quá mục tiêu {target} phút ({line.waiting} người đang chờ)."
        ),
        "message_en": f"Line {line.code}: a new ticket would wait about {line.minutes} min (target {target}).",
        "data": {
            "queue": line.code,
            "estimated_wait_s": line.estimated_wait_s,
            "target_s": line.target_s,
            "waiting": line.waiting,
        },
    }


def alerts_now(active: list[dict[str, Any]], live: OfficeFigures) -> list[dict[str, Any]]:
    """The office's alerts as the dashboard shows them beside its cards: one wait alert for each line the
    cards show over the target, told with the figures of this moment (not those of when it was raised, nor
    missing because the next check has not run yet); a desk's pause with the minutes paused by now; the
    other alerts as they are."""
    raised = {str(a.get("queue")): a for a in active if a.get("kind") == "wait_over_target"}
    shown = [
        _pause_now(a, live) if a.get("kind") == "counter_paused_long" else a
        for a in active
        if a.get("kind") != "wait_over_target" and a.get("office") == live.office
    ]
    for line in live.over_target():
        alert = _wait_alert(live.office, line, live.now).as_dict()
        if line.code in raised:
            alert["since"] = raised[line.code]["since"]
        shown.append(alert)
    return shown


def _pause_now(alert: dict[str, Any], live: OfficeFigures) -> dict[str, Any]:
    """A pause alert with the minutes paused as of now (the desk's pause, if still on)."""
    counter = next((c for c in live.counters if c["number"] == alert.get("counter")), None)
    if counter is None or counter["status"] != CounterStatus.PAUSED or not counter["since"]:
        return alert
    paused_s = (live.now - datetime.fromisoformat(counter["since"])).total_seconds()
    now = _pause_alert(live.office, counter, paused_s, float(alert["limit_s"]), live.now).as_dict()
    return {**now, "since": alert["since"]}


def _overdue_alert(office: str, count: int, now: datetime) -> Alert:
    return Alert(
        kind="cases_overdue",
        key="cases",
        office=office,
        since=now,
        message_vi=f"{count} hồ sơ đã quá hạn trả kết quả (xem màn hình Hồ sơ).",
        message_en=f"{count} case(s) past their due date.",
        data={"overdue": count},
    )


def _pause_alert(
    office: str, counter: dict[str, Any], paused_s: float, limit_s: float, now: datetime
) -> Alert:
    reason = counter.get("pause_reason") or "không rõ lý do"
    return Alert(
        kind="counter_paused_long",
        key=str(counter["number"]),
        office=office,
        since=now,
        message_vi=(
            f"Quầy {counter['number']} tạm dừng đã {round(paused_s / 60)} phút "
            f"(quá {limit_s / 60:g} phút), lý do: {reason}."
        ),
        message_en=f"Desk {counter['number']} has been paused for {round(paused_s / 60)} min.",
        data={
            "counter": counter["number"],
            "pause_reason": counter.get("pause_reason"),
            "paused_for_s": paused_s,
            "limit_s": limit_s,
        },
    )
