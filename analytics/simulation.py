"""A discrete-event simulation of an office: arrivals, counters on shifts, and the server's own calling rule.

Two paths:
- `OfficeSimulation` plays any office: several queues with weights, priority tickets, no-shows, shifts,
  lunch and day ends. Every call goes through `queue_server.domain.calling.choose_next`, the code the
  server runs, given the heads of each line (the rule only ever picks a head: the oldest by place of the
  normal or of the priority tickets of a queue, so the answer is the same as with every waiting ticket).
- `simulate_mmc` is the textbook M/M/c queue: one line, no priority, counters always open. There the rule
  reduces to first come first served, which is the Kiefer–Wolfowitz recursion over a heap of the counters'
  free times: a million tickets in seconds. A unit test runs both paths on the same input and compares
  every call.

Times are float seconds from the simulation's start (local midnight of its first day).
"""

from __future__ import annotations

import heapq
import math
import random
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from analytics.erlang import erlang_c, erlang_c_mean_wait_s
from analytics.stats import mean, percentile
from queue_server.domain.calling import Candidate, FairnessRule, choose_next
from queue_server.domain.estimates import (
    DEFAULT_SERVICE_S,
    CounterLoad,
    OpenDesk,
    counter_share,
    estimate_inputs,
    expected_wait_s,
    naive_wait_s,
    remaining_service_s,
    service_means,
    wait_of,
)

SAMPLES_KEPT = 30  # the server's estimate reads the last 30 visits of a queue
EPOCH = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday; only differences of times matter

# Event kinds, in the order they are handled when they fall on the same instant.
SHIFT_END, VISIT_END, SHIFT_START, ARRIVAL, DAY_END = range(5)


@dataclass(slots=True)
class SimTicket:
    id: int
    queue: str
    issued_at: float
    service_s: float  # time at the desk once the citizen is there
    priority: str | None = None
    no_show: bool = False
    day: int = 0
    called_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    counter: int | None = None
    expired: bool = False
    estimate_s: int | None = None  # the live estimate the kiosk would have printed
    naive_estimate_s: int | None = None  # the first version's estimate, for comparison
    flow_estimate_s: int | None = None  # the flow estimate (shares of busy desks), for comparison
    as_normal_estimate_s: int | None = None  # the live estimate had it been a normal ticket (the old answer)
    candidate: Candidate | None = None

    @property
    def wait_s(self) -> float | None:
        return None if self.called_at is None else self.called_at - self.issued_at


@dataclass
class SimCounter:
    number: int
    weights: dict[str, float]
    shifts: list[tuple[float, float]]  # when someone sits there, absolute seconds, sorted


@dataclass
class _CounterState:
    counter: SimCounter
    staffed: bool = False
    current: SimTicket | None = None
    idle_since: float = 0.0
    streak: int = 0
    busy_s: float = 0.0
    staffed_s: float = 0.0


@dataclass
class _Line:
    normal: deque[SimTicket] = field(default_factory=deque)
    priority: deque[SimTicket] = field(default_factory=deque)
    occupancy: deque[float] = field(default_factory=lambda: deque(maxlen=SAMPLES_KEPT))  # newest first
    service: deque[float] = field(default_factory=lambda: deque(maxlen=SAMPLES_KEPT))

    def __len__(self) -> int:
        return len(self.normal) + len(self.priority)


@dataclass(frozen=True)
class Call:
    ticket: int
    counter: int
    at: float


@dataclass
class SimResult:
    tickets: list[SimTicket]
    calls: list[Call]
    busy_s: dict[int, float]
    staffed_s: dict[int, float]
    runtime_s: float


