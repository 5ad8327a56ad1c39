"""Which waiting ticket a counter gets next — the most disputed rule of every queue system.

Order of precedence (docs/architecture.md, "Which ticket a counter calls"):
1. appointments due now (checked in inside their window): earliest appointment first;
2. tickets that have waited longer than `ageing_after` (default 30 min): oldest place first;
3. priority tickets, but never more than `max_priority_in_row` priority calls in a row at this counter
   while normal tickets wait;
4. everyone else: among the counter's queues by their weights.

Transfers come before all of these: a ticket sent to this very counter is called first (it was already
being served). A ticket sent to another counter waits for that counter while it is open or paused; a ticket
a counter transferred away "keeping its place" is not handed back to that counter while another open
counter serves its line (`Seats`).

"By weights" is stateless: each queue's head competes with its wait multiplied by the queue's weight
at this counter, so a weight-2 queue is served about twice as often when both lines are long, and no
line starves because every wait keeps growing. Ties go to the earliest issued ticket, then the lower id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FairnessRule:
    max_priority_in_row: int = 2
    ageing_after: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class Candidate:
    """A waiting ticket as the calling rule sees it."""

    id: int
    queue: str
    issued_at: datetime
    place_at: datetime  # issue time, or the time it was sent to the back of a line
    priority: str | None = None  # the priority group, if any
    appointment_at: datetime | None = None  # set when checked in inside the appointment window
    for_counter: int | None = None  # transferred to this counter: it waits for that counter
    from_counter: int | None = None  # the counter that transferred it away keeping its place


@dataclass(frozen=True)
class Seats:
    """Who else is there, for the transfer rules: `present` counters are open or paused (a ticket sent
    to one of them waits for it); `served_elsewhere` are the queues another open counter serves."""

    counter: int
    present: frozenset[int] = frozenset()
    served_elsewhere: frozenset[str] = frozenset()

    def may_call(self, c: Candidate) -> bool:
        if c.for_counter is not None and c.for_counter != self.counter and c.for_counter in self.present:
            return False
        return not (c.from_counter == self.counter and c.queue in self.served_elsewhere)


@dataclass(frozen=True)
class CallDecision:
    ticket: Candidate
    reason: str  # "appointment", "aged", "priority", "weighted"
    priority_streak: int  # the counter's new count of priority calls in a row


def choose_next(
    candidates: Iterable[Candidate],
    *,
    weights: Mapping[str, float],
    now: datetime,
    priority_streak: int,
    rule: FairnessRule,
    seats: Seats | None = None,
) -> CallDecision | None:
    """Pick the next ticket for a counter serving `weights` (queue code → weight > 0), or None.
    `seats`: the counter calling and the others present (transfers); None ignores transfer marks."""
    eligible = [c for c in candidates if weights.get(c.queue, 0) > 0 and (seats is None or seats.may_call(c))]
    if not eligible:
        return None
    normal_waiting = any(c.priority is None for c in eligible)

    sent_here = [c for c in eligible if seats is not None and c.for_counter == seats.counter]
    if sent_here:
        return _decide(min(sent_here, key=_by_place), "transferred", priority_streak, normal_waiting)

    due = [c for c in eligible if c.appointment_at is not None and c.appointment_at <= now]
    if due:
        chosen = min(due, key=lambda c: (c.appointment_at, c.issued_at, c.id))
        return _decide(chosen, "appointment", priority_streak, normal_waiting)

    aged = [c for c in eligible if now - c.place_at >= rule.ageing_after]
    if aged:
        chosen = min(aged, key=_by_place)
        return _decide(chosen, "aged", priority_streak, normal_waiting)

    priority = [c for c in eligible if c.priority is not None]
    if priority and (not normal_waiting or priority_streak < rule.max_priority_in_row):
        return _decide(_weighted_pick(priority, weights, now), "priority", priority_streak, normal_waiting)

    normal = [c for c in eligible if c.priority is None]
    return _decide(_weighted_pick(normal, weights, now), "weighted", priority_streak, normal_waiting)


def _by_place(c: Candidate) -> tuple[datetime, datetime, int]:
    return (c.place_at, c.issued_at, c.id)


def _weighted_pick(pool: Sequence[Candidate], weights: Mapping[str, float], now: datetime) -> Candidate:
    heads: dict[str, Candidate] = {}
    for c in pool:
        head = heads.get(c.queue)
        if head is None or _by_place(c) < _by_place(head):
            heads[c.queue] = c

    def score(c: Candidate) -> tuple[float, datetime, datetime, int]:
        waited = max((now - c.place_at).total_seconds(), 0.0)
        # Highest weighted wait wins; ties to the earliest placed/issued, then the lower id.
        return (-waited * weights[c.queue], c.place_at, c.issued_at, c.id)

    return min(heads.values(), key=score)


def _decide(chosen: Candidate, reason: str, streak: int, normal_waiting: bool) -> CallDecision:
    return CallDecision(chosen, reason, streak_after(streak, chosen, normal_waiting=normal_waiting))


def streak_after(streak: int, called: Candidate, *, normal_waiting: bool) -> int:
    """A counter's priority calls in a row after calling `called`, however it was chosen (by the rule or
    by hand): only priority calls made while normal tickets wait count against them."""
    return streak + 1 if called.priority is not None and normal_waiting else 0
