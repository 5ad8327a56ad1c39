"""How long a new ticket will wait before it is called, from the live state of the office.

The estimate treats the calls a queue gets as a flow. Each open counter serving the queue can call again
when its current visit ends (now, if it is free), and from then on it calls about once per mean visit time,
giving this queue its weighted share of those calls. A ticket with `k` people ahead is called at the
(k+1)-th call the queue gets; the estimate is the moment that flow reaches it.

Three things make it better than "people ahead × mean service ÷ counters":
- busy counters are not free now: the first call waits for the earliest visit to end;
- a counter's share counts only the lines that have people waiting (a counter whose other line is empty
  gives all its calls to this one);
- the visit time is a robust recent mean (long outliers clipped, recent visits weigh more), measured
  from call to end, so walking to the desk and no-shows count as the time they take.
"""

from __future__ import annotations

import heapq
import statistics
from collections import deque
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from queue_server.domain.calling import Candidate, FairnessRule, choose_next

# A visit that has run past the mean still has some way to go; never count on it ending right now.
MIN_REMAINING_FRACTION = 0.25
# How far the slowest visit may be from the median before it is clipped (one stuck visit must not
# triple every estimate in the hall).
OUTLIER_FACTOR = 3.0
# Weight of the newest visit in the running mean; about the last ten visits matter most.
EWMA_ALPHA = 0.1
# With fewer visits than this measured, the estimate leans on the default visit time.
PRIOR_SAMPLES = 5
# The visit time assumed until a queue has served someone (server, analytics and simulator alike).
DEFAULT_SERVICE_S = 300.0
# More people waiting than this: the flow estimate instead of playing every call.
PROJECTION_LIMIT = 400


@dataclass(frozen=True)
class CounterLoad:
    """An open counter serving the queue, as the estimate sees it."""

    share: float  # share of its calls that go to this queue, in (0, 1]
    remaining_s: float = 0.0  # until its current visit ends; 0 when it is free


def robust_service_s(newest_first: Sequence[float], *, default_s: float) -> float:
    """A recent mean visit time: clipped at OUTLIER_FACTOR × median, exponentially weighted to the newest.

    With few samples it is pulled towards `default_s`, so the first visit of the day cannot swing
    every estimate.
    """
    samples = [s for s in newest_first if s >= 0]
    if not samples:
        return default_s
    ceiling = OUTLIER_FACTOR * statistics.median(samples)
    clipped = [min(s, ceiling) for s in samples]
    mean = statistics.fmean(clipped)
    for value in reversed(clipped):  # oldest to newest
        mean += EWMA_ALPHA * (value - mean)
    if len(clipped) < PRIOR_SAMPLES:
        known = len(clipped)
        mean = (known * mean + (PRIOR_SAMPLES - known) * default_s) / PRIOR_SAMPLES
    return mean


def counter_share(weights: Mapping[str, float], queue: str, lines_with_people: Collection[str]) -> float:
    """The share of a counter's calls that go to `queue`: its weight over those of the lines it serves
    that have someone waiting (this queue always counts, the new ticket is about to stand in it)."""
    weight = weights.get(queue, 0.0)
    if weight <= 0:
        return 0.0
    competing = sum(w for code, w in weights.items() if code != queue and code in lines_with_people and w > 0)
    return weight / (weight + competing)


def remaining_service_s(elapsed_s: float | None, mean_service_s: float) -> float:
    """Expected time until a counter's current visit ends (0 when it has none)."""
    if elapsed_s is None:
        return 0.0
    return max(mean_service_s - elapsed_s, MIN_REMAINING_FRACTION * mean_service_s)


def expected_wait_s(*, people_ahead: int, mean_service_s: float, counters: Sequence[CounterLoad]) -> int:
    """Seconds until a ticket with `people_ahead` waiting before it in its queue is called.

    With no counter open for the queue, one free counter giving it all its time is assumed, so the
    kiosk still shows an honest figure ("when someone opens a desk, about this long").
    """
    if people_ahead < 0 or mean_service_s < 0:
        raise ValueError("people_ahead and mean_service_s must not be negative")
    loads = [c for c in counters if c.share > 0] or [CounterLoad(share=1.0)]
    needed = people_ahead + 1
    loads.sort(key=lambda c: c.remaining_s)
    if mean_service_s == 0:
        return round(loads[0].remaining_s)
    offset = 0.0  # calls reached at t = 0 by the counters free so far, minus their lost time
    rate = 0.0  # calls per second to this queue from the counters free so far
    for index, load in enumerate(loads):
        start = max(load.remaining_s, 0.0)
        offset += load.share * (1 - start / mean_service_s)
        rate += load.share / mean_service_s
        if offset + rate * start >= needed:
            return round(start)
        reached_at = (needed - offset) / rate
        following = loads[index + 1].remaining_s if index + 1 < len(loads) else None
        if following is None or reached_at < following:
            return round(reached_at)
    raise AssertionError("unreachable: the last counter always answers")