class OfficeSimulation:
    """Plays pre-drawn tickets through counters on shifts, calling with the server's rule."""

    def __init__(
        self,
        *,
        tickets: Sequence[SimTicket],
        counters: Sequence[SimCounter],
        rule: FairnessRule,
        day_ends: Sequence[float] = (),
        walk_s: float = 0.0,
        no_show_wait_s: float = 0.0,
        estimate: bool = False,
        record_calls: bool = False,
        epoch: datetime = EPOCH,
        heads_only: bool = True,
    ) -> None:
        self.tickets = sorted(tickets, key=lambda t: (t.issued_at, t.id))
        self.rule = rule
        self.walk_s = walk_s
        self.no_show_wait_s = no_show_wait_s
        self.estimate = estimate
        self.record_calls = record_calls
        self.epoch = epoch
        self.heads_only = heads_only  # False: give the rule every waiting ticket (slower, same answers)
        self.states = {c.number: _CounterState(c) for c in counters}
        queues = {t.queue for t in self.tickets} | {q for c in counters for q in c.weights}
        self.lines = {q: _Line() for q in sorted(queues)}
        self.serving: dict[str, list[_CounterState]] = {
            q: [s for s in self.states.values() if q in s.counter.weights] for q in self.lines
        }
        self.day_ends = sorted(day_ends)
        self.calls: list[Call] = []
        self._events: list[tuple[float, int, int, Any]] = []
        self._order = 0

    def run(self) -> SimResult:
        started = time.perf_counter()
        for ticket in self.tickets:
            ticket.candidate = Candidate(
                id=ticket.id,
                queue=ticket.queue,
                issued_at=self._moment(ticket.issued_at),
                place_at=self._moment(ticket.issued_at),
                priority=ticket.priority,
            )
            self._push(ticket.issued_at, ARRIVAL, ticket)
        for state in self.states.values():
            for start, end in state.counter.shifts:
                self._push(start, SHIFT_START, state)
                self._push(end, SHIFT_END, state)
                state.staffed_s += end - start
        for end in self.day_ends:
            self._push(end, DAY_END, None)
        handlers: dict[int, Callable[[float, Any], None]] = {
            SHIFT_END: self._on_shift_end,
            VISIT_END: self._on_visit_end,
            SHIFT_START: self._on_shift_start,
            ARRIVAL: self._on_arrival,
            DAY_END: self._on_day_end,
        }
        events = self._events
        while events:
            at, kind, _, payload = heapq.heappop(events)
            handlers[kind](at, payload)
        return SimResult(
            tickets=self.tickets,
            calls=self.calls,
            busy_s={n: s.busy_s for n, s in self.states.items()},
            staffed_s={n: s.staffed_s for n, s in self.states.items()},
            runtime_s=time.perf_counter() - started,
        )

    # ---- events --------------------------------------------------------------------------------

    def _push(self, at: float, kind: int, payload: Any) -> None:
        self._order += 1
        heapq.heappush(self._events, (at, kind, self._order, payload))

    def _moment(self, at: float) -> datetime:
        return self.epoch + timedelta(seconds=at)

    def _on_arrival(self, now: float, ticket: SimTicket) -> None:
        line = self.lines[ticket.queue]
        if self.estimate:
            self._estimate(now, ticket, line)
        (line.priority if ticket.priority else line.normal).append(ticket)
        idle = [s for s in self.serving[ticket.queue] if s.staffed and s.current is None]
        if idle:
            first = min(idle, key=lambda s: (s.idle_since, s.counter.number))
            self._try_call(now, first)

    def _on_visit_end(self, now: float, state: _CounterState) -> None:
        ticket = state.current
        assert ticket is not None and ticket.called_at is not None
        ticket.ended_at = now
        line = self.lines[ticket.queue]
        line.occupancy.appendleft(now - ticket.called_at)
        if ticket.started_at is not None:
            line.service.appendleft(now - ticket.started_at)
        state.current = None
        state.idle_since = now
        if state.staffed:
            self._try_call(now, state)

    def _on_shift_start(self, now: float, state: _CounterState) -> None:
        state.staffed = True
        if state.current is None:
            state.idle_since = now
            self._try_call(now, state)

    def _on_shift_end(self, now: float, state: _CounterState) -> None:
        state.staffed = False  # a visit under way is finished, but no one new is called

    def _on_day_end(self, now: float, _: None) -> None:
        for line in self.lines.values():
            for ticket in (*line.normal, *line.priority):
                ticket.expired = True
            line.normal.clear()
            line.priority.clear()

    # ---- calling -------------------------------------------------------------------------------

    def _try_call(self, now: float, state: _CounterState) -> None:
        weights = state.counter.weights
        heads: list[Candidate] = []
        for code in weights:
            line = self.lines[code]
            for pool in (line.normal, line.priority):
                waiting = pool if not self.heads_only else (pool[0],) if pool else ()
                for ticket in waiting:
                    assert ticket.candidate is not None
                    heads.append(ticket.candidate)
        if not heads:
            return
        decision = choose_next(
            heads, weights=weights, now=self._moment(now), priority_streak=state.streak, rule=self.rule
        )
        assert decision is not None
        state.streak = decision.priority_streak
        line = self.lines[decision.ticket.queue]
        pool = line.priority if decision.ticket.priority else line.normal
        ticket = pool.popleft()
        assert ticket.id == decision.ticket.id, "the rule picked a ticket that is not a head"
        self._start_visit(now, state, ticket)

    def _start_visit(self, now: float, state: _CounterState, ticket: SimTicket) -> None:
        ticket.called_at = now
        ticket.counter = state.counter.number
        if ticket.no_show:
            occupancy = self.no_show_wait_s
        else:
            ticket.started_at = now + self.walk_s
            occupancy = self.walk_s + ticket.service_s
        state.current = ticket
        state.busy_s += occupancy
        if self.record_calls:
            self.calls.append(Call(ticket.id, state.counter.number, now))
        self._push(now + occupancy, VISIT_END, state)

    # ---- what the kiosk would have printed -------------------------------------------------------

    def _estimate(self, now: float, ticket: SimTicket, line: _Line) -> None:
        """The estimates from exactly what the server would know at this moment: the one it prints (its
        inputs built by the server's own builder, the calling rule played with the ticket's own priority),
        the same for a normal ticket (what a priority ticket was told before), the flow estimate, and the
        first naive one."""
        means = service_means({code: list(other.occupancy) for code, other in self.lines.items()}, self.lines)
        mean_s = means[ticket.queue]
        with_people = {code for code, other in self.lines.items() if len(other)}
        loads, desks = [], []
        capacity = 0.0
        for state in self.states.values():
            if not state.staffed:
                continue
            weights = state.counter.weights
            elapsed = None
            if state.current is not None and state.current.called_at is not None:
                elapsed = now - state.current.called_at
            busy_queue = state.current.queue if state.current is not None else None
            desks.append(OpenDesk(weights, elapsed, busy_queue, state.streak))
            if ticket.queue not in weights:
                continue
            capacity += weights[ticket.queue] / sum(weights.values())
            loads.append(
                CounterLoad(
                    counter_share(weights, ticket.queue, with_people), remaining_service_s(elapsed, mean_s)
                )
            )
        waiting = [t.candidate for other in self.lines.values() for t in (*other.normal, *other.priority)]
        assert ticket.candidate is not None
        inputs = estimate_inputs(
            waiting=[c for c in waiting if c is not None],
            desks=desks,
            means=means,
            rule=self.rule,
            now=self._moment(now),
        )
        ticket.estimate_s = wait_of(ticket.candidate, inputs).wait_s
        as_normal = replace(ticket.candidate, priority=None)
        ticket.as_normal_estimate_s = (
            ticket.estimate_s if ticket.priority is None else wait_of(as_normal, inputs).wait_s
        )
        ticket.flow_estimate_s = expected_wait_s(
            people_ahead=len(line), mean_service_s=mean_s, counters=loads
        )
        naive_mean = mean(list(line.service)) or DEFAULT_SERVICE_S
        ticket.naive_estimate_s = naive_wait_s(
            people_ahead=len(line), mean_service_s=naive_mean, capacity=capacity
        )


