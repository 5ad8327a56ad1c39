"""One rounding of a wait into whole minutes wherever people read it: the printed ticket and the kiosk
(`devices.printers.layout.wait_minutes`), the dashboard's alerts and advice (`analytics.figures`), and the
pages' JavaScript (Math.round, half up) — Python's own round() goes half-to-even and said "2 phút" on the
ticket where the board said "~3 phút" for 150 seconds."""

from __future__ import annotations

from analytics.figures import whole_minutes
from devices.printers.layout import wait_minutes, wait_minutes_text
from kiosk.text import minutes


def js_round_minutes(seconds: int) -> int:
    """What `Math.round(seconds / 60)` answers in the pages (half up for positive numbers)."""
    whole, rest = divmod(seconds, 60)
    return whole + (1 if rest >= 30 else 0)


def test_every_second_of_three_hours_rounds_alike() -> None:
    for seconds in range(60, 3 * 3600):
        expected = js_round_minutes(seconds)
        assert whole_minutes(seconds) == expected, seconds
        assert wait_minutes(seconds) == expected, seconds
        assert minutes(seconds) == expected, seconds


def test_half_minutes_round_up_on_the_ticket() -> None:
    assert wait_minutes(150) == 3  # round(2.5) would say 2
    assert wait_minutes_text(150)[0] == "Thời gian chờ dự kiến: khoảng 3 phút"
    assert wait_minutes(630) == 11
    assert wait_minutes(20) == 1 and wait_minutes(None) is None
