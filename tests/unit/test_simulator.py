"""The simulator: the fast M/M/c path against the calling rule, Erlang C, days, staffing, estimate errors."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest

from analytics.erlang import erlang_c, erlang_c_mean_wait_s, erlang_c_share_within
from analytics.planning import draw_citizens, fewest_counters, hour_waits, play, summarise, week_days
from analytics.scenario import CounterProfile, QueueProfile, Scenario, ServiceModel, desk_shifts, draw_day
from analytics.simulation import (
    OfficeSimulation,
    SimCounter,
    SimTicket,
    poisson_tickets,
    simulate_mmc,
    simulate_mmc_by_rule,
)
from queue_server.domain.calling import FairnessRule

# ---- Erlang C -----------------------------------------------------------------------------------------


def test_erlang_c_single_desk_is_the_load() -> None:
    # M/M/1: P(wait) = ρ and Wq = ρ / (μ − λ).
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c_mean_wait_s(42, 60, 1) == pytest.approx(0.7 / (1 / 60 - 42 / 3600))


def test_erlang_c_known_value() -> None:
    # Two desks, offered load 1 erlang: C = a^c/c! · c/(c−a) / (Σ a^k/k! + a^c/c! · c/(c−a)) = 1/3.
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def test_erlang_c_unstable_and_bad_input() -> None:
    assert erlang_c(3, 3.0) == 1.0
    assert math.isinf(erlang_c_mean_wait_s(60, 180, 3))
    assert erlang_c_share_within(60, 180, 3, 900) == 0.0
    with pytest.raises(ValueError, match="one counter"):
        erlang_c(0, 1.0)


# ---- the fast path is the rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arrivals", "service_min", "counters", "seed"),
    [(30, 5, 3, 1), (50, 6, 5, 2), (12, 4, 1, 3), (80, 12, 17, 4), (100, 3, 6, 5)],
)
def test_fast_path_calls_exactly_like_the_calling_rule(
    arrivals: float, service_min: float, counters: int, seed: int
) -> None:
    kwargs = {
        "arrivals_per_hour": arrivals,
        "mean_service_s": service_min * 60,
        "counters": counters,
        "seed": seed,
    }
    fast = simulate_mmc(hours=60, record_calls=True, **kwargs)
    by_rule = simulate_mmc_by_rule(hours=60, **kwargs)
    assert len(fast.calls) > 100
    assert fast.calls == by_rule.calls  # same ticket, same desk, same moment, every call


def test_giving_the_rule_only_the_heads_changes_no_call() -> None:
    """The office path hands the rule the head of each line; with every waiting ticket it calls the same."""
    scenario = office(rate_factor=1.6)
    days = [draw_day(scenario, weekday=d, day_index=d, rng=random.Random(d)) for d in range(3)]
    results = []
    for heads_only in (True, False):
        tickets = [
            SimTicket(t.id, t.queue, t.issued_at, t.service_s, t.priority, t.no_show)
            for d in days
            for t in d.tickets
        ]
        shifts: dict[int, list[tuple[float, float]]] = {}
        for d in days:
            for desk in d.counters:
                shifts.setdefault(desk.number, []).extend(desk.shifts)
        weights = {c.number: dict(c.weights) for c in scenario.counters}
        results.append(
            OfficeSimulation(
                tickets=tickets,
                counters=[SimCounter(n, weights[n], spans) for n, spans in shifts.items()],
                rule=scenario.rule,
                day_ends=[d.day_end_s for d in days],
                walk_s=40,
                no_show_wait_s=120,
                record_calls=True,
                heads_only=heads_only,
            ).run()
        )
    assert len(results[0].calls) > 300
    assert results[0].calls == results[1].calls


def test_poisson_draws_have_the_asked_rates() -> None:
    pairs = list(poisson_tickets(random.Random(9), arrivals_per_hour=120, mean_service_s=300, hours=500))
    assert len(pairs) == pytest.approx(60_000, rel=0.02)
    assert sum(s for _, s in pairs) / len(pairs) == pytest.approx(300, rel=0.02)
    mirrored = list(
        poisson_tickets(
            random.Random(9), arrivals_per_hour=120, mean_service_s=300, hours=500, antithetic=True
        )
    )
    assert sum(s for _, s in mirrored) / len(mirrored) == pytest.approx(300, rel=0.02)
    assert mirrored[:100] != pairs[:100]
    one = simulate_mmc(arrivals_per_hour=50, mean_service_s=300, counters=5, hours=100, seed=9)
    other = simulate_mmc(
        arrivals_per_hour=50, mean_service_s=300, counters=5, hours=100, seed=9, antithetic=True
    )
    assert one.waits != other.waits  # the mirrored run really is another run


def test_bad_mmc_input_says_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="arrivals per hour must be greater than 0"):
        simulate_mmc(arrivals_per_hour=0, mean_service_s=60, counters=1, hours=1, seed=1)
    with pytest.raises(ValueError, match="at least one counter"):
        simulate_mmc(arrivals_per_hour=10, mean_service_s=60, counters=0, hours=1, seed=1)


# ---- against Erlang C ------------------------------------------------------------------------------------
# Each case runs one pair of mirrored (antithetic) runs; the pair's mean has a measured spread (standard
# deviation over seeds) of 1-2 %, so 5 % is 2.5-4 spreads away. The million-ticket runs are benchmarks.

ERLANG_CASES = [
    # arrivals/h, service min, desks, tickets per run, utilisation
    (6.0, 5.0, 1, 200_000),  # ρ = 0.5
    (21.0, 6.0, 3, 500_000),  # ρ = 0.7
    (12.0, 8.0, 2, 500_000),  # ρ = 0.8
    (27.0, 10.0, 5, 1_000_000),  # ρ = 0.9
]


@pytest.mark.parametrize(("arrivals", "service_min", "counters", "tickets"), ERLANG_CASES)
def test_mean_wait_within_5_percent_of_erlang_c(
    arrivals: float, service_min: float, counters: int, tickets: int
) -> None:
    hours = tickets / arrivals
    runs = [
        simulate_mmc(
            arrivals_per_hour=arrivals,
            mean_service_s=service_min * 60,
            counters=counters,
            hours=hours,
            seed=20260310,
            antithetic=antithetic,
        ).summary()
        for antithetic in (False, True)
    ]
    formula = erlang_c_mean_wait_s(arrivals, service_min * 60, counters)
    measured = (runs[0]["mean_wait_s"] + runs[1]["mean_wait_s"]) / 2
    assert measured == pytest.approx(formula, rel=0.05)
    waited = (runs[0]["share_waited"] + runs[1]["share_waited"]) / 2
    assert waited == pytest.approx(erlang_c(counters, arrivals * service_min / 60), abs=0.02)
    assert runs[0]["utilisation"] == pytest.approx(arrivals * service_min / 60 / counters, rel=0.03)


# ---- an office day ---------------------------------------------------------------------------------------

MORNING_AFTERNOON = ((7.5 * 3600, 11.5 * 3600), (13.5 * 3600, 17 * 3600))


def office(rate_factor: float = 1.0, desks: int = 4) -> Scenario:
    weights = [
        {"A": 2.0, "B": 1.0},
        {"A": 1.0, "B": 2.0},
        {"B": 1.0, "C": 2.0},
        {"A": 1.0, "B": 1.0, "C": 1.0},
    ]
    rates = {"A": 9.0, "B": 6.0, "C": 2.0}
    return Scenario(
        office="TEST",
        office_name_vi="Thử",
        hours={d: MORNING_AFTERNOON for d in range(5)},
        day_factor={},
        queues=tuple(
            QueueProfile(
                code,
                f"Hàng {code}",
                {h: rate * rate_factor for h in (7, 8, 9, 10, 11, 13, 14, 15, 16)},
                ServiceModel(480.0 if code != "C" else 840.0, 0.6, "lognormal"),
                priority_share=0.08,
                no_show_share=0.04,
            )
            for code, rate in rates.items()
        ),
        counters=tuple(CounterProfile(n + 1, weights[n % 4]) for n in range(desks)),
        rule=FairnessRule(ageing_after=timedelta(minutes=30)),
        target_wait_s=900.0,
        walk_s=40.0,
        no_show_wait_s=120.0,
        overtime_s=1800.0,
    )


def test_arrivals_stay_inside_the_issuing_hours() -> None:
    day = draw_day(office(), weekday=0, day_index=2, rng=random.Random(1))
    assert day.tickets
    for ticket in day.tickets:
        local = ticket.issued_at - 2 * 86400
        assert any(a <= local < b for a, b in MORNING_AFTERNOON), local
    assert [t.id for t in day.tickets] == list(range(1, len(day.tickets) + 1))


def test_desks_keep_calling_for_the_overtime_after_each_closing() -> None:
    desks, day_end = desk_shifts(office(), weekday=0, day_index=0)
    assert desks[0].shifts == [(7.5 * 3600, 12 * 3600), (13.5 * 3600, 17.5 * 3600)]
    assert day_end == 17.5 * 3600
    staffed, _ = desk_shifts(office(), weekday=0, day_index=0, staffing={9: 2, 10: 1})
    assert [d.number for d in staffed] == [1, 2]  # the first two in the opening order
    assert staffed[1].shifts == [(9 * 3600, 10 * 3600)]


def test_a_week_reports_every_ticket_once() -> None:
    scenario = office()
    played = play(scenario, weekdays=week_days(scenario, 5), seed=3)
    summary = summarise(played)
    total = summary["total"]
    assert total["tickets"] == len(played.tickets) == sum(q["tickets"] for q in summary["queues"].values())
    assert total["served"] + total["no_show"] + total["expired"] == total["tickets"]
    for ticket in played.tickets:
        if ticket.called_at is not None:
            assert ticket.called_at >= ticket.issued_at
            assert ticket.called_at // 86400 == ticket.issued_at // 86400  # never across a day end
    assert all(0 < u < 1 for u in summary["utilisation"].values())


def test_priority_tickets_wait_less() -> None:
    played = play(office(rate_factor=1.5), weekdays=[0, 1, 2, 3, 4], seed=4)
    waits = {True: [], False: []}  # type: dict[bool, list[float]]
    for ticket in played.tickets:
        if ticket.wait_s is not None:
            waits[ticket.priority is not None].append(ticket.wait_s)
    assert sum(waits[True]) / len(waits[True]) < 0.5 * sum(waits[False]) / len(waits[False])


def test_fewest_desks_meet_the_target_and_one_fewer_does_not() -> None:
    scenario = office(rate_factor=1.4, desks=6)
    plan = fewest_counters(scenario, weekday=0, replications=4, seed=11)
    assert [h.hour for h in plan.hours] == [7, 8, 9, 10, 11, 13, 14, 15, 16]
    assert max(h.counters for h in plan.hours) > 1
    drawn = draw_citizens(scenario, weekday=0, replications=4, seed=11)
    staffing = {h.hour: h.counters for h in plan.hours}
    for hour in plan.hours:
        assert hour.reachable
        assert hour.mean_wait_s is not None and hour.mean_wait_s <= scenario.target_wait_s
        if hour.counters > 1:
            fewer = {**staffing, hour.hour: hour.counters - 1}
            # Later hours at their planned desks (the search had them all open): still over the target.
            for later in plan.hours:
                if later.hour > hour.hour:
                    fewer[later.hour] = len(scenario.counters)
            for earlier in plan.hours:
                if earlier.hour < hour.hour:
                    fewer[earlier.hour] = earlier.counters
            mean_wait, _ = hour_waits(scenario, weekday=0, staffing=fewer, hour=hour.hour, drawn=drawn)
            assert mean_wait is not None and mean_wait > scenario.target_wait_s


def test_an_unreachable_hour_is_said_so() -> None:
    plan = fewest_counters(office(rate_factor=3.0, desks=2), weekday=0, replications=2, seed=1)
    assert any(not h.reachable and h.counters == 2 for h in plan.hours)


def test_estimates_on_simulated_days() -> None:
    """The printed estimate (the calling rule played forward) against the simulated truth, beside the
    flow estimate and the first naive one, on the same tickets of a loaded week."""
    scenario = office(rate_factor=1.5)
    played = play(scenario, weekdays=week_days(scenario, 5), seed=21, estimate=True)
    errors = summarise(played)["estimates"]
    assert errors["tickets"] > 500
    assert errors["live_mae_min"] < errors["flow_mae_min"] < errors["naive_mae_min"]
    assert errors["live_mae_min"] < 0.8 * errors["naive_mae_min"]


def test_the_estimate_is_exact_when_visits_take_their_mean_time() -> None:
    """No randomness in visits and nobody arriving later than the ticket: estimate = wait."""
    waiting = [SimTicket(i, "A", float(i), 300.0) for i in range(1, 11)]
    sim = OfficeSimulation(
        tickets=waiting,
        counters=[SimCounter(1, {"A": 1.0}, [(0.0, 10**6)]), SimCounter(2, {"A": 1.0}, [(0.0, 10**6)])],
        rule=FairnessRule(),
        estimate=True,
    )
    result = sim.run()
    # The estimate reads the queue's recent visits: until the first finishes it assumes 300 s (the default).
    for ticket in result.tickets:
        assert ticket.estimate_s == pytest.approx(ticket.wait_s, abs=1)