# ---- the textbook queue ----------------------------------------------------------------------------


def poisson_tickets(
    rng: random.Random,
    *,
    arrivals_per_hour: float,
    mean_service_s: float,
    hours: float,
    antithetic: bool = False,
) -> Iterator[tuple[float, float]]:
    """(arrival time, service time) pairs: Poisson arrivals and exponential service, drawn in that order.

    `antithetic` mirrors every uniform draw (u → 1 − u): run once each way with the same seed and the
    two runs' errors mostly cancel, a standard way to get a tighter estimate from the same work.
    """
    rate = arrivals_per_hour / 3600.0
    uniform = rng.random
    log = math.log
    horizon = hours * 3600.0
    at = 0.0
    while True:
        u, v = uniform(), uniform()
        if antithetic:
            u, v = 1.0 - u, 1.0 - v  # in (0, 1]
        else:
            u, v = u or 1e-300, v or 1e-300  # in (0, 1)
        at -= log(u) / rate
        if at >= horizon:
            return
        yield at, -log(v) * mean_service_s


@dataclass
class MmcResult:
    arrivals_per_hour: float
    mean_service_s: float
    counters: int
    hours: float
    seed: int
    target_s: float
    waits: array[float]
    busy_in_window_s: float
    runtime_s: float
    calls: list[Call] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.waits)
        count = len(ordered)
        load = self.arrivals_per_hour / 3600.0 * self.mean_service_s
        within = _count_at_most(ordered, self.target_s)
        waited = count - _count_at_most(ordered, 0.0)
        return {
            "mode": "mmc",
            "arrivals_per_hour": self.arrivals_per_hour,
            "mean_service_minutes": self.mean_service_s / 60.0,
            "counters": self.counters,
            "hours": self.hours,
            "seed": self.seed,
            "target_s": self.target_s,
            "tickets": count,
            "mean_wait_s": mean(ordered),
            "p50_wait_s": percentile(ordered, 0.5, presorted=True),
            "p90_wait_s": percentile(ordered, 0.9, presorted=True),
            "max_wait_s": ordered[-1] if ordered else None,
            "share_within_target": within / count if count else None,
            "share_waited": waited / count if count else None,
            "utilisation": self.busy_in_window_s / (self.counters * self.hours * 3600.0),
            "offered_load": load,
            "rho": load / self.counters,
            "erlang_c_wait_probability": erlang_c(self.counters, load),
            "stable": load < self.counters,
            "erlang_c_mean_wait_s": _finite(
                erlang_c_mean_wait_s(self.arrivals_per_hour, self.mean_service_s, self.counters)
            ),
            "runtime_s": round(self.runtime_s, 3),
        }


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _count_at_most(ordered: Sequence[float], limit: float) -> int:
    import bisect

    return bisect.bisect_right(ordered, limit)


