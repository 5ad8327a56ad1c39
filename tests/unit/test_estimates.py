"""The live wait estimate: busy counters, shares of lines with people, robust visit times."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain.estimates import (
    MIN_REMAINING_FRACTION,
    CounterLoad,
    counter_share,
    expected_wait_s,
    naive_wait_s,
    remaining_service_s,
    robust_service_s,
)


def test_free_counter_and_nobody_ahead_means_no_wait() -> None:
    assert expected_wait_s(people_ahead=0, mean_service_s=300, counters=[CounterLoad(1.0)]) == 0


def test_busy_counters_delay_the_first_call_until_the_earliest_visit_ends() -> None:
    counters = [CounterLoad(1.0, remaining_s=200), CounterLoad(1.0, remaining_s=90)]
    assert expected_wait_s(people_ahead=0, mean_service_s=300, counters=counters) == 90


def test_one_counter_serves_people_one_after_another() -> None:
    # Free now: the first ahead is called at once, then one every 300 s: 3 ahead → called at 900 s.
    assert expected_wait_s(people_ahead=3, mean_service_s=300, counters=[CounterLoad(1.0)]) == 900


def test_two_free_counters_share_the_line() -> None:
    # Calls: two at t = 0, then two every 300 s as a flow: the 5th call comes at (5 - 2) / (2/300) = 450 s.
    counters = [CounterLoad(1.0), CounterLoad(1.0)]
    assert expected_wait_s(people_ahead=4, mean_service_s=300, counters=counters) == 450


def test_half_share_halves_the_calls() -> None:
    assert expected_wait_s(people_ahead=0, mean_service_s=300, counters=[CounterLoad(0.5)]) == 300
    assert expected_wait_s(people_ahead=1, mean_service_s=300, counters=[CounterLoad(0.5)]) == 900


def test_a_later_counter_joins_the_flow_when_its_visit_ends() -> None:
    # Counter 1 free now (share 1), counter 2 busy for 600 s. 2 ahead → 3rd call.
    # Until 600 s only counter 1: calls 1 + t/300 reach 3 at t = 600, the moment counter 2 frees: 600.
    counters = [CounterLoad(1.0), CounterLoad(1.0, remaining_s=600)]
    assert expected_wait_s(people_ahead=2, mean_service_s=300, counters=counters) == 600
    # 4 ahead → 5th call: after 600 s, calls = 3 + 1 + (t-600)·2/300 → 5 at t = 750.
    assert expected_wait_s(people_ahead=4, mean_service_s=300, counters=counters) == 750


def test_no_counter_open_assumes_one() -> None:
    assert expected_wait_s(people_ahead=2, mean_service_s=120, counters=[]) == 240
    assert expected_wait_s(people_ahead=2, mean_service_s=120, counters=[CounterLoad(0.0)]) == 240


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        expected_wait_s(people_ahead=-1, mean_service_s=100, counters=[])


def test_share_counts_only_lines_with_people() -> None:
    weights = {"A": 2.0, "B": 1.0}
    assert counter_share(weights, "A", {"A", "B"}) == pytest.approx(2 / 3)
    assert counter_share(weights, "A", {"B"}) == pytest.approx(2 / 3)  # A always counts: the ticket joins it
    assert counter_share(weights, "A", set()) == 1.0
    assert counter_share(weights, "C", {"A"}) == 0.0


def test_remaining_time_of_a_visit() -> None:
    assert remaining_service_s(None, 300) == 0
    assert remaining_service_s(100, 300) == 200
    assert remaining_service_s(1000, 300) == MIN_REMAINING_FRACTION * 300


def test_robust_mean_clips_one_stuck_visit() -> None:
    visits = [300.0] * 29 + [30_000.0]  # newest first; the oldest visit was left open for 8 hours
    assert robust_service_s(visits, default_s=60) < 330
    assert robust_service_s([], default_s=60) == 60


def test_robust_mean_follows_the_recent_pace() -> None:
    recent_slow = [600.0] * 10 + [300.0] * 20  # newest first
    recent_fast = [300.0] * 10 + [600.0] * 20
    assert robust_service_s(recent_slow, default_s=0) > robust_service_s(recent_fast, default_s=0)


def test_few_samples_lean_on_the_default() -> None:
    assert robust_service_s([1000.0], default_s=300) == pytest.approx((1000 + 4 * 300) / 5)


def test_naive_baseline() -> None:
    assert naive_wait_s(people_ahead=4, mean_service_s=300, capacity=2) == 600
    assert naive_wait_s(people_ahead=4, mean_service_s=300, capacity=0) == 1200


loads = st.lists(
    st.builds(
        CounterLoad,
        share=st.floats(min_value=0.05, max_value=1.0),
        remaining_s=st.floats(min_value=0, max_value=3000),
    ),
    min_size=1,
    max_size=8,
)


@given(ahead=st.integers(0, 200), mean=st.floats(1, 3000), counters=loads)
def test_one_more_person_ahead_never_shortens_the_wait(
    ahead: int, mean: float, counters: list[CounterLoad]
) -> None:
    first = expected_wait_s(people_ahead=ahead, mean_service_s=mean, counters=counters)
    second = expected_wait_s(people_ahead=ahead + 1, mean_service_s=mean, counters=counters)
    assert second >= first >= min(c.remaining_s for c in counters) - 1


@given(ahead=st.integers(0, 200), mean=st.floats(1, 3000), counters=loads)
def test_opening_another_free_counter_never_lengthens_the_wait(
    ahead: int, mean: float, counters: list[CounterLoad]
) -> None:
    before = expected_wait_s(people_ahead=ahead, mean_service_s=mean, counters=counters)
    after = expected_wait_s(people_ahead=ahead, mean_service_s=mean, counters=[*counters, CounterLoad(1.0)])
    assert after <= before
