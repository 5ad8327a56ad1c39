"""Playing days and weeks of a scenario, and the fewest desks per hour that keep the wait on target."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from analytics.scenario import DrawnDay, Scenario, desk_shifts, draw_day
from analytics.simulation import OfficeSimulation, SimCounter, SimResult, SimTicket
from analytics.stats import mean, summarise_waits

WEEKDAY_NAMES_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass
class PlayedDays:
    scenario: Scenario
    days: list[DrawnDay]
    result: SimResult

    @property
    def tickets(self) -> list[SimTicket]:
        return self.result.tickets

    def hour_of(self, ticket: SimTicket) -> int:
        return int((ticket.issued_at % 86400) // 3600)


def week_days(scenario: Scenario, count: int) -> list[int]:
    """The weekdays of `count` consecutive working days, starting on Monday."""
    working = scenario.working_weekdays()
    if not working:
        raise ValueError("the scenario has no working day (all [hours] are empty)")
    return [working[i % len(working)] for i in range(count)]


def play(
    scenario: Scenario,
    *,
    weekdays: Sequence[int],
    seed: int,
    staffing: Mapping[int, int] | None = None,
    estimate: bool = False,
) -> PlayedDays:
    """Draw and play consecutive days (one simulation: a ticket never crosses a day end)."""
    rng = random.Random(seed)
    days: list[DrawnDay] = []
    next_id = 1
    for index, weekday in enumerate(weekdays):
        day = draw_day(
            scenario, weekday=weekday, day_index=index, rng=rng, first_id=next_id, staffing=staffing
        )
        next_id += len(day.tickets)
        days.append(day)
    return PlayedDays(scenario, days, _run(scenario, days, estimate=estimate))


def _run(scenario: Scenario, days: Sequence[DrawnDay], *, estimate: bool) -> SimResult:
    shifts: dict[int, SimCounter] = {}
    for day in days:
        for desk in day.counters:
            known = shifts.setdefault(desk.number, SimCounter(desk.number, desk.weights, []))
            known.shifts.extend(desk.shifts)
    return OfficeSimulation(
        tickets=[t for day in days for t in day.tickets],
        counters=list(shifts.values()),
        rule=scenario.rule,
        day_ends=[day.day_end_s for day in days],
        walk_s=scenario.walk_s,
        no_show_wait_s=scenario.no_show_wait_s,
        estimate=estimate,
    ).run()


def fresh(tickets: Sequence[SimTicket]) -> list[SimTicket]:
    """Copies of drawn tickets before they were played (to replay the same citizens with other staffing)."""
    return [
        SimTicket(
            id=t.id,
            queue=t.queue,
            issued_at=t.issued_at,
            service_s=t.service_s,
            priority=t.priority,
            no_show=t.no_show,
            day=t.day,
        )
        for t in tickets
    ]


# ---- summaries ------------------------------------------------------------------------------------


def summarise(played: PlayedDays) -> dict[str, Any]:
    scenario = played.scenario
    target = scenario.target_wait_s
    tickets = played.tickets
    queues = {}
    for profile in scenario.queues:
        mine = [t for t in tickets if t.queue == profile.code]
        queues[profile.code] = {"name_vi": profile.name_vi, **_ticket_summary(mine, target)}
    hours: dict[int, list[SimTicket]] = defaultdict(list)
    for ticket in tickets:
        hours[played.hour_of(ticket)].append(ticket)
    by_hour = {
        f"{hour:02d}": {
            "tickets_per_day": round(len(items) / len(played.days), 1),
            "mean_wait_s": _round(mean([w for t in items if (w := t.wait_s) is not None])),
        }
        for hour, items in sorted(hours.items())
    }
    utilisation = {
        str(n): round(busy / staffed, 3) if staffed > 0 else None
        for n, busy in sorted(played.result.busy_s.items())
        for staffed in [played.result.staffed_s[n]]
    }
    return {
        "office": scenario.office,
        "source": scenario.source,
        "days": len(played.days),
        "weekdays": [WEEKDAY_NAMES_VI[d.weekday] for d in played.days],
        "target_s": target,
        "total": _ticket_summary(tickets, target),
        "queues": queues,
        "by_hour": by_hour,
        "utilisation": utilisation,
        "estimates": estimate_errors(tickets),
        "runtime_s": round(played.result.runtime_s, 3),
    }


def _ticket_summary(tickets: Sequence[SimTicket], target_s: float) -> dict[str, Any]:
    waits = summarise_waits((w for t in tickets if (w := t.wait_s) is not None), target_s)
    services = [t.ended_at - t.started_at for t in tickets if t.started_at is not None and t.ended_at]
    return {
        "tickets": len(tickets),
        "served": sum(1 for t in tickets if t.started_at is not None),
        "no_show": sum(1 for t in tickets if t.no_show and t.called_at is not None),
        "expired": sum(1 for t in tickets if t.expired),
        "mean_wait_s": _round(waits.mean_s),
        "p90_wait_s": _round(waits.p90_s),
        "share_within_target": None
        if waits.share_within_target is None
        else round(waits.share_within_target, 4),
        "mean_service_s": _round(mean(services)),
    }


def estimate_errors(tickets: Sequence[SimTicket]) -> dict[str, Any]:
    """Mean absolute error (minutes) of each estimate against the simulated wait, on the same tickets;
    again for normal and for priority tickets apart (`by_class`), with "as_normal": what a priority ticket
    was told before the estimate played its own priority."""
    result = _errors(tickets)
    result["by_class"] = {
        "normal": _errors([t for t in tickets if t.priority is None]),
        "priority": _errors([t for t in tickets if t.priority is not None]),
    }
    return result


def _errors(tickets: Sequence[SimTicket]) -> dict[str, Any]:
    errors: dict[str, list[float]] = {"live": [], "flow": [], "naive": [], "as_normal": []}
    bias = []
    for ticket in tickets:
        wait = ticket.wait_s
        estimates = {
            "live": ticket.estimate_s,
            "flow": ticket.flow_estimate_s,
            "naive": ticket.naive_estimate_s,
            "as_normal": ticket.as_normal_estimate_s,
        }
        if wait is None or any(value is None for value in estimates.values()):
            continue
        for name, value in estimates.items():
            assert value is not None
            errors[name].append(abs(value - wait))
        assert ticket.estimate_s is not None
        bias.append(ticket.estimate_s - wait)
    if not bias:
        return {"tickets": 0}
    result: dict[str, Any] = {"tickets": len(bias)}
    for name, values in errors.items():
        result[f"{name}_mae_min"] = round(sum(values) / len(values) / 60, 2)
    result["live_bias_min"] = round(sum(bias) / len(bias) / 60, 2)
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# ---- fewest desks per hour -------------------------------------------------------------------------


@dataclass
class HourPlan:
    hour: int
    counters: int
    mean_wait_s: float | None
    share_within_target: float | None
    reachable: bool  # False: even every desk open does not reach the target


@dataclass
class StaffingPlan:
    weekday: int
    hours: list[HourPlan] = field(default_factory=list)
    evaluations: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "weekday": WEEKDAY_NAMES_VI[self.weekday],
            "evaluations": self.evaluations,
            "hours": [
                {
                    "hour": f"{h.hour:02d}",
                    "counters": h.counters,
                    "mean_wait_s": _round(h.mean_wait_s),
                    "share_within_target": None
                    if h.share_within_target is None
                    else round(h.share_within_target, 3),
                    "reachable": h.reachable,
                }
                for h in self.hours
            ],
        }


def fewest_counters(scenario: Scenario, *, weekday: int, replications: int, seed: int) -> StaffingPlan:
    """Hour by hour, the fewest desks (opened in the scenario's order) whose arrivals wait on average no
    longer than the target, with later hours fully staffed. The same drawn citizens are replayed for every
    plan (common random numbers), so plans differ only by their desks."""
    hours = scenario.hours_of_day(weekday)
    most = len(scenario.counters)
    plan = StaffingPlan(weekday)
    drawn = draw_citizens(scenario, weekday=weekday, replications=replications, seed=seed)
    staffing = dict.fromkeys(hours, most)

    def evaluate(hour: int, count: int) -> tuple[float | None, float | None]:
        plan.evaluations += 1
        return hour_waits(
            scenario, weekday=weekday, staffing={**staffing, hour: count}, hour=hour, drawn=drawn
        )

    for hour in hours:
        best = evaluate(hour, most)
        reachable = best[0] is None or best[0] <= scenario.target_wait_s
        low, high = 1, most
        while reachable and low < high:  # more desks never lengthen the wait: the first count that meets it
            middle = (low + high) // 2
            measured = evaluate(hour, middle)
            if measured[0] is None or measured[0] <= scenario.target_wait_s:
                high, best = middle, measured
            else:
                low = middle + 1
        staffing[hour] = high
        plan.hours.append(HourPlan(hour, high, best[0], best[1], reachable))
    return plan


def draw_citizens(scenario: Scenario, *, weekday: int, replications: int, seed: int) -> list[list[SimTicket]]:
    rng = random.Random(seed)
    return [draw_day(scenario, weekday=weekday, day_index=0, rng=rng).tickets for _ in range(replications)]


def hour_waits(
    scenario: Scenario,
    *,
    weekday: int,
    staffing: Mapping[int, int],
    hour: int,
    drawn: Sequence[Sequence[SimTicket]],
) -> tuple[float | None, float | None]:
    """Mean wait and share within the target of those who take a number in `hour`, over the drawn days.
    Those still waiting at the day's end count with the time they were left waiting."""
    desks, day_end = desk_shifts(scenario, weekday=weekday, day_index=0, staffing=staffing)
    waits = []
    for tickets in drawn:
        result = OfficeSimulation(
            tickets=fresh(tickets),
            counters=desks,
            rule=scenario.rule,
            day_ends=[day_end],
            walk_s=scenario.walk_s,
            no_show_wait_s=scenario.no_show_wait_s,
        ).run()
        for ticket in result.tickets:
            if int(ticket.issued_at // 3600) == hour:
                waits.append(ticket.wait_s if ticket.wait_s is not None else day_end - ticket.issued_at)
    summary = summarise_waits(waits, scenario.target_wait_s)
    return summary.mean_s, summary.share_within_target


def offered_load(scenario: Scenario, weekday: int, hour: int) -> float:
    """Desk-hours of work arriving in that hour (a lower bound on the desks needed)."""
    factor = scenario.day_factor.get(weekday, 1.0)
    work = 0.0
    for q in scenario.queues:
        visit = (1 - q.no_show_share) * (
            q.service.mean_s + scenario.walk_s
        ) + q.no_show_share * scenario.no_show_wait_s
        work += q.arrivals_per_hour.get(hour, 0.0) * factor * visit
    return work / 3600.0


def minimum_desks(scenario: Scenario, weekday: int, hour: int) -> int:
    return max(1, math.ceil(offered_load(scenario, weekday, hour)))
