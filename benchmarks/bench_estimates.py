"""Wait estimate error against simulated truth: the server's estimate next to the earlier ones, same tickets.

Every ticket of simulated weeks of the demo office gets, at the moment it is issued and from exactly what
the server would know then, three estimates:
  * live   — what the server prints now: the calling rule played forward over everyone waiting
             (queue_server/domain/estimates.py projected_wait_s);
  * flow   — the weighted share of busy desks as a flow (expected_wait_s);
  * naive  — the first version: people ahead x mean service / summed weight shares (baseline).
Each is compared with the wait that followed in the simulation (mean absolute error, minutes), over all
tickets and then for normal and priority tickets apart; for priority tickets "as normal" is what the server
told them before its estimate played their own priority (the wait of a normal ticket of their line).

    .venv/bin/python benchmarks/bench_estimates.py [--days 24]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from analytics.planning import play, summarise, week_days
from analytics.scenario import load_scenario
from queue_server.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--days", type=int, default=24, help="working days per load level")
    parser.add_argument(
        "--loads", type=float, nargs="+", default=[0.8, 1.0, 1.2, 1.4, 1.6, 1.8], help="arrival factors"
    )
    args = parser.parse_args()
    config = load_config(ROOT / "config" / "demo")
    scenario = load_scenario(ROOT / "config" / "demo" / "simulation.toml", config)
    print(f"Demo office ({len(scenario.counters)} desks, lines A/B/C), {args.days} working days per row")
    print(
        f"{'load':>5} {'tickets':>8} {'mean wait':>10} {'live MAE':>9} {'flow MAE':>9} {'naive MAE':>10} "
        f"{'live bias':>10} {'live/naive':>10} {'seconds':>8}"
    )
    by_class: list[tuple[float, dict[str, Any]]] = []
    for factor in args.loads:
        started = time.perf_counter()
        played = play(
            scenario.with_rates_scaled(factor), weekdays=week_days(scenario, args.days), seed=7, estimate=True
        )
        summary = summarise(played)
        e = summary["estimates"]
        print(
            f"{factor:>5.1f} {e['tickets']:>8} {summary['total']['mean_wait_s'] / 60:>8.1f} m {e['live_mae_min']:>7.2f} m "
            f"{e['flow_mae_min']:>7.2f} m {e['naive_mae_min']:>8.2f} m {e['live_bias_min']:>+8.2f} m "
            f"{e['live_mae_min'] / e['naive_mae_min']:>10.2f} {time.perf_counter() - started:>8.1f}"
        )
        by_class.append((factor, e["by_class"]))
    print("(load: arrivals x factor; MAE: mean absolute error of the estimate printed at issue, minutes)")
    print()
    print("By class, same runs (MAE in minutes; 'as normal': the wait of a normal ticket of the same line):")
    print(
        f"{'load':>5} {'class':>9} {'tickets':>8} {'live MAE':>9} {'as normal':>10} {'naive MAE':>10} {'live bias':>10}"
    )
    for factor, classes in by_class:
        for name in ("normal", "priority"):
            c = classes[name]
            if not c.get("tickets"):
                continue
            print(
                f"{factor:>5.1f} {name:>9} {c['tickets']:>8} {c['live_mae_min']:>7.2f} m "
                f"{c['as_normal_mae_min']:>8.2f} m {c['naive_mae_min']:>8.2f} m {c['live_bias_min']:>+8.2f} m"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
