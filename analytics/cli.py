"""`motcua simulate` (staffing and the textbook queue) and `motcua report` (CSV, XLSX, PDF)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    simulate = subparsers.add_parser(
        "simulate",
        help="play a day or a week of the office (or the M/M/c textbook queue) and advise desks per hour",
        description=(
            "Plays arrivals by hour and queue through the server's own calling rule and reports waits, "
            "utilisation, no-shows and the fewest desks per hour that keep the average wait on target. "
            "With --mmc: Poisson arrivals, exponential service, one line, desks always open, checked "
            "against Erlang C."
        ),
    )
    simulate.add_argument(
        "--mmc",
        nargs=3,
        metavar=("ARRIVALS_PER_HOUR", "MEAN_SERVICE_MINUTES", "COUNTERS"),
        help="the textbook M/M/c queue instead of the office scenario",
    )
    simulate.add_argument(
        "--hours", type=float, default=1000.0, help="--mmc: hours of arrivals (default 1000)"
    )
    simulate.add_argument(
        "--seed", type=int, default=None, help="random seed (default: the scenario's, or 1)"
    )
    simulate.add_argument("--json", action="store_true", help="print one JSON object")
    simulate.add_argument("--target-minutes", type=float, default=None, help="wait target (default: config)")
    simulate.add_argument(
        "--config", default=None, help="config folder (default: MOTCUA_CONFIG_DIR or config/demo)"
    )
    simulate.add_argument(
        "--scenario", default=None, help="simulation file (default: <config>/simulation.toml)"
    )
    simulate.add_argument("--office", default=None, help="office code (default: the scenario's)")
    simulate.add_argument(
        "--days", type=int, default=1, help="working days to play, from Monday (6 = a week)"
    )
    simulate.add_argument(
        "--weekday", choices=WEEKDAY_CODES, default="mon", help="the day whose desks per hour are advised"
    )
    simulate.add_argument("--replications", type=int, default=None, help="days played per staffing plan")
    simulate.add_argument("--no-staffing", action="store_true", help="skip the fewest-desks search")
    simulate.add_argument(
        "--from-history",
        action="store_true",
        help="arrivals, visit times and no-shows from the database (with --since/--until)",
    )
    simulate.add_argument("--since", type=_day, default=None, help="--from-history: first day (YYYY-MM-DD)")
    simulate.add_argument("--until", type=_day, default=None, help="--from-history: last day (YYYY-MM-DD)")
    simulate.add_argument("--database-url", default=None, help="default: MOTCUA_DATABASE_URL")
    simulate.set_defaults(handler=_simulate)

    report = subparsers.add_parser(
        "report",
        help="waits, handling and productivity over a period as CSV, XLSX or PDF (with charts)",
    )
    report.add_argument(
        "--from", dest="first", type=_day, required=True, help="first business day, YYYY-MM-DD"
    )
    report.add_argument("--to", dest="last", type=_day, required=True, help="last business day, YYYY-MM-DD")
    report.add_argument("--format", choices=("csv", "xlsx", "pdf"), default="csv")
    report.add_argument(
        "--by", default="queue", help="office, queue, counter, officer, day, hour, field or procedure"
    )
    report.add_argument("--office", default=None, help="office code (default: the first one)")
    report.add_argument(
        "--offices",
        action="store_true",
        help="one row per office of --office's subtree and the totals, with the national service index "
        "indicators (--by is ignored)",
    )
    report.add_argument("--out", default=None, help="file to write (default: standard output for CSV)")
    report.add_argument(
        "--config", default=None, help="config folder (default: MOTCUA_CONFIG_DIR or config/demo)"
    )
    report.add_argument("--database-url", default=None, help="default: MOTCUA_DATABASE_URL")
    report.set_defaults(handler=_report)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day as YYYY-MM-DD, got {text!r}") from None


def _fail(message: str) -> int:
    print(f"motcua: {message}", file=sys.stderr)
    return 2


# ---- simulate --------------------------------------------------------------------------------------


def _simulate(args: argparse.Namespace) -> int:
    if args.mmc:
        return _simulate_mmc(args)
    from sqlalchemy.exc import SQLAlchemyError

    from analytics.scenario import ScenarioError

    try:
        return _simulate_office(args)
    except ScenarioError as error:
        print("motcua: the simulation file has problems:", *error.problems, sep="\n  - ", file=sys.stderr)
        return 2
    except ValueError as error:
        return _fail(str(error))
    except SQLAlchemyError as error:
        return _fail(
            f"cannot read the tickets ({type(error).__name__}): is this a motcua database? (motcua migrate)"
        )


def _simulate_mmc(args: argparse.Namespace) -> int:
    from analytics.simulation import simulate_mmc

    try:
        arrivals, service_minutes = float(args.mmc[0]), float(args.mmc[1])
        counters = int(args.mmc[2])
    except ValueError:
        return _fail(
            f"--mmc needs ARRIVALS_PER_HOUR MEAN_SERVICE_MINUTES COUNTERS as numbers, got {args.mmc}"
        )
    target_s = 60.0 * (args.target_minutes if args.target_minutes is not None else 15.0)
    try:
        result = simulate_mmc(
            arrivals_per_hour=arrivals,
            mean_service_s=service_minutes * 60.0,
            counters=counters,
            hours=args.hours,
            seed=1 if args.seed is None else args.seed,
            target_s=target_s,
        )
    except ValueError as error:
        return _fail(str(error))
    summary = result.summary()
    if args.json:
        print(json.dumps(summary))
        return 0
    print(_mmc_text(summary))
    return 0


def _mmc_text(s: dict[str, Any]) -> str:
    def minutes(value: float | None) -> str:
        return "∞" if value is None else f"{value / 60:.2f} phút"

    lines = [
        f"M/M/{s['counters']}: {s['arrivals_per_hour']:g} người/giờ, phục vụ TB {s['mean_service_minutes']:g} phút, "
        f"ρ = {s['rho']:.3f}, {s['hours']:g} giờ, seed {s['seed']}",
        f"  số vé / tickets              {s['tickets']}",
        f"  chờ TB / mean wait           {minutes(s['mean_wait_s'])}   (Erlang C: {minutes(s['erlang_c_mean_wait_s'])})",
        f"  chờ p90 / p90 wait           {minutes(s['p90_wait_s'])}",
        f"  phải chờ / share that waited {s['share_waited']:.4f}   (Erlang C: {s['erlang_c_wait_probability']:.4f})",
        f"  trong {s['target_s'] / 60:g} phút / within target {s['share_within_target']:.4f}",
        f"  công suất quầy / utilisation {s['utilisation']:.4f}",
        f"  thời gian chạy / runtime     {s['runtime_s']} s",
    ]
    if not s["stable"]:
        lines.append("  CẢNH BÁO: số quầy không đủ (ρ ≥ 1), hàng chờ dài mãi / the line grows without end")
    return "\n".join(lines)


def _simulate_office(args: argparse.Namespace) -> int:
    from analytics.planning import fewest_counters, play, summarise, week_days
    from analytics.scenario import load_scenario
    from queue_server.config import ConfigError, load_config

    if args.days < 1 or args.days > 366:
        return _fail(f"--days must be between 1 and 366, got {args.days}")
    config_dir = Path(_settings(args).config_dir)
    try:
        config = load_config(config_dir)
    except ConfigError as error:
        print("motcua: the configuration has problems:", *error.problems, sep="\n  - ", file=sys.stderr)
        return 2
    scenario = load_scenario(Path(args.scenario or config_dir / "simulation.toml"), config, args.office)
    if args.target_minutes is not None:
        from dataclasses import replace

        scenario = replace(scenario, target_wait_s=args.target_minutes * 60)
    if args.from_history:
        scenario = _from_history(args, scenario, config)
    seed = scenario.seed if args.seed is None else args.seed
    played = play(scenario, weekdays=week_days(scenario, args.days), seed=seed, estimate=True)
    summary = summarise(played)
    summary["seed"] = seed
    if not args.no_staffing:
        weekday = WEEKDAY_CODES.index(args.weekday)
        if not scenario.hours.get(weekday):
            return _fail(f"the office does not work on {args.weekday}: no desks to plan")
        replications = args.replications or scenario.replications
        plan = fewest_counters(scenario, weekday=weekday, replications=replications, seed=seed)
        summary["staffing"] = plan.as_dict()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(_office_text(summary))
    return 0


def _from_history(args: argparse.Namespace, scenario: Any, config: Any) -> Any:
    from analytics.scenario import business_days, profile_from_history
    from analytics.store import history_visits

    if args.since is None or args.until is None or args.until < args.since:
        raise ValueError("--from-history needs --since and --until (YYYY-MM-DD, until not before since)")
    from queue_server.bootstrap import build_context

    office = config.office(scenario.office)
    db = build_context(_settings(args), migrate=False).db
    visits = history_visits(db, office=office.code, first=args.since, last=args.until)
    days = [d for d in business_days(args.since, args.until) if scenario.hours.get(d.weekday())]
    return profile_from_history(scenario, visits, office.zone, days=days)


def _settings(args: argparse.Namespace) -> Any:
    """The server's settings (environment, through the cached getter) with this command's options."""
    from queue_server.bootstrap import settings_with

    return settings_with(config_dir=args.config, database_url=getattr(args, "database_url", None))


def _services(ctx: Any) -> Any:
    """The server's services over the database, without starting a server (for ratings, dossiers)."""
    from queue_server.config import ConfigError
    from queue_server.services import build_services

    try:
        return build_services(ctx)
    except ConfigError as error:  # the case catalogue is wrong: the report goes on without cases
        print(
            "motcua: satisfaction, reuse and procedures left out:",
            *error.problems,
            sep="\n  - ",
            file=sys.stderr,
        )
        return None


