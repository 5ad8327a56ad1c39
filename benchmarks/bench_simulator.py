"""Simulator speed and accuracy, each next to its baseline in the same run.

1. A 20-desk office week (6 days, 6 lines, priority, no-shows, lunch) through the server's calling rule:
   the shipped path (the rule sees the head of each line) next to the rule seeing every waiting ticket.
   Both must make the same calls.
2. The textbook M/M/c queue: a million tickets on the fast path (target <= 60 s), next to the calling-rule
   path on a tenth of them (its tickets per second), and `motcua simulate --mmc ... --json` end to end.
3. Million-ticket runs against Erlang C for utilisation 0.5 to 0.9: one run, and a mirrored (antithetic) pair.

    .venv/bin/python benchmarks/bench_simulator.py [--tickets 1000000]

Exits 1 when the million-ticket run takes longer than 60 s.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from analytics.erlang import erlang_c_mean_wait_s
from analytics.planning import week_days
from analytics.scenario import CounterProfile, QueueProfile, Scenario, ServiceModel, draw_day
from analytics.simulation import OfficeSimulation, SimCounter, SimTicket, simulate_mmc, simulate_mmc_by_rule
from queue_server.domain.calling import FairnessRule

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 60.0
SPANS = ((7.5 * 3600, 11.5 * 3600), (13.5 * 3600, 17 * 3600))
HOURS = (7, 8, 9, 10, 11, 13, 14, 15, 16)


def big_office(load: float = 1.0) -> Scenario:
    """20 desks, 6 lines, sized for about 85 % utilisation at the peak (x `load`)."""
    lines = {"A": (30, 8), "B": (24, 10), "C": (14, 14), "D": (16, 6), "E": (10, 12), "F": (8, 20)}
    shape = {7: 0.6, 8: 1.0, 9: 1.1, 10: 1.0, 11: 0.5, 13: 0.6, 14: 0.9, 15: 0.8, 16: 0.4}
    codes = list(lines)
    counters = []
    for number in range(1, 21):
        first, second = codes[number % 6], codes[(number + 1) % 6]
        counters.append(CounterProfile(number, {first: 2.0, second: 1.0}))
    return Scenario(
        office="BIG",
        office_name_vi="Trung tâm Phục vụ hành chính công",
        hours={d: SPANS for d in range(6)},
        day_factor={0: 1.1, 5: 0.8},
        queues=tuple(
            QueueProfile(
                code,
                f"Hàng {code}",
                {h: rate * shape[h] * load for h in HOURS},
                ServiceModel(minutes * 60.0, 0.6),
                priority_share=0.08,
                no_show_share=0.04,
            )
            for code, (rate, minutes) in lines.items()
        ),
        counters=tuple(counters),
        rule=FairnessRule(ageing_after=timedelta(minutes=30)),
        target_wait_s=900.0,
    )


def office_week(heads_only: bool, load: float) -> tuple[float, int, list[object]]:
    scenario = big_office(load)
    rng = random.Random(2026)
    days = [draw_day(scenario, weekday=w, day_index=i, rng=rng) for i, w in enumerate(week_days(scenario, 6))]
    next_id = 1
    tickets = []
    for day in days:
        for ticket in day.tickets:
            tickets.append(
                SimTicket(
                    next_id, ticket.queue, ticket.issued_at, ticket.service_s, ticket.priority, ticket.no_show
                )
            )
            next_id += 1
    shifts: dict[int, list[tuple[float, float]]] = {}
    for day in days:
        for desk in day.counters:
            shifts.setdefault(desk.number, []).extend(desk.shifts)
    weights = {c.number: dict(c.weights) for c in scenario.counters}
    simulation = OfficeSimulation(
        tickets=tickets,
        counters=[SimCounter(n, weights[n], spans) for n, spans in shifts.items()],
        rule=scenario.rule,
        day_ends=[d.day_end_s for d in days],
        walk_s=40,
        no_show_wait_s=120,
        record_calls=True,
        heads_only=heads_only,
    )
    started = time.perf_counter()
    result = simulation.run()
    return time.perf_counter() - started, len(tickets), list(result.calls)


def cli_mmc(tickets: int) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "simulate", "--mmc", "1000", "6", "110", "--hours", str(tickets / 1000),
         "--seed", "1", "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return time.perf_counter() - started, json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=1_000_000)
    args = parser.parse_args()

    print("1. A 20-desk office week (6 days) through the calling rule")
    print(f"   {'load':<6} {'path':<36} {'tickets':>8} {'seconds':>8} {'tickets/s':>10}  same calls")
    same = True
    for load in (1.0, 1.3):
        shipped_s, count, shipped_calls = office_week(heads_only=True, load=load)
        every_s, _, every_calls = office_week(heads_only=False, load=load)
        same = same and shipped_calls == every_calls
        for name, seconds in (
            ("heads of each line (shipped)", shipped_s),
            ("every waiting ticket (baseline)", every_s),
        ):
            print(
                f"   {load:<6} {name:<36} {count:>8} {seconds:>8.3f} {count / seconds:>10.0f}  {shipped_calls == every_calls}"
            )

    print(f"\n2. M/M/c, 1000 arrivals/h, 6 min, 110 desks (rho 0.91): {args.tickets:,} tickets")
    hours = args.tickets / 1000
    fast = simulate_mmc(arrivals_per_hour=1000, mean_service_s=360, counters=110, hours=hours, seed=1)
    rule_hours = hours / 10
    started = time.perf_counter()
    by_rule = simulate_mmc_by_rule(
        arrivals_per_hour=1000, mean_service_s=360, counters=110, hours=rule_hours, seed=1
    )
    rule_s = time.perf_counter() - started
    check = simulate_mmc(
        arrivals_per_hour=1000, mean_service_s=360, counters=110, hours=rule_hours, seed=1, record_calls=True
    )
    cli_s, cli = cli_mmc(args.tickets)
    print(f"   {'path':<40} {'tickets':>9} {'seconds':>8} {'tickets/s':>10}")
    print(
        f"   {'fast path (heap of free times)':<40} {len(fast.waits):>9} {fast.runtime_s:>8.2f} {len(fast.waits) / fast.runtime_s:>10.0f}"
    )
    print(
        f"   {'calling rule at every call (baseline)':<40} {len(by_rule.calls):>9} {rule_s:>8.2f} {len(by_rule.calls) / rule_s:>10.0f}"
    )
    print(f"   {'motcua simulate --mmc --json (process)':<40} {cli['tickets']:>9} {cli_s:>8.2f} {'':>10}")
    print(f"   same calls on the baseline's tickets: {check.calls == by_rule.calls}")

    print("\n3. Million-ticket runs against Erlang C (mean wait)")
    print(
        f"   {'case':<26} {'rho':>5} {'Erlang C s':>11} {'one run s':>10} {'error':>7} {'pair s':>9} {'error':>7}"
    )
    for arrivals, minutes, desks in (
        (6, 5, 1),
        (21, 6, 3),
        (12, 8, 2),
        (27, 10, 5),
        (54, 10, 10),
        (108, 10, 20),
    ):
        case_hours = args.tickets / arrivals
        formula = erlang_c_mean_wait_s(arrivals, minutes * 60, desks)
        one = simulate_mmc(
            arrivals_per_hour=arrivals, mean_service_s=minutes * 60, counters=desks, hours=case_hours, seed=3
        )
        mirror = simulate_mmc(
            arrivals_per_hour=arrivals,
            mean_service_s=minutes * 60,
            counters=desks,
            hours=case_hours,
            seed=3,
            antithetic=True,
        )
        single = one.summary()["mean_wait_s"]
        pair = (single + mirror.summary()["mean_wait_s"]) / 2
        rho = arrivals * minutes / 60 / desks
        print(
            f"   {f'{arrivals}/h, {minutes} min, {desks} desks':<26} {rho:>5.2f} {formula:>11.1f} {single:>10.1f} "
            f"{100 * (single / formula - 1):>+6.1f}% {pair:>9.1f} {100 * (pair / formula - 1):>+6.1f}%"
        )
    ok = fast.runtime_s <= TARGET_S
    print(
        f"\nmillion-ticket run: {fast.runtime_s:.2f} s (target <= {TARGET_S:.0f} s): {'OK' if ok else 'MISSED'}"
    )
    return 0 if ok and same else 1


if __name__ == "__main__":
    raise SystemExit(main())
