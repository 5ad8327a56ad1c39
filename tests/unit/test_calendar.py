"""Business days in the office's zone, opening hours, lunch, cut-off, holidays (with an injected time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.config import load_config
from queue_server.domain.calendar import add_working_days, business_day, check_open
from tests.conftest import FIXTURES

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(scope="module")
def office():  # type: ignore[no-untyped-def]
    return load_config(FIXTURES / "config" / "office_hours").default_office


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=HCM).astimezone(UTC)


def test_business_day_turns_at_local_midnight_not_utc_midnight() -> None:
    assert business_day(datetime(2026, 3, 10, 16, 59, tzinfo=UTC), HCM) == date(2026, 3, 10)
    assert business_day(datetime(2026, 3, 10, 17, 0, tzinfo=UTC), HCM) == date(2026, 3, 11)
    assert business_day(datetime(2026, 3, 10, 23, 59, tzinfo=UTC), HCM) == date(2026, 3, 11)


@pytest.mark.parametrize(
    ("moment", "reason"),
    [
        ("2026-03-10 07:29", "closed_hours"),
        ("2026-03-10 07:30", ""),
        ("2026-03-10 11:29", ""),
        ("2026-03-10 11:30", "lunch_break"),
        ("2026-03-10 12:59", "lunch_break"),
        ("2026-03-10 13:00", ""),
        ("2026-03-10 16:44", ""),
        ("2026-03-10 16:45", "issue_cutoff"),  # 15 minutes before closing
        ("2026-03-10 17:00", "closed_hours"),
        ("2026-03-14 09:00", ""),  # Saturday morning
        ("2026-03-14 11:20", "issue_cutoff"),
        ("2026-03-15 09:00", "closed_hours"),  # Sunday
        ("2027-02-08 09:00", "holiday"),  # Tết Đinh Mùi (Monday)
        ("2026-09-02 09:00", "holiday"),  # Quốc khánh
        ("2027-04-30 09:00", "holiday"),  # Ngày Giải phóng miền Nam
        ("2027-05-03 09:00", "holiday"),  # an extra day off from config
        ("2027-02-20 09:00", ""),  # a make-up working Saturday from config
    ],
)
def test_opening_hours(office, moment: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    check = check_open(office.hours, local(moment), office.zone)
    assert check.reason == reason
    assert check.open == (reason == "")
    if reason:
        assert check.message_vi and check.message_en


def test_working_days_skip_weekends_and_tet(office) -> None:  # type: ignore[no-untyped-def]
    # Friday 5 Feb 2027 + 1 working day: the Tết holidays and the weekend are skipped.
    due = add_working_days(date(2027, 2, 5), 1, office.hours)
    holiday = office.hours.holiday
    assert due > date(2027, 2, 10)
    day = date(2027, 2, 6)
    while day < due:
        assert day.weekday() >= 5 or holiday(day) is not None, day
        day += timedelta(days=1)


def test_working_days_over_30_4_and_1_5(office) -> None:  # type: ignore[no-untyped-def]
    # Wed 28 Apr 2027 + 2 working days: Thu 29; Fri 30/4 and Sat 1/5 are holidays; Mon 3/5 is off (config).
    assert add_working_days(date(2027, 4, 28), 2, office.hours) == date(2027, 5, 4)
