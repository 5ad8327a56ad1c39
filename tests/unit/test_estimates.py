"""The live wait estimate: busy counters, shares of lines with people, robust visit times."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.simulation import OfficeSimulation, SimCounter, SimTicket
from queue_server.domain.calling import Candidate, FairnessRule
from queue_server.domain.estimates import (
    MIN_REMAINING_FRACTION,
    CounterLoad,
    DeskNow,
    counter_share,
    expected_wait_s,
    naive_wait_s,
    projected_wait_s,
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


# ---- the projection: the calling rule played forward ------------------------------------------------

T = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
RULE = FairnessRule()


def waiting_ticket(ticket_id: int, queue: str, minutes_ago: float, priority: str | None = None) -> Candidate:
    at = T - timedelta(minutes=minutes_ago)
    return Candidate(id=ticket_id, queue=queue, issued_at=at, place_at=at, priority=priority)


def newcomer(queue: str) -> Candidate:
    return Candidate(id=10_000, queue=queue, issued_at=T, place_at=T)


def project(target: Candidate, waiting: list[Candidate], desks: list[DeskNow], **means: float) -> int:
    return projected_wait_s(
        target=target, waiting=waiting, desks=desks, mean_service_s=means, rule=RULE, now=T
    )


def test_projection_one_free_desk_one_line() -> None:
    waiting = [waiting_ticket(1, "A", 5), waiting_ticket(2, "A", 3)]
    assert project(newcomer("A"), waiting, [DeskNow({"A": 1.0})], A=300) == 600


def test_projection_counts_the_other_line_a_shared_desk_serves_first() -> None:
    # B's ticket has waited longer, so the shared desk calls it before A's newcomer.
    waiting = [waiting_ticket(1, "B", 10)]
    assert project(newcomer("A"), waiting, [DeskNow({"A": 1.0, "B": 1.0})], A=300, B=480) == 480


def test_projection_priority_goes_first() -> None:
    waiting = [waiting_ticket(1, "A", 1, priority="elderly")]
    desk = DeskNow({"A": 1.0}, free_in_s=60)
    assert project(newcomer("A"), waiting, [desk], A=300) == 360


def test_projection_for_a_ticket_already_waiting() -> None:
    waiting = [waiting_ticket(1, "A", 9), waiting_ticket(2, "A", 6), waiting_ticket(3, "A", 2)]
    desks = [DeskNow({"A": 1.0}, free_in_s=100), DeskNow({"A": 1.0}, free_in_s=250)]
    # Ticket 1 at 100 s, ticket 2 at 250 s, ticket 3 when the first desk is free again: 100 + 300.
    assert project(waiting[2], waiting, desks, A=300) == 400


def test_projection_without_a_desk_for_the_line() -> None:
    waiting = [waiting_ticket(1, "A", 5), waiting_ticket(2, "C", 5)]
    assert project(newcomer("A"), waiting, [DeskNow({"C": 1.0})], A=200) == 200


def test_projection_equals_the_simulated_wait_when_visits_take_their_mean() -> None:
    """With fixed visit times and nobody arriving later, the projection is exactly what happens."""
    rng = random.Random(7)
    services = {"A": 240.0, "B": 420.0, "C": 600.0}
    desks = {1: {"A": 2.0, "B": 1.0}, 2: {"A": 1.0, "B": 2.0}, 3: {"B": 1.0, "C": 2.0}}
    tickets = []
    for ticket_id in range(1, 40):
        queue = rng.choice("ABC")
        priority = "elderly" if rng.random() < 0.15 else None
        tickets.append(SimTicket(ticket_id, queue, -3600 + ticket_id * 60.0, services[queue], priority))
    played = OfficeSimulation(
        tickets=tickets,
        counters=[SimCounter(n, w, [(0.0, 10**6)]) for n, w in desks.items()],
        rule=RULE,
        epoch=T,
    ).run()
    waiting = [
        Candidate(
            t.id, t.queue, T + timedelta(seconds=t.issued_at), T + timedelta(seconds=t.issued_at), t.priority
        )
        for t in tickets
    ]
    for target, ticket in zip(waiting, played.tickets, strict=True):
        assert ticket.called_at is not None
        expected = ticket.called_at  # seconds after T, when every desk was free and everyone waited
        assert project(target, waiting, [DeskNow(w) for w in desks.values()], **services) == round(expected)