def naive_wait_s(*, people_ahead: int, mean_service_s: float, capacity: float) -> int:
    """The first estimate the server had: people ahead × mean service ÷ the counters' summed shares.

    Kept as the baseline the benchmarks compare against.
    """
    return round(people_ahead * mean_service_s / (capacity or 1.0))


@dataclass(frozen=True)
class DeskNow:
    """An open desk as the projection sees it: what it serves and when it can call again."""

    weights: Mapping[str, float]
    free_in_s: float = 0.0
    priority_streak: int = 0


def projected_wait_s(
    *,
    target: Candidate,
    waiting: Sequence[Candidate],
    desks: Sequence[DeskNow],
    mean_service_s: Mapping[str, float],
    rule: FairnessRule,
    now: datetime,
    default_service_s: float = DEFAULT_SERVICE_S,
) -> int:
    """Seconds until `target` is called, playing the calling rule forward over the people waiting now.

    Each open desk calls when its current visit ends and then once per mean visit time of whatever it
    called: the same rule the server runs picks every call (weights, priority, ageing, appointments), so
    lines that empty hand their desks to the others and a priority ticket jumps ahead as it will. Only
    people already waiting are counted; those who come later are not known yet. With no open desk for the
    target's line: the people ahead of it × the line's mean visit (one desk assumed).
    """
    everyone = list(waiting) if target in waiting else [*waiting, target]
    times = projected_call_times(
        waiting=everyone,
        desks=desks,
        mean_service_s=mean_service_s,
        rule=rule,
        now=now,
        until=target,
        default_service_s=default_service_s,
    )
    if target.id in times:
        return round(times[target.id])
    ahead = sum(1 for c in everyone if c.queue == target.queue and _place(c) < _place(target))
    return round(ahead * mean_service_s.get(target.queue, default_service_s))


def projected_call_times(
    *,
    waiting: Sequence[Candidate],
    desks: Sequence[DeskNow],
    mean_service_s: Mapping[str, float],
    rule: FairnessRule,
    now: datetime,
    until: Candidate | None = None,
    default_service_s: float = DEFAULT_SERVICE_S,
) -> dict[int, float]:
    """When each waiting ticket would be called, in seconds from now (see `projected_wait_s`), up to and
    including `until`. Tickets that no open desk serves do not appear."""
    if until is not None and not any(until.queue in d.weights for d in desks):
        return {}
    lines = _lines_of(waiting)
    streaks = [d.priority_streak for d in desks]
    heap = [(max(d.free_in_s, 0.0), index) for index, d in enumerate(desks)]
    heapq.heapify(heap)
    times: dict[int, float] = {}
    while heap:
        at, index = heapq.heappop(heap)
        desk = desks[index]
        heads = [pool[0] for code in desk.weights for pool in lines.get(code, ()) if pool]
        decision = choose_next(
            heads,
            weights=desk.weights,
            now=now + timedelta(seconds=at),
            priority_streak=streaks[index],
            rule=rule,
        )
        if decision is None:
            continue  # nothing left for this desk
        chosen = decision.ticket
        times[chosen.id] = at
        if chosen == until:
            break
        streaks[index] = decision.priority_streak
        _remove_head(lines, chosen)
        heapq.heappush(heap, (at + mean_service_s.get(chosen.queue, default_service_s), index))
    return times


def _place(c: Candidate) -> tuple[datetime, datetime, int]:
    return (c.place_at, c.issued_at, c.id)


def _lines_of(candidates: Sequence[Candidate]) -> dict[str, tuple[deque[Candidate], deque[Candidate]]]:
    """Per queue: its normal and its priority tickets, each in place order (the rule only picks heads)."""
    lines: dict[str, tuple[deque[Candidate], deque[Candidate]]] = {}
    for candidate in sorted(candidates, key=_place):
        normal, priority = lines.setdefault(candidate.queue, (deque(), deque()))
        (priority if candidate.priority is not None else normal).append(candidate)
    return lines


def _remove_head(lines: dict[str, tuple[deque[Candidate], deque[Candidate]]], chosen: Candidate) -> None:
    normal, priority = lines[chosen.queue]
    pool = priority if chosen.priority is not None else normal
    assert pool[0] == chosen
    pool.popleft()


# ---- the one estimate: its inputs, built once, and the wait of one ticket ---------------------------------


@dataclass(frozen=True)
class OpenDesk:
    """What is known of an open desk: the queues it serves, how long its current visit has run (None when
    it is free), the queue of that visit if known, and its priority calls in a row."""

    weights: Mapping[str, float]
    busy_for_s: float | None = None
    busy_queue: str | None = None
    priority_streak: int = 0


