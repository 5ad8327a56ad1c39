"""Opening time left today (domain/calendar.py), which the staffing advice plans with."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from queue_server.domain.calendar import Interval, OpeningHours, working_seconds_left

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
HOURS = OpeningHours(
    weekly={1: [Interval(time(7, 0), time(17, 0))]}, lunch=Interval(time(11, 30), time(13, 30))
)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, tzinfo=ZONE).astimezone(UTC)  # a Tuesday


def test_time_left_skips_lunch_and_ends_at_closing() -> None:
    assert working_seconds_left(HOURS, at(9), ZONE) == (8 - 2) * 3600  # 09:00–17:00 less the lunch
    assert working_seconds_left(HOURS, at(12), ZONE) == 3.5 * 3600  # lunch now: from 13:30
    assert working_seconds_left(HOURS, at(16, 30), ZONE) == 1800
    assert working_seconds_left(HOURS, at(17, 30), ZONE) == 0
    assert working_seconds_left(HOURS, datetime(2026, 3, 11, 9, tzinfo=ZONE), ZONE) == 0  # no hours on Wed