def _office_text(s: dict[str, Any]) -> str:
    def minutes(value: float | None) -> str:
        return "—" if value is None else f"{value / 60:5.1f}"

    def share(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:5.1f} %"

    target = s["target_s"] / 60
    lines = [
        f"Mô phỏng {s['office']} — {s['days']} ngày ({', '.join(s['weekdays'])}), nguồn: {s['source']}, seed {s['seed']}",
        "",
        f"{'Hàng':<28} {'vé':>5} {'xong':>5} {'vắng':>5} {'hết hạn':>7} {'chờ TB':>7} {'p90':>6} "
        f"{'≤ ' + format(target, 'g') + ' ph':>9} {'phục vụ':>8}",
    ]
    rows = [(f"{code} {q['name_vi']}", q) for code, q in s["queues"].items()] + [("Tổng", s["total"])]
    for label, q in rows:
        lines.append(
            f"{label[:28]:<28} {q['tickets']:>5} {q['served']:>5} {q['no_show']:>5} {q['expired']:>7} "
            f"{minutes(q['mean_wait_s']):>7} {minutes(q['p90_wait_s']):>6} {share(q['share_within_target']):>9} "
            f"{minutes(q['mean_service_s']):>8}"
        )
    lines += ["", "Giờ   vé/ngày  chờ TB (phút)"]
    for hour, row in s["by_hour"].items():
        lines.append(f"{hour}h   {row['tickets_per_day']:>7}  {minutes(row['mean_wait_s'])}")
    lines += ["", "Công suất quầy: " + ", ".join(f"quầy {n} {share(u)}" for n, u in s["utilisation"].items())]
    estimates = s["estimates"]
    if estimates.get("tickets"):
        lines.append(
            f"Sai số dự báo thời gian chờ (TB tuyệt đối): {estimates['live_mae_min']} phút "
            f"(cách cũ: {estimates['naive_mae_min']} phút), trên {estimates['tickets']} vé"
        )
    staffing = s.get("staffing")
    if staffing:
        lines += ["", f"Số quầy ít nhất mỗi giờ để chờ TB ≤ {target:g} phút ({staffing['weekday']}):"]
        for hour in staffing["hours"]:
            note = "" if hour["reachable"] else "  (mở hết quầy vẫn chưa đạt)"
            lines.append(
                f"  {hour['hour']}h: {hour['counters']} quầy — chờ TB {minutes(hour['mean_wait_s'])} phút{note}"
            )
    return "\n".join(lines)


