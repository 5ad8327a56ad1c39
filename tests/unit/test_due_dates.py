"""Due dates: received + legal working days, skipping weekends and Vietnamese holidays (Tết included)."""

from __future__ import annotations

from datetime import date, datetime, time

import holidays
import pytest

from queue_server.domain.calendar import Interval, OpeningHours
from queue_server.domain.dossiers import counting_start, due_date

VN = holidays.country_holidays("VN", years=range(2025, 2029))
MORNING, AFTERNOON = Interval(time(7, 30), time(11, 30)), Interval(time(13, 30), time(17, 0))
WEEKDAYS = {day: [MORNING, AFTERNOON] for day in range(5)}
# A commune desk: Monday–Friday, and Saturday mornings (a Saturday is still not a working day for deadlines).
HOURS = OpeningHours(weekly={**WEEKDAYS, 5: [MORNING]}, lunch=None, holiday=VN.get)
CUTOFF = time(15, 0)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("received", "legal_days", "due"),
    [
        ("2026-03-10 09:00", 7, date(2026, 3, 19)),  # Tuesday: 7 working days, one weekend
        ("2026-03-13 10:00", 1, date(2026, 3, 16)),  # Friday + 1 → Monday
        ("2026-03-10 09:00", 0, date(2026, 3, 10)),  # same-day procedures
        # Tết 2026: Mon 16 – Fri 20 February are all days off.
        ("2026-02-13 09:00", 3, date(2026, 2, 25)),
        ("2026-02-12 09:00", 7, date(2026, 3, 2)),  # Fri 13 is day 1, then 23–27 Feb, Mon 2 Mar
        # Tết 2027: Thu 4 – Wed 10 February.
        ("2027-02-03 08:00", 1, date(2027, 2, 11)),
        # Hùng Kings (observed Mon 27/4/2026), then 30/4 and 1/5 (Thu, Fri).
        ("2026-04-24 09:00", 2, date(2026, 4, 29)),
        ("2026-04-29 09:00", 3, date(2026, 5, 6)),
        ("2026-04-28 14:00", 1, date(2026, 4, 29)),
        # 30/4 (Fri) and 1/5 (Sat, observed Mon 3/5) in 2027.
        ("2027-04-29 09:00", 1, date(2027, 5, 4)),
        # National Day 2027: Thu 2 and Fri 3 September.
        ("2027-09-01 09:00", 1, date(2027, 9, 6)),
        # National Day 2026: 1 and 2 September with the day off on Monday 31 August.
        ("2026-08-28 09:00", 1, date(2026, 9, 3)),
    ],
)
def test_due_date_skips_weekends_and_holidays(received: str, legal_days: int, due: date) -> None:
    assert due_date(at(received), legal_days, HOURS, CUTOFF) == due


def test_after_the_cutoff_counting_starts_the_next_working_day() -> None:
    assert counting_start(at("2026-03-10 14:59"), HOURS, CUTOFF) == date(2026, 3, 10)
    assert counting_start(at("2026-03-10 15:00"), HOURS, CUTOFF) == date(2026, 3, 11)
    assert due_date(at("2026-03-10 16:00"), 7, HOURS, CUTOFF) == date(2026, 3, 20)
    # Friday afternoon after the cut-off: Monday is the first day, Tuesday the due date for 1 day.
    assert due_date(at("2026-03-13 15:30"), 1, HOURS, CUTOFF) == date(2026, 3, 17)


def test_without_a_set_cutoff_the_office_closing_time_is_used() -> None:
    assert counting_start(at("2026-03-10 16:59"), HOURS, None) == date(2026, 3, 10)
    assert counting_start(at("2026-03-10 17:00"), HOURS, None) == date(2026, 3, 11)


def test_an_office_open_around_the_clock_counts_the_same_day() -> None:
    always = OpeningHours(weekly={d: [Interval(time(0, 0), time(0, 0))] for d in range(7)}, holiday=VN.get)
    assert counting_start(at("2026-03-10 23:30"), always, None) == date(2026, 3, 10)


def test_a_case_received_on_saturday_counts_from_monday() -> None:
    assert counting_start(at("2026-03-14 08:00"), HOURS, CUTOFF) == date(2026, 3, 16)
    assert due_date(at("2026-03-14 08:00"), 1, HOURS, CUTOFF) == date(2026, 3, 17)


def test_a_case_received_on_a_holiday_counts_from_the_next_working_day() -> None:
    open_on_holidays = OpeningHours(weekly=WEEKDAYS, holiday=VN.get, open_on_holidays=True)
    assert counting_start(at("2026-04-30 09:00"), open_on_holidays, CUTOFF) == date(2026, 5, 4)


def test_a_make_up_saturday_is_a_working_day() -> None:
    make_up = date(2026, 3, 21)
    hours = OpeningHours(weekly=WEEKDAYS, holiday=VN.get, extra_working_days=frozenset({make_up}))
    assert due_date(at("2026-03-20 09:00"), 1, hours, CUTOFF) == make_up
    assert counting_start(at("2026-03-21 09:00"), hours, CUTOFF) == make_up


def test_a_days_off_from_config_is_skipped() -> None:
    extra = {date(2026, 3, 11): "Nghỉ bù"}
    hours = OpeningHours(weekly=WEEKDAYS, holiday=lambda day: extra.get(day) or VN.get(day))
    assert due_date(at("2026-03-10 09:00"), 1, hours, CUTOFF) == date(2026, 3, 12)
