"""The province's targets measured on real visits: waits, handling, productivity, estimate error.

Definitions (also in docs/analytics.md):
- wait: from taking the number to the first call (a recall or a transfer does not restart it). Time
  when the office is closed (lunch, night) is not counted: a citizen who takes a number at 11:25 and is
  called at 13:35 waited 5 + 5 minutes of office time. The wall-clock wait is kept beside it.
- handling: the time the ticket spent being served, summed over every desk it went through (a transfer
  or a hold splits it into pieces; from the ticket's events).
- productivity: where the server handles cases, cases an officer received (analytics/sources.py, the
  definition in queue_server/domain/follow_up.py `period_pace`: against the class target prorated to the
  period, a yearly figure only from 20 working days on). Without cases (a queue-only install): tickets a
  desk officer finished, per day on which they served anyone, × working days a year.
- estimate error: |estimate printed at issue − wall-clock wait|, over called tickets that had one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analytics.stats import mean, percentile
from queue_server.domain.calendar import OpeningHours

# By the office's level (offices.toml `level`); "rural" and "remote": the deprecated analytics.toml names.
PRODUCTIVITY_TARGETS = {"province": 1600, "district": 1200, "commune": 800, "rural": 1200, "remote": 800}
NO_DATA_VI = "chưa có dữ liệu"


@dataclass(frozen=True)
class Visit:
    """One ticket as the KPIs see it (built from the database, or by hand in tests)."""

    id: int
    office: str
    queue: str  # where it ended up (after transfers)
    issued_queue: str
    business_day: date
    status: str
    issued_at: datetime
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    counter: int | None = None
    staff: str | None = None
    priority: bool = False
    recall_count: int = 0
    transfers: int = 0
    recalls_total: int = 0
    estimated_wait_s: int | None = None
    serving_spans: tuple[tuple[datetime, datetime], ...] = ()  # from the events; empty: started→ended
    number: str = ""
    procedure: str | None = None  # "code — name" of the case submitted with this ticket, if any
    field: str | None = None  # its field (lĩnh vực)

    @property
    def wall_wait_s(self) -> float | None:
        return None if self.called_at is None else (self.called_at - self.issued_at).total_seconds()

    @property
    def handling_s(self) -> float | None:
        if self.serving_spans:
            return sum((b - a).total_seconds() for a, b in self.serving_spans)
        if self.status == "done" and self.started_at is not None and self.ended_at is not None:
            return (self.ended_at - self.started_at).total_seconds()
        return None


@dataclass(frozen=True)
class KpiTargets:
    wait_s: float = 15 * 60
    handling_s: float = 30 * 60
    satisfaction: float = 0.95
    reuse: float = 0.80
    productivity_class: str = "province"
    working_days_per_year: int = 250

    @property
    def productivity(self) -> int:
        return PRODUCTIVITY_TARGETS[self.productivity_class]


@dataclass(frozen=True)
class KpiValue:
    code: str
    name_vi: str
    name_en: str
    value: float | None
    target: float
    unit: str  # "s", "share", "per_year"
    better: str  # "lower" or "higher"
    count: int = 0  # how many visits the value rests on
    note_vi: str = ""

    @property
    def status(self) -> str:
        if self.value is None:
            return "no_data"
        good = self.value <= self.target if self.better == "lower" else self.value >= self.target
        return "ok" if good else "off_target"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "value": self.value,
            "target": self.target,
            "unit": self.unit,
            "better": self.better,
            "count": self.count,
            "status": self.status,
            "note_vi": self.note_vi or (NO_DATA_VI if self.value is None else ""),
        }


# Other parts of the system add KPIs they own here (ratings → "satisfaction", dossiers → "reuse"):
# a function (office code, first day, last day) → KpiValue, or None while it has no data.
KpiSource = Callable[[str, date, date], KpiValue | None]
EXTRA_SOURCES: dict[str, KpiSource] = {}


def open_seconds_between(start: datetime, end: datetime, hours: OpeningHours, zone: ZoneInfo) -> float:
    """Seconds of office time between two moments: the opening hours less lunch, holidays closed."""
    if end <= start:
        return 0.0
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        for span_start, span_end in _open_spans(day, hours, zone):
            overlap = (min(span_end, local_end) - max(span_start, local_start)).total_seconds()
            total += max(overlap, 0.0)
        day += timedelta(days=1)
    return total


def _open_spans(day: date, hours: OpeningHours, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    if hours.holiday(day) and not hours.open_on_holidays and day not in hours.extra_working_days:
        return []
    intervals = hours.weekly.get(day.weekday(), ())
    if day in hours.extra_working_days and not intervals:
        intervals = hours.weekly.get(0, ())
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    spans = []
    for interval in intervals:
        a = midnight + timedelta(hours=interval.start.hour, minutes=interval.start.minute)
        b = midnight + timedelta(minutes=interval.end_minutes())
        spans.extend(_less_lunch(a, b, hours, midnight))
    return spans


def _less_lunch(
    a: datetime, b: datetime, hours: OpeningHours, midnight: datetime
) -> list[tuple[datetime, datetime]]:
    if hours.lunch is None:
        return [(a, b)]
    lunch_a = midnight + timedelta(hours=hours.lunch.start.hour, minutes=hours.lunch.start.minute)
    lunch_b = midnight + timedelta(minutes=hours.lunch.end_minutes())
    pieces = [(a, min(b, lunch_a)), (max(a, lunch_b), b)]
    return [(x, y) for x, y in pieces if x < y]


@dataclass
class VisitFigures:
    """Counts and times of a set of visits (a row of a report, or the whole office)."""

    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    open: int = 0
    transferred: int = 0
    recalls: int = 0
    waits_s: list[float] = field(default_factory=list)
    wall_waits_s: list[float] = field(default_factory=list)
    handling_s: list[float] = field(default_factory=list)
    estimate_errors_s: list[float] = field(default_factory=list)

    def share_within(self, values: Sequence[float], limit: float) -> float | None:
        return sum(1 for v in values if v <= limit) / len(values) if values else None

    def as_row(self, targets: KpiTargets) -> dict[str, Any]:
        return {
            "issued": self.issued,
            "served": self.served,
            "no_show": self.no_show,
            "cancelled": self.cancelled,
            "expired": self.expired,
            "open": self.open,
            "transferred": self.transferred,
            "recalls": self.recalls,
            "called": len(self.waits_s),
            "mean_wait_s": mean(self.waits_s),
            "p90_wait_s": percentile(self.waits_s, 0.9),
            "share_wait_within_target": self.share_within(self.waits_s, targets.wait_s),
            "mean_wall_wait_s": mean(self.wall_waits_s),
            "mean_handling_s": mean(self.handling_s),
            "p90_handling_s": percentile(self.handling_s, 0.9),
            "share_handling_within_target": self.share_within(self.handling_s, targets.handling_s),
            "estimate_mae_s": mean([abs(e) for e in self.estimate_errors_s]),
            "estimate_bias_s": mean(self.estimate_errors_s),
        }


CLOSED = {"done": "served", "no_show": "no_show", "cancelled": "cancelled", "expired": "expired"}


def figures(visits: Iterable[Visit], hours: OpeningHours, zone: ZoneInfo) -> VisitFigures:
    result = VisitFigures()
    for visit in visits:
        result.issued += 1
        attribute = CLOSED.get(visit.status, "open")
        setattr(result, attribute, getattr(result, attribute) + 1)
        result.transferred += 1 if visit.transfers else 0
        result.recalls += visit.recalls_total or visit.recall_count
        if visit.called_at is not None:
            result.waits_s.append(open_seconds_between(visit.issued_at, visit.called_at, hours, zone))
            wall = (visit.called_at - visit.issued_at).total_seconds()
            result.wall_waits_s.append(wall)
            if visit.estimated_wait_s is not None:
                result.estimate_errors_s.append(visit.estimated_wait_s - wall)
        handling = visit.handling_s
        if handling is not None and visit.status == "done":
            result.handling_s.append(handling)
    return result


def productivity(visits: Iterable[Visit], zone: ZoneInfo, targets: KpiTargets) -> dict[str, dict[str, Any]]:
    """Per officer: finished tickets, days with service, and the yearly pace at that rate."""
    served: dict[str, int] = {}
    days: dict[str, set[date]] = {}
    for visit in visits:
        if visit.status != "done" or not visit.staff:
            continue
        served[visit.staff] = served.get(visit.staff, 0) + 1
        ended = visit.ended_at or visit.issued_at
        days.setdefault(visit.staff, set()).add(ended.astimezone(zone).date())
    return {
        staff: {
            "served": count,
            "days": len(days[staff]),
            "per_year": count / len(days[staff]) * targets.working_days_per_year,
            "target_per_year": targets.productivity,
        }
        for staff, count in sorted(served.items())
    }


def office_kpis(
    visits: Sequence[Visit],
    *,
    hours: OpeningHours,
    zone: ZoneInfo,
    targets: KpiTargets,
    office: str,
    first: date,
    last: date,
    sources: Mapping[str, KpiSource] | None = None,
) -> list[KpiValue]:
    """The plan's targets for a period, each with its measured value (None: no data yet)."""
    measured = figures(visits, hours, zone)
    officers = productivity(visits, zone, targets)
    per_year = mean([o["per_year"] for o in officers.values()])
    extra = EXTRA_SOURCES if sources is None else sources
    kpis = [
        KpiValue(
            "wait",
            "Thời gian chờ trung bình",
            "Average wait",
            mean(measured.waits_s),
            targets.wait_s,
            "s",
            "lower",
            len(measured.waits_s),
        ),
        KpiValue(
            "handling",
            "Thời gian tiếp nhận, xử lý trung bình",
            "Average handling",
            mean(measured.handling_s),
            targets.handling_s,
            "s",
            "lower",
            len(measured.handling_s),
        ),
        _from_source(extra, "satisfaction", office, first, last)
        or KpiValue(
            "satisfaction",
            "Tỷ lệ người dân hài lòng",
            "Satisfied citizens",
            None,
            targets.satisfaction,
            "share",
            "higher",
            note_vi=f"{NO_DATA_VI} (chức năng đánh giá đang được xây dựng)",
        ),
        _from_source(extra, "reuse", office, first, last)
        or KpiValue(
            "reuse",
            "Tỷ lệ không phải nộp lại giấy tờ đã có",
            "Cases needing no re-supplied paper",
            None,
            targets.reuse,
            "share",
            "higher",
            note_vi=f"{NO_DATA_VI} (hồ sơ điện tử đang được xây dựng)",
        ),
        _from_source(extra, "productivity", office, first, last)  # cases received (analytics/sources.py)
        or KpiValue(
            "productivity",
            "Năng suất mỗi cán bộ (hồ sơ/năm, quy đổi)",
            "Cases per officer a year",
            per_year,
            targets.productivity,
            "per_year",
            "higher",
            sum(o["served"] for o in officers.values()),
            note_vi="tính theo số thứ tự đã phục vụ xong cho đến khi có hồ sơ"
            if per_year is not None
            else "",
        ),
        KpiValue(
            "estimate_error",
            "Sai số dự báo thời gian chờ (TB tuyệt đối)",
            "Wait estimate error",
            mean([abs(e) for e in measured.estimate_errors_s]),
            5 * 60,
            "s",
            "lower",
            len(measured.estimate_errors_s),
            note_vi="mục tiêu nội bộ của phần mềm (không phải chỉ tiêu của tỉnh)",
        ),
    ]
    return kpis


def _from_source(
    sources: Mapping[str, KpiSource], code: str, office: str, first: date, last: date
) -> KpiValue | None:
    source = sources.get(code)
    return source(office, first, last) if source is not None else None