def simulate_mmc(
    *,
    arrivals_per_hour: float,
    mean_service_s: float,
    counters: int,
    hours: float,
    seed: int,
    target_s: float = 900.0,
    record_calls: bool = False,
    antithetic: bool = False,
) -> MmcResult:
    """First come first served over a heap of (free time, counter): each arrival takes the counter free
    first (the one idle longest, ties to the lower number) — what the calling rule does with one line."""
    _check_mmc(arrivals_per_hour, mean_service_s, counters, hours)
    started = time.perf_counter()
    rng = random.Random(seed)
    horizon = hours * 3600.0
    free = [(0.0, number) for number in range(1, counters + 1)]
    waits: array[float] = array("d")
    append = waits.append
    replace = heapq.heapreplace
    busy = 0.0
    calls: list[Call] = []
    drawn = poisson_tickets(
        rng,
        arrivals_per_hour=arrivals_per_hour,
        mean_service_s=mean_service_s,
        hours=hours,
        antithetic=antithetic,
    )
    for ticket_id, (arrival, service) in enumerate(drawn, start=1):
        free_at, number = free[0]
        start = free_at if free_at > arrival else arrival
        end = start + service
        replace(free, (end, number))
        append(start - arrival)
        busy += (end if end < horizon else horizon) - (start if start < horizon else horizon)
        if record_calls:
            calls.append(Call(ticket_id, number, start))
    return MmcResult(
        arrivals_per_hour=arrivals_per_hour,
        mean_service_s=mean_service_s,
        counters=counters,
        hours=hours,
        seed=seed,
        target_s=target_s,
        waits=waits,
        busy_in_window_s=busy,
        runtime_s=time.perf_counter() - started,
        calls=calls,
    )


def simulate_mmc_by_rule(
    *, arrivals_per_hour: float, mean_service_s: float, counters: int, hours: float, seed: int
) -> SimResult:
    """The same textbook queue through the general path (the calling rule at every call): slow, for tests."""
    _check_mmc(arrivals_per_hour, mean_service_s, counters, hours)
    rng = random.Random(seed)
    tickets = [
        SimTicket(id=index, queue="A", issued_at=arrival, service_s=service)
        for index, (arrival, service) in enumerate(
            poisson_tickets(
                rng, arrivals_per_hour=arrivals_per_hour, mean_service_s=mean_service_s, hours=hours
            ),
            start=1,
        )
    ]
    desks = [SimCounter(number, {"A": 1.0}, [(0.0, math.inf)]) for number in range(1, counters + 1)]
    return OfficeSimulation(tickets=tickets, counters=desks, rule=FairnessRule(), record_calls=True).run()


def _check_mmc(arrivals_per_hour: float, mean_service_s: float, counters: int, hours: float) -> None:
    problems = []
    if not arrivals_per_hour > 0:
        problems.append(f"arrivals per hour must be greater than 0 (got {arrivals_per_hour})")
    if not mean_service_s > 0:
        problems.append(f"the mean service time must be greater than 0 (got {mean_service_s / 60} min)")
    if counters < 1:
        problems.append(f"at least one counter is needed (got {counters})")
    if not hours > 0:
        problems.append(f"hours must be greater than 0 (got {hours})")
    if problems:
        raise ValueError("; ".join(problems))
