"""Following cases to their due date, and the officers' pace. Standard library only.

- overdue: a case still being handled (received, in process, fee requested) whose due date has passed.
  A case waiting for requested papers is not overdue: its due date stops until they arrive.
- due soon: such a case due today or on the next working day.
- on time (the national index's "đúng hạn"): a case whose result was recorded on or before its due date;
  the rate is over the cases that got their result in the period.
- pace over a period (`period_pace`; the one definition the dashboard, the cases page, the province page and
  `motcua report` use — the first three over the year to date): cases received in the period
  against the class target prorated to the period's working days (target × period days / year days);
  "Đạt"/"Chưa đạt" and a yearly figure only from `MIN_DAYS_FOR_VERDICT` working days on — a few days
  say too little to scale up to a year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from queue_server.domain.calendar import OpeningHours, add_working_days, is_working_day

RUNNING = frozenset({"received", "in_process", "fee_requested"})


def due_state(status: str, due: date | None, today: date, hours: OpeningHours) -> str:
    """overdue / due_soon / on_track for a running case; "paused" while papers are requested; else "closed"."""
    if status == "papers_requested":
        return "paused"
    if status not in RUNNING or due is None:
        return "closed" if status not in ("new",) else "not_received"
    if due < today:
        return "overdue"
    if due <= add_working_days(today, 1, hours):
        return "due_soon"
    return "on_track"


@dataclass(frozen=True)
class OnTime:
    results: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.results if self.results else None


def on_time_rate(results: Iterable[tuple[date, date | None]]) -> OnTime:
    """(day the result was recorded, due date) of each case with a result in the period."""
    total = good = 0
    for result_day, due in results:
        total += 1
        good += int(due is not None and result_day <= due)
    return OnTime(total, good)


def working_days_in(first: date, last: date, hours: OpeningHours) -> int:
    count, day = 0, first
    while day <= last:
        count += int(is_working_day(day, hours))
        day += timedelta(days=1)
    return count


MIN_DAYS_FOR_VERDICT = 20  # about a month of working days


@dataclass(frozen=True)
class PeriodPace:
    officer: str
    received: int  # cases received in the period
    working_days: int  # of the period (up to today)
    year_days: int  # working days of the period's calendar year
    target_per_year: int  # the office class's target

    @property
    def period_target(self) -> float:
        """The yearly target prorated to the period's working days."""
        return self.target_per_year * self.working_days / self.year_days if self.year_days else 0.0

    @property
    def per_year(self) -> int | None:
        if self.working_days < MIN_DAYS_FOR_VERDICT:
            return None
        return round(self.received / self.working_days * self.year_days)

    @property
    def verdict(self) -> str:
        """meets, below, or too_short (fewer working days than a verdict needs)."""
        if self.working_days < MIN_DAYS_FOR_VERDICT:
            return "too_short"
        return "meets" if self.received >= self.period_target else "below"

    def as_row(self) -> dict[str, object]:
        """The figures as the dashboard, `/ho-so` and reports show them (one shape everywhere)."""
        return {
            "officer": self.officer,
            "received": self.received,
            "working_days": self.working_days,
            "period_target": round(self.period_target, 1),
            "target_per_year": self.target_per_year,
            "per_year": self.per_year,
            "verdict": self.verdict,
        }


def period_pace(
    received: Mapping[str, int], first: date, last: date, hours: OpeningHours, target: int
) -> list[PeriodPace]:
    """Each officer's cases received in first..last against the class target prorated to the period."""
    days = working_days_in(first, last, hours)
    year = working_days_in(date(last.year, 1, 1), date(last.year, 12, 31), hours)
    return [PeriodPace(officer, count, days, year, target) for officer, count in sorted(received.items())]
