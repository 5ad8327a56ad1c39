"""The calling rule: appointments, ageing, priority ratio, weights, ties and no starvation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.calling import Candidate, FairnessRule, choose_next

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)
RULE = FairnessRule(max_priority_in_row=2, ageing_after=timedelta(minutes=30))


def ticket(
    id: int,
    minutes_ago: float,
    queue: str = "A",
    priority: str | None = None,
    appointment: float | None = None,
) -> Candidate:
    issued = NOW - timedelta(minutes=minutes_ago)
    appointment_at = None if appointment is None else NOW - timedelta(minutes=appointment)
    return Candidate(id, queue, issued, issued, priority, appointment_at)


def pick(candidates: list[Candidate], weights: dict[str, float] | None = None, streak: int = 0) -> Candidate:
    decision = choose_next(
        candidates, weights=weights or {"A": 1}, now=NOW, priority_streak=streak, rule=RULE
    )
    assert decision is not None
    return decision.ticket


def test_nobody_waiting_gives_none() -> None:
    assert choose_next([], weights={"A": 1}, now=NOW, priority_streak=0, rule=RULE) is None


def test_tickets_of_queues_the_counter_does_not_serve_are_ignored() -> None:
    assert choose_next([ticket(1, 5, "C")], weights={"A": 1}, now=NOW, priority_streak=0, rule=RULE) is None


def test_oldest_first_in_one_queue() -> None:
    assert pick([ticket(1, 3), ticket(2, 10), ticket(3, 7)]).id == 2


def test_equal_times_go_to_the_lower_id() -> None:
    assert pick([ticket(5, 4), ticket(4, 4)]).id == 4


def test_priority_before_normal_up_to_the_limit_then_a_normal_one() -> None:
    waiting = [ticket(1, 20), ticket(2, 2, priority="elderly"), ticket(3, 1, priority="pregnant")]
    assert pick(waiting, streak=0).id == 2
    assert pick(waiting, streak=1).id == 2
    assert pick(waiting, streak=2).id == 1  # two priority calls in a row: a normal ticket now


def test_streak_counts_only_while_normal_tickets_wait() -> None:
    only_priority = [ticket(1, 2, priority="elderly"), ticket(2, 1, priority="elderly")]
    decision = choose_next(only_priority, weights={"A": 1}, now=NOW, priority_streak=5, rule=RULE)
    assert decision is not None and decision.ticket.id == 1 and decision.priority_streak == 0
    mixed = [ticket(1, 2, priority="elderly"), ticket(2, 1)]
    decision = choose_next(mixed, weights={"A": 1}, now=NOW, priority_streak=1, rule=RULE)
    assert decision is not None and decision.priority_streak == 2
    decision = choose_next(mixed, weights={"A": 1}, now=NOW, priority_streak=2, rule=RULE)
    assert decision is not None and decision.ticket.id == 2 and decision.priority_streak == 0


def test_a_ticket_waiting_past_the_ageing_limit_goes_before_priority() -> None:
    waiting = [ticket(1, 31), ticket(2, 1, priority="elderly")]
    decision = choose_next(waiting, weights={"A": 1}, now=NOW, priority_streak=0, rule=RULE)
    assert decision is not None and decision.ticket.id == 1 and decision.reason == "aged"


def test_aged_tickets_go_oldest_first_across_queues_whatever_the_weights() -> None:
    waiting = [ticket(1, 35, "A"), ticket(2, 50, "B")]
    assert pick(waiting, weights={"A": 10, "B": 1}).id == 2


def test_appointments_due_go_first_even_before_aged_tickets() -> None:
    waiting = [ticket(1, 45), ticket(2, 1, appointment=2), ticket(3, 3, priority="elderly")]
    decision = choose_next(waiting, weights={"A": 1}, now=NOW, priority_streak=0, rule=RULE)
    assert decision is not None and decision.ticket.id == 2 and decision.reason == "appointment"


def test_an_appointment_not_yet_due_waits_like_anyone() -> None:
    waiting = [ticket(1, 10), ticket(2, 1, appointment=-10)]  # its slot starts in 10 minutes
    assert pick(waiting).id == 1


def test_weights_favour_the_heavier_queue_for_equal_waits() -> None:
    waiting = [ticket(1, 10, "A"), ticket(2, 10, "B")]
    assert pick(waiting, weights={"A": 1, "B": 2}).id == 2
    assert pick(waiting, weights={"A": 2, "B": 1}).id == 1


def test_weighted_wait_lets_a_long_wait_beat_a_heavy_weight() -> None:
    waiting = [ticket(1, 25, "A"), ticket(2, 10, "B")]
    assert pick(waiting, weights={"A": 1, "B": 2}).id == 1  # 25×1 > 10×2


def test_served_share_follows_the_weights_when_both_lines_are_long() -> None:
    """Simulate a counter serving A (weight 2) and B (weight 1) with both lines always full."""
    now = NOW
    waiting: list[Candidate] = []
    next_id = 0
    served: Counter[str] = Counter()
    for minute in range(600):
        for queue in ("A", "B"):  # one arrival per queue per minute, more than the counter serves
            next_id += 1
            waiting.append(Candidate(next_id, queue, now, now))
        decision = choose_next(
            waiting,
            weights={"A": 2, "B": 1},
            now=now,
            priority_streak=0,
            rule=FairnessRule(ageing_after=timedelta(days=1)),
        )
        assert decision is not None
        waiting.remove(decision.ticket)
        served[decision.ticket.queue] += 1
        now += timedelta(minutes=1)
        assert minute >= 0
    ratio = served["A"] / served["B"]
    assert 1.8 < ratio < 2.2, served


@st.composite
def arrivals(draw: st.DrawFn) -> list[tuple[int, str, str | None]]:
    count = draw(st.integers(min_value=50, max_value=300))
    return [
        (
            draw(st.integers(min_value=0, max_value=3)),  # minutes after the previous arrival
            draw(st.sampled_from(["A", "B"])),
            draw(st.sampled_from([None, None, None, "elderly"])),
        )
        for _ in range(count)
    ]


@settings(max_examples=60, deadline=None)
@given(arrivals(), st.integers(min_value=1, max_value=4), st.floats(min_value=0.5, max_value=4))
def test_no_starvation_and_the_priority_limit_over_a_long_random_run(
    plan: list[tuple[int, str, str | None]], max_in_row: int, weight_b: float
) -> None:
    """Every ticket is eventually served; nobody waits far past the ageing limit once the counter has
    capacity; and never more than `max_in_row` priority calls in a row while normal tickets wait."""
    rule = FairnessRule(max_priority_in_row=max_in_row, ageing_after=timedelta(minutes=30))
    weights = {"A": 1.0, "B": weight_b}
    now = NOW
    pending = list(plan)
    waiting: list[Candidate] = []
    streak = 0
    in_row = 0
    served = 0
    next_arrival = now
    next_id = 0
    while pending or waiting:
        while pending and next_arrival <= now:
            gap, queue, priority = pending.pop(0)
            next_id += 1
            waiting.append(Candidate(next_id, queue, next_arrival, next_arrival, priority))
            next_arrival += timedelta(minutes=gap)
        if not waiting:
            now = next_arrival
            continue
        normal_waiting = any(c.priority is None for c in waiting)
        decision = choose_next(waiting, weights=weights, now=now, priority_streak=streak, rule=rule)
        assert decision is not None
        chosen = decision.ticket
        oldest = min(waiting, key=lambda c: (c.place_at, c.id))
        if now - oldest.place_at >= rule.ageing_after:
            assert chosen == oldest  # an aged ticket is never passed over by a newer one
        if decision.reason == "priority" and normal_waiting:
            in_row += 1
            assert in_row <= max_in_row
        elif decision.reason != "aged":
            in_row = 0
        # Oldest-first among aged tickets: nobody older than the chosen one is left behind when it aged.
        if decision.reason == "aged":
            assert all(c.place_at >= chosen.place_at for c in waiting)
        streak = decision.priority_streak
        waiting.remove(chosen)
        served += 1
        now += timedelta(minutes=1)  # one service takes a minute
    assert served == len(plan)
