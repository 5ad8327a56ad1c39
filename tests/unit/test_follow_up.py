"""Following cases to their due date and the officers' yearly pace, on hand-made histories."""

from __future__ import annotations

from datetime import date, time

from queue_server.domain.calendar import Interval, OpeningHours
from queue_server.domain.follow_up import due_state, on_time_rate, period_pace, working_days_in

TET = {date(2026, 2, d) for d in range(16, 21)}  # Tết 2026 off, Monday 16 – Friday 20 February
HOURS = OpeningHours(weekly={}, holiday=lambda day: "Tết" if day in TET else None)
TUESDAY = date(2026, 3, 10)


def test_due_states() -> None:
    assert due_state("received", date(2026, 3, 9), TUESDAY, HOURS) == "overdue"
    assert due_state("in_process", TUESDAY, TUESDAY, HOURS) == "due_soon"
    assert due_state("in_process", date(2026, 3, 11), TUESDAY, HOURS) == "due_soon"  # the next working day
    assert due_state("received", date(2026, 3, 12), TUESDAY, HOURS) == "on_track"
    friday = date(2026, 3, 13)
    assert due_state("received", date(2026, 3, 16), friday, HOURS) == "due_soon"  # Monday after the weekend
    assert due_state("papers_requested", date(2026, 3, 1), TUESDAY, HOURS) == "paused"  # its due date stops
    assert due_state("done", date(2026, 3, 1), TUESDAY, HOURS) == "closed"
    assert due_state("new", None, TUESDAY, HOURS) == "not_received"


def test_on_time_rate_counts_results_by_their_due_date() -> None:
    figure = on_time_rate(
        [
            (date(2026, 3, 9), date(2026, 3, 9)),
            (date(2026, 3, 10), date(2026, 3, 9)),
            (date(2026, 3, 2), date(2026, 3, 5)),
        ]
    )
    assert (figure.results, figure.on_time) == (3, 2) and figure.rate == 2 / 3
    assert on_time_rate([]).rate is None


def test_the_yearly_pace_uses_the_working_days_elapsed_not_one_day_scaled_up() -> None:
    # 10 March 2026: 1 Jan (holiday in real life, not in this calendar) … 10 March, Tết week off
    elapsed = working_days_in(date(2026, 1, 1), TUESDAY, HOURS)
    whole = working_days_in(date(2026, 1, 1), date(2026, 12, 31), HOURS)
    assert (elapsed, whole) == (44, 256)  # January 22 + February 20 - 5 (Tết) + March 7
    # The case: 24 cases received on one busy simulated day. Scaled as "per day worked × 250"
    # that was 6,000 a year and "met"; projected from the working days elapsed it is far below 800.
    [pace] = period_pace({"canbo1": 24}, date(2026, 1, 1), TUESDAY, HOURS, target=800)
    assert pace.per_year == round(24 / 44 * 256) == 140 and pace.verdict == "below"
    [busy] = period_pace({"canbo2": 160}, date(2026, 1, 1), TUESDAY, HOURS, target=800)
    assert busy.per_year == 931 and busy.verdict == "meets"


def test_period_pace_prorates_the_class_target_and_needs_twenty_days() -> None:
    from queue_server.domain.follow_up import period_pace

    weekdays = OpeningHours(weekly={d: [Interval(time(7), time(17))] for d in range(5)})
    one_day = period_pace({"canbo1": 9}, date(2026, 3, 10), date(2026, 3, 10), weekdays, 800)[0]
    assert one_day.working_days == 1 and one_day.per_year is None and one_day.verdict == "too_short"
    assert one_day.period_target == 800 / one_day.year_days  # a day's share of the year, not "Đạt"
    month = period_pace({"a": 70, "b": 60}, date(2026, 3, 2), date(2026, 3, 31), weekdays, 800)
    assert [p.working_days for p in month] == [22, 22]
    assert month[0].year_days == 261  # the weekdays of 2026
    assert round(month[0].period_target, 2) == 67.43  # 800 × 22 / 261
    assert [p.verdict for p in month] == ["meets", "below"]
    assert [p.per_year for p in month] == [830, 712]