@dataclass(frozen=True)
class EstimateInputs:
    """Everything a wait estimate reads, in the form the calling rule plays it."""

    waiting: Sequence[Candidate]
    desks: Sequence[DeskNow]
    mean_service_s: Mapping[str, float]
    rule: FairnessRule
    now: datetime
    default_service_s: float = DEFAULT_SERVICE_S


@dataclass(frozen=True)
class WaitEstimate:
    wait_s: int
    people_ahead: int  # of its own line, called before it (priority and appointments as the rule plays them)


def service_means(
    samples: Mapping[str, Sequence[float]], queues: Collection[str], *, default_s: float = DEFAULT_SERVICE_S
) -> dict[str, float]:
    """The recent mean visit time of every queue, from its visits newest first (robust_service_s)."""
    return {code: robust_service_s(samples.get(code, ()), default_s=default_s) for code in queues}


def desk_free_in_s(
    desk: OpenDesk, means: Mapping[str, float], *, default_s: float = DEFAULT_SERVICE_S
) -> float:
    """When an open desk can call again: the mean of its current visit's queue (or, not knowing it, the
    weighted mean of the queues it serves) minus what has run already."""
    if desk.busy_for_s is None:
        return 0.0
    if desk.busy_queue is not None:
        visit_mean = means.get(desk.busy_queue, default_s)
    else:
        total = sum(desk.weights.values()) or 1.0
        visit_mean = sum(w * means.get(q, default_s) for q, w in desk.weights.items()) / total
    return remaining_service_s(desk.busy_for_s, visit_mean)


def estimate_inputs(
    *,
    waiting: Sequence[Candidate],
    desks: Sequence[OpenDesk],
    means: Mapping[str, float],
    rule: FairnessRule,
    now: datetime,
) -> EstimateInputs:
    """The one builder of the estimate's inputs (the server, the dashboard and the simulator use it)."""
    now_desks = [DeskNow(d.weights, desk_free_in_s(d, means), d.priority_streak) for d in desks]
    return EstimateInputs(list(waiting), now_desks, dict(means), rule, now)


def call_order(inputs: EstimateInputs, *, until: Candidate) -> dict[int, float]:
    """When each waiting ticket is called, in call order, up to `until` (added if it is not waiting yet).

    With no open desk for `until`'s line, one desk serving only that line, free now, is assumed: the kiosk
    still shows an honest figure ("when someone opens a desk, about this long").
    """
    everyone = list(inputs.waiting) if until in inputs.waiting else [*inputs.waiting, until]
    desks = inputs.desks
    if not any(until.queue in d.weights for d in desks):
        desks = [DeskNow({until.queue: 1.0})]
    return projected_call_times(
        waiting=everyone,
        desks=desks,
        mean_service_s=inputs.mean_service_s,
        rule=inputs.rule,
        now=inputs.now,
        until=until,
        default_service_s=inputs.default_service_s,
    )


def wait_of(
    target: Candidate, inputs: EstimateInputs, *, order: Mapping[int, float] | None = None
) -> WaitEstimate:
    """The wait of one ticket, playing the calling rule as the server applies it with the ticket's own
    priority and appointment. `order`: a play (call_order) already made that reaches the target.

    A very long list (over PROJECTION_LIMIT) takes the flow estimate over the people ahead in its line.
    """
    if order is None or target.id not in order:
        if len(inputs.waiting) > PROJECTION_LIMIT:
            return _flow_wait(target, inputs)
        order = call_order(inputs, until=target)
    line = {c.id for c in inputs.waiting if c.queue == target.queue}
    ahead = 0
    for ticket_id in order:
        if ticket_id == target.id:
            return WaitEstimate(round(order[ticket_id]), ahead)
        ahead += ticket_id in line
    return _flow_wait(target, inputs)  # unreachable with a desk for its line; kept as a safe answer


def _flow_wait(target: Candidate, inputs: EstimateInputs) -> WaitEstimate:
    """Calls as a flow; ahead: its line's tickets of a higher class (appointment, then priority) and
    those of its class placed before it (ageing and the priority streak are not played here)."""
    mine = _rank(target)
    ahead = sum(
        1
        for c in inputs.waiting
        if c.queue == target.queue
        and c.id != target.id
        and (_rank(c) > mine or (_rank(c) == mine and _place(c) < _place(target)))
    )
    mean_s = inputs.mean_service_s.get(target.queue, inputs.default_service_s)
    with_people = {c.queue for c in inputs.waiting}
    loads = [
        CounterLoad(counter_share(d.weights, target.queue, with_people), d.free_in_s)
        for d in inputs.desks
        if target.queue in d.weights
    ]
    return WaitEstimate(expected_wait_s(people_ahead=ahead, mean_service_s=mean_s, counters=loads), ahead)


def _rank(c: Candidate) -> tuple[bool, bool]:
    return (c.appointment_at is not None, c.priority is not None)