# ---- report ----------------------------------------------------------------------------------------


def _pace_of(services: Any) -> Any:
    """The server's cases received per officer, when it handles cases."""
    return getattr(getattr(getattr(services, "cases", None), "follow_up", None), "pace", None)


def _report(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from analytics.report_files import render
    from analytics.reports import DIMENSIONS, ReportError, build_report
    from analytics.settings import check_targets, load_analytics_settings
    from analytics.sources import case_sources
    from analytics.store import load_visits
    from queue_server.bootstrap import build_context
    from queue_server.config import ConfigError

    if args.last < args.first:
        return _fail(f"--to ({args.last}) is before --from ({args.first})")
    if args.by not in DIMENSIONS:
        return _fail(f"--by must be one of {', '.join(DIMENSIONS)}, got {args.by!r}")
    if args.format != "csv" and not args.out:
        return _fail(f"--format {args.format} writes a binary file: give --out FILE")
    settings = _settings(args)
    try:
        ctx = build_context(settings, migrate=False)  # a report never changes the database
        config = ctx.config
        office = config.office(args.office)
        analytics = load_analytics_settings(Path(settings.config_dir))
        targets = analytics.targets(config, office.code)
    except ConfigError as error:
        print("motcua: the configuration has problems:", *error.problems, sep="\n  - ", file=sys.stderr)
        return 2
    except KeyError:
        return _fail(f"unknown office {args.office!r}")
    services = _services(ctx)
    catalogue = getattr(getattr(services, "cases", None), "catalogue", None)
    try:
        check_targets(analytics, config, catalogue.settings.target_for if catalogue is not None else None)
    except ConfigError as error:
        print("motcua: the configuration has problems:", *error.problems, sep="\n  - ", file=sys.stderr)
        return 2
    if args.offices:
        return _offices_report(args, ctx, office.code, targets, catalogue)
    try:
        visits = load_visits(ctx.db, office=office, first=args.first, last=args.last, catalogue=catalogue)
        report = build_report(
            visits,
            config=config,
            office=office,
            first=args.first,
            last=args.last,
            by=args.by,
            generated_at=datetime.now().astimezone(),
            targets=targets,
            sources=case_sources(services, targets) if services is not None else {},
            pace=_pace_of(services),
        )
        data = render(report, args.format)
    except SQLAlchemyError as error:
        return _fail(
            f"cannot read the tickets ({type(error).__name__}): is this a motcua database? (motcua migrate)"
        )
    except ReportError as error:
        return _fail(str(error))
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {args.out} ({len(data)} bytes, {len(report.rows)} rows)")
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0


def _offices_report(args: argparse.Namespace, ctx: Any, root: str, targets: Any, catalogue: Any) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from analytics.province_report import build_province_report, render_province, required_papers

    config = ctx.config
    try:
        report = build_province_report(
            ctx.db,
            config=config,
            root=root,
            offices=sorted(config.subtree(root), key=lambda c: (c != root, c)),
            first=args.first,
            last=args.last,
            targets=targets,
            required_papers=required_papers(catalogue),
            generated_at=datetime.now().astimezone(config.offices[root].zone),
        )
        data = render_province(report, args.format)
    except SQLAlchemyError as error:
        return _fail(f"cannot read the database ({type(error).__name__}): is this a motcua database?")
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"wrote {args.out} ({len(data)} bytes, {len(report.rows)} offices and the totals)")
    else:
        sys.stdout.write(data.decode("utf-8"))
    return 0
