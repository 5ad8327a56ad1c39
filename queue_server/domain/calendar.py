"""Business days, opening hours and working days in an office's own time zone (stored times are UTC)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# date → holiday name, or None on an ordinary day
HolidayLookup = Callable[[date], str | None]


def no_holidays(_: date) -> str | None:
    return None


@dataclass(frozen=True)
class Interval:
    start: time
    end: time  # exclusive; time(0, 0) as an end means midnight at the end of the day

    def contains(self, moment: time) -> bool:
        if self.end == time(0, 0):
            return moment >= self.start
        return self.start <= moment < self.end

    def end_minutes(self) -> int:
        return 24 * 60 if self.end == time(0, 0) else self.end.hour * 60 + self.end.minute


@dataclass(frozen=True)
class OpeningHours:
    """Weekly hours (0 = Monday … 6 = Sunday), a lunch break, a cut-off before closing, holidays."""

    weekly: Mapping[int, Sequence[Interval]]
    lunch: Interval | None = None
    issue_cutoff: timedelta = timedelta(0)  # stop issuing this long before each closing
    holiday: HolidayLookup = no_holidays
    open_on_holidays: bool = False
    extra_working_days: frozenset[date] = field(default_factory=frozenset)  # make-up Saturdays


@dataclass(frozen=True)
class OpenCheck:
    open: bool
    reason: str = ""  # machine code when closed
    message_vi: str = ""
    message_en: str = ""


def local_time(moment: datetime, zone: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("stored times must be timezone-aware (UTC)")
    return moment.astimezone(zone)


def business_day(moment: datetime, zone: ZoneInfo) -> date:
    """The office's calendar day of a moment: numbering restarts at local midnight, not UTC midnight."""
    return local_time(moment, zone).date()


def check_open(hours: OpeningHours, moment: datetime, zone: ZoneInfo) -> OpenCheck:
    """May a ticket be issued at this moment?"""
    local = local_time(moment, zone)
    day = local.date()
    holiday_name = hours.holiday(day)
    if holiday_name and not hours.open_on_holidays and day not in hours.extra_working_days:
        return OpenCheck(
            False, "holiday", f"Hôm nay nghỉ lễ ({holiday_name}).", f"Closed for {holiday_name}."
        )
    intervals = _intervals_of(hours, day)
    moment_t = local.time()
    current = next((i for i in intervals if i.contains(moment_t)), None)
    if current is None:
        return OpenCheck(False, "closed_hours", "Ngoài giờ làm việc.", "Outside opening hours.")
    if hours.lunch is not None and hours.lunch.contains(moment_t):
        return OpenCheck(False, "lunch_break", "Đang nghỉ trưa.", "Closed for the lunch break.")
    minutes_now = moment_t.hour * 60 + moment_t.minute + moment_t.second / 60
    if minutes_now >= current.end_minutes() - hours.issue_cutoff.total_seconds() / 60:
        return OpenCheck(
            False, "issue_cutoff", "Đã hết giờ lấy số hôm nay.", "No more tickets are issued today."
        )
    return OpenCheck(True)


def check_open_early(hours: OpeningHours, moment: datetime, zone: ZoneInfo, early: timedelta) -> OpenCheck:
    """May a ticket be issued now, counting the office open `early` before it opens (remote numbers
    taken from home before the doors open, same day only)? Lunch, holidays and the cut-off still hold."""
    opened = check_open(hours, moment, zone)
    if opened.open or opened.reason != "closed_hours" or early <= timedelta(0):
        return opened
    later = moment + early
    if (
        local_time(later, zone).date() == local_time(moment, zone).date()
        and check_open(hours, later, zone).open
    ):
        return OpenCheck(True)
    return opened


def working_seconds_left(hours: OpeningHours, moment: datetime, zone: ZoneInfo) -> float:
    """Opening time left today after `moment` (lunch excluded; 0 on a day off): the desks' time the
    staffing advice may plan with."""
    local = local_time(moment, zone)
    day = local.date()
    if hours.holiday(day) and not hours.open_on_holidays and day not in hours.extra_working_days:
        return 0.0
    now_min = local.hour * 60 + local.minute + local.second / 60
    left = 0.0
    for interval in _intervals_of(hours, day):
        start = max(now_min, interval.start.hour * 60 + interval.start.minute)
        end = interval.end_minutes()
        if end <= start:
            continue
        left += end - start
        if hours.lunch is not None:
            lunch_start = max(start, hours.lunch.start.hour * 60 + hours.lunch.start.minute)
            left -= max(0.0, min(end, hours.lunch.end_minutes()) - lunch_start)
    return left * 60


def _intervals_of(hours: OpeningHours, day: date) -> Sequence[Interval]:
    if day in hours.extra_working_days and not hours.weekly.get(day.weekday()):
        return hours.weekly.get(0, ())  # a make-up working day keeps Monday's hours
    return hours.weekly.get(day.weekday(), ())


def is_working_day(day: date, hours: OpeningHours) -> bool:
    if day in hours.extra_working_days:
        return True
    return day.weekday() < 5 and hours.holiday(day) is None


def add_working_days(start: date, days: int, hours: OpeningHours) -> date:
    """The date `days` working days after `start` (weekends and public holidays skipped)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current, hours):
            remaining -= 1
    return current


def age_on(birth: date, today: date) -> int:
    """Whole years of age on `today` (a birthday counts from its day)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def working_days_between(start: date, end: date, hours: OpeningHours) -> int:
    """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        count += int(is_working_day(current, hours))
    return count
