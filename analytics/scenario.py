"""What a simulated office looks like: arrivals by hour and queue, visit times, desks and their hours.

A scenario comes from `simulation.toml` in the config folder, or from the office's own history
(`profile_from_history`). `draw_day` turns it into tickets and desk shifts for one day.
"""

from __future__ import annotations

import math
import random
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from analytics.simulation import SimCounter, SimTicket
from queue_server.config import WEEKDAYS, OfficeConfig, SystemConfig, describe_errors, parse_interval
from queue_server.domain.calling import FairnessRule

Distribution = Literal["lognormal", "gamma", "exponential", "fixed"]
Span = tuple[float, float]  # seconds from local midnight


class ScenarioError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ---- the model ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceModel:
    mean_s: float
    cv: float = 0.6
    distribution: Distribution = "lognormal"

    def draw(self, rng: random.Random) -> float:
        if self.distribution == "fixed" or self.cv == 0:
            return self.mean_s
        if self.distribution == "exponential":
            return rng.expovariate(1.0 / self.mean_s)
        if self.distribution == "gamma":
            shape = 1.0 / (self.cv * self.cv)
            return rng.gammavariate(shape, self.mean_s / shape)
        sigma2 = math.log(1.0 + self.cv * self.cv)
        return rng.lognormvariate(math.log(self.mean_s) - sigma2 / 2, math.sqrt(sigma2))


@dataclass(frozen=True)
class QueueProfile:
    code: str
    name_vi: str
    arrivals_per_hour: Mapping[int, float]  # local hour → tickets an hour on an ordinary day
    service: ServiceModel
    priority_share: float = 0.0
    no_show_share: float = 0.0


@dataclass(frozen=True)
class CounterProfile:
    number: int
    weights: Mapping[str, float]
    hours: tuple[Span, ...] | None = None  # None: the office's hours


@dataclass(frozen=True)
class Scenario:
    office: str
    office_name_vi: str
    hours: Mapping[int, tuple[Span, ...]]  # weekday (0 = Monday) → issuing spans
    day_factor: Mapping[int, float]
    queues: tuple[QueueProfile, ...]
    counters: tuple[CounterProfile, ...]
    rule: FairnessRule
    target_wait_s: float
    priority_group: str = "elderly"
    walk_s: float = 40.0
    no_show_wait_s: float = 120.0
    overtime_s: float = 1800.0
    seed: int = 1
    replications: int = 5
    opening_order: tuple[int, ...] = ()
    source: str = ""

    def queue(self, code: str) -> QueueProfile:
        return next(q for q in self.queues if q.code == code)

    def working_weekdays(self) -> list[int]:
        return [d for d in range(7) if self.hours.get(d)]

    def order(self) -> list[int]:
        """Desks in the order they open when fewer are needed."""
        numbers = [c.number for c in self.counters]
        first = [n for n in self.opening_order if n in numbers]
        return first + sorted(n for n in numbers if n not in first)

    def hours_of_day(self, weekday: int) -> list[int]:
        """Local hours in which the office issues numbers on that weekday."""
        result: set[int] = set()
        for start, end in self.hours.get(weekday, ()):
            result.update(range(int(start // 3600), math.ceil(end / 3600)))
        return sorted(result)

    def with_rates_scaled(self, factor: float) -> Scenario:
        queues = tuple(
            replace(q, arrivals_per_hour={h: r * factor for h, r in q.arrivals_per_hour.items()})
            for q in self.queues
        )
        return replace(self, queues=queues)


# ---- one day ---------------------------------------------------------------------------------------


@dataclass
class DrawnDay:
    weekday: int
    start_s: float  # this day's local midnight, in simulation seconds
    tickets: list[SimTicket]
    counters: list[SimCounter]
    day_end_s: float
    hour_of: dict[int, int] = field(default_factory=dict)  # ticket id → local hour of issue


def draw_tickets(
    scenario: Scenario, *, weekday: int, day_index: int, rng: random.Random, first_id: int
) -> list[SimTicket]:
    """Poisson arrivals per queue with hourly rates inside the issuing spans, and their visits."""
    start = day_index * 86400.0
    factor = scenario.day_factor.get(weekday, 1.0)
    tickets: list[SimTicket] = []
    for queue in scenario.queues:
        for span_start, span_end in scenario.hours.get(weekday, ()):
            at = span_start
            while at < span_end:
                hour_end = min((math.floor(at / 3600) + 1) * 3600.0, span_end)
                rate = queue.arrivals_per_hour.get(int(at // 3600), 0.0) * factor / 3600.0
                if rate <= 0:
                    at = hour_end
                    continue
                at += rng.expovariate(rate)
                if at >= hour_end:  # memoryless: restart the clock at the hour's border
                    at = hour_end
                    continue
                tickets.append(
                    SimTicket(
                        id=0,
                        queue=queue.code,
                        issued_at=start + at,
                        service_s=queue.service.draw(rng),
                        priority=scenario.priority_group if rng.random() < queue.priority_share else None,
                        no_show=rng.random() < queue.no_show_share,
                        day=day_index,
                    )
                )
    tickets.sort(key=lambda t: t.issued_at)
    for offset, ticket in enumerate(tickets):
        ticket.id = first_id + offset
    return tickets


def desk_shifts(
    scenario: Scenario, *, weekday: int, day_index: int, staffing: Mapping[int, int] | None = None
) -> tuple[list[SimCounter], float]:
    """Each desk's shifts that day, and when the day ends (waiting tickets expire).

    `staffing` maps a local hour to how many desks are open in it (in `scenario.order()`); without it
    every desk works its hours. Desks on duty at a closing (lunch or evening) keep calling for `overtime_s`.
    """
    start = day_index * 86400.0
    office_spans = list(scenario.hours.get(weekday, ()))
    if not office_spans:
        return [], start
    closing = max(end for _, end in office_spans)
    closings = {end for _, end in office_spans}
    rank = {number: index for index, number in enumerate(scenario.order())}
    desks = []
    for counter in scenario.counters:
        spans = list(counter.hours) if counter.hours is not None else office_spans
        spans = _intersect(spans, office_spans)
        if staffing is not None:
            spans = _intersect(spans, _staffed_hours(staffing, rank[counter.number]))
        # At lunch and at the day's end, desks on duty keep calling those still waiting for a while.
        spans = _merge((a, b + scenario.overtime_s if b in closings else b) for a, b in spans)
        if spans:
            desks.append(
                SimCounter(counter.number, dict(counter.weights), [(start + a, start + b) for a, b in spans])
            )
    return desks, start + closing + scenario.overtime_s


def draw_day(
    scenario: Scenario,
    *,
    weekday: int,
    day_index: int,
    rng: random.Random,
    first_id: int = 1,
    staffing: Mapping[int, int] | None = None,
) -> DrawnDay:
    tickets = draw_tickets(scenario, weekday=weekday, day_index=day_index, rng=rng, first_id=first_id)
    desks, day_end = desk_shifts(scenario, weekday=weekday, day_index=day_index, staffing=staffing)
    start = day_index * 86400.0
    return DrawnDay(
        weekday=weekday,
        start_s=start,
        tickets=tickets,
        counters=desks,
        day_end_s=day_end,
        hour_of={t.id: int((t.issued_at - start) // 3600) for t in tickets},
    )


def _staffed_hours(staffing: Mapping[int, int], rank: int) -> list[Span]:
    hours = sorted(h for h, count in staffing.items() if count > rank)
    return _merge([(h * 3600.0, (h + 1) * 3600.0) for h in hours])


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _intersect(first: Sequence[Span], second: Sequence[Span]) -> list[Span]:
    result = []
    for a1, b1 in first:
        for a2, b2 in second:
            a, b = max(a1, a2), min(b1, b2)
            if a < b:
                result.append((a, b))
    return _merge(result)


# ---- simulation.toml ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _QueueModel(_Strict):
    code: str
    arrivals_per_hour: dict[str, float]
    service_minutes: float = Field(gt=0, le=600)
    service_cv: float = Field(default=0.6, ge=0, le=5)
    service_distribution: Distribution = "lognormal"
    priority_share: float = Field(default=0.0, ge=0, le=1)
    no_show_share: float = Field(default=0.0, ge=0, le=1)

    @field_validator("arrivals_per_hour")
    @classmethod
    def _hours(cls, value: dict[str, float]) -> dict[str, float]:
        for hour, rate in value.items():
            if not hour.strip().isdigit() or not 0 <= int(hour) <= 23:
                raise ValueError(f"hour keys are local hours 0-23, got {hour!r}")
            if rate < 0:
                raise ValueError(f"arrivals per hour must not be negative (hour {hour}: {rate})")
        return value


class _CounterModel(_Strict):
    number: int = Field(ge=1, le=999)
    queues: dict[str, float] | None = None
    hours: list[str] | None = None


class _StaffingModel(_Strict):
    opening_order: list[int] = []


class _HoursModel(_Strict):
    mon: list[str] = []
    tue: list[str] = []
    wed: list[str] = []
    thu: list[str] = []
    fri: list[str] = []
    sat: list[str] = []
    sun: list[str] = []


class _DayFactorModel(_Strict):
    mon: float = Field(default=1.0, ge=0)
    tue: float = Field(default=1.0, ge=0)
    wed: float = Field(default=1.0, ge=0)
    thu: float = Field(default=1.0, ge=0)
    fri: float = Field(default=1.0, ge=0)
    sat: float = Field(default=1.0, ge=0)
    sun: float = Field(default=1.0, ge=0)


class _ScenarioModel(_Strict):
    office: str | None = None
    seed: int = 1
    replications: int = Field(default=5, ge=1, le=200)
    walk_seconds: float = Field(default=40, ge=0, le=3600)
    no_show_wait_seconds: float = Field(default=120, ge=0, le=3600)
    overtime_minutes: float = Field(default=30, ge=0, le=600)
    hours: _HoursModel | None = None
    day_factor: _DayFactorModel = _DayFactorModel()
    queue: list[_QueueModel] = []
    counter: list[_CounterModel] = []
    staffing: _StaffingModel = _StaffingModel()

    @model_validator(mode="after")
    def _unique(self) -> _ScenarioModel:
        codes = [q.code for q in self.queue]
        if len(codes) != len(set(codes)):
            raise ValueError("a queue is listed twice")
        return self


def _spans(texts: Sequence[str]) -> tuple[Span, ...]:
    spans = []
    for text in texts:
        interval = parse_interval(text)
        start = interval.start.hour * 3600 + interval.start.minute * 60
        spans.append((float(start), interval.end_minutes() * 60.0))
    return tuple(_merge(spans))


def load_scenario(path: Path, config: SystemConfig, office: str | None = None) -> Scenario:
    """Read a simulation file; every mistake is reported as `<file>: <key>: <what is wrong>`."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ScenarioError([f"{path}: file is missing"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([f"{path}: not valid TOML: {error}"]) from None
    try:
        model = _ScenarioModel.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(describe_errors(path, error)) from None
    try:
        return _build(path, model, config, office)
    except ValueError as error:
        raise ScenarioError([f"{path}: {error}"]) from None


def _build(path: Path, model: _ScenarioModel, config: SystemConfig, office_code: str | None) -> Scenario:
    code = office_code or model.office
    if code is not None and code not in config.offices:
        raise ValueError(f"office: unknown office {code!r} (known: {', '.join(config.offices)})")
    office = config.office(code)
    queues = []
    for index, queue in enumerate(model.queue):
        if queue.code not in office.queues:
            raise ValueError(f"queue[{index}].code: office {office.code} has no queue {queue.code!r}")
        queues.append(
            QueueProfile(
                code=queue.code,
                name_vi=office.queues[queue.code].name_vi,
                arrivals_per_hour={int(h): r for h, r in queue.arrivals_per_hour.items()},
                service=ServiceModel(
                    queue.service_minutes * 60, queue.service_cv, queue.service_distribution
                ),
                priority_share=queue.priority_share,
                no_show_share=queue.no_show_share,
            )
        )
    if not queues:
        raise ValueError("no [[queue]]: say how many people come to each queue")
    hours = (
        {i: _spans(getattr(model.hours, day)) for i, day in enumerate(WEEKDAYS)}
        if model.hours is not None
        else _office_hours(office)
    )
    return Scenario(
        office=office.code,
        office_name_vi=office.name_vi,
        hours=hours,
        day_factor={i: getattr(model.day_factor, day) for i, day in enumerate(WEEKDAYS)},
        queues=tuple(queues),
        counters=tuple(_counters(model, office)),
        rule=config.fairness,
        target_wait_s=config.targets.wait.total_seconds(),
        priority_group=next(iter(config.priority_groups), "priority"),
        walk_s=model.walk_seconds,
        no_show_wait_s=model.no_show_wait_seconds,
        overtime_s=model.overtime_minutes * 60,
        seed=model.seed,
        replications=model.replications,
        opening_order=tuple(model.staffing.opening_order),
        source=str(path),
    )


def _office_hours(office: OfficeConfig) -> dict[int, tuple[Span, ...]]:
    result = {}
    for weekday in range(7):
        spans = [
            (i.start.hour * 3600.0 + i.start.minute * 60, i.end_minutes() * 60.0)
            for i in office.hours.weekly.get(weekday, ())
        ]
        lunch = office.hours.lunch
        if lunch is not None:
            cut = (lunch.start.hour * 3600.0 + lunch.start.minute * 60, lunch.end_minutes() * 60.0)
            spans = [piece for span in spans for piece in _minus(span, cut)]
        result[weekday] = tuple(spans)
    return result


def _minus(span: Span, cut: Span) -> list[Span]:
    a, b = span
    c, d = cut
    pieces = [(a, min(b, c)), (max(a, d), b)]
    return [(x, y) for x, y in pieces if x < y]


def _counters(model: _ScenarioModel, office: OfficeConfig) -> list[CounterProfile]:
    listed = {c.number: c for c in model.counter}
    result = []
    for number in sorted(set(office.counters) | set(listed)):
        entry = listed.get(number)
        known = office.counters.get(number)
        weights = (entry.queues if entry and entry.queues else None) or (known.weights if known else None)
        if weights is None:
            raise ValueError(f"counter {number}: not in counters.toml, so `queues` is required")
        for code in weights:
            if code not in office.queues:
                raise ValueError(f"counter {number}: office {office.code} has no queue {code!r}")
        hours = _spans(entry.hours) if entry and entry.hours is not None else None
        result.append(CounterProfile(number, dict(weights), hours))
    return result


# ---- from the office's own history ---------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryVisit:
    """What the history profile needs of one ticket."""

    queue: str
    issued_at: datetime
    status: str
    priority: bool
    called_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


def profile_from_history(
    base: Scenario, visits: Sequence[HistoryVisit], zone: ZoneInfo, *, days: Sequence[date]
) -> Scenario:
    """The scenario with the office's measured arrivals (per weekday and hour), visit times, no-shows
    and priority shares. `days` are the business days the history covers (days without tickets count)."""
    if not visits:
        raise ValueError("no tickets in that period: nothing to learn arrivals from")
    per_weekday = Counter(day.weekday() for day in days)
    arrivals: dict[str, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    by_queue: dict[str, list[HistoryVisit]] = defaultdict(list)
    walks = []
    for visit in visits:
        local = visit.issued_at.astimezone(zone)
        arrivals[visit.queue][(local.weekday(), local.hour)] += 1
        by_queue[visit.queue].append(visit)
        if visit.called_at and visit.started_at:
            walks.append((visit.started_at - visit.called_at).total_seconds())
    weekday_totals = Counter({d: 0.0 for d in range(7)})
    queues = []
    for profile in base.queues:
        seen = by_queue.get(profile.code, [])
        counts = arrivals.get(profile.code, {})
        # An ordinary day's hourly rate: averaged over all weekdays, then shaped per weekday by day_factor.
        hourly: dict[int, float] = defaultdict(float)
        for (weekday, hour), count in counts.items():
            hourly[hour] += count / max(sum(per_weekday.values()), 1)
            weekday_totals[weekday] += count
        queues.append(
            QueueProfile(
                code=profile.code,
                name_vi=profile.name_vi,
                arrivals_per_hour=dict(hourly),
                service=_service_from(seen, profile.service),
                priority_share=(sum(v.priority for v in seen) / len(seen)) if seen else 0.0,
                no_show_share=_no_show_share(seen),
            )
        )
    mean_per_day = sum(weekday_totals.values()) / max(sum(per_weekday.values()), 1)
    factor = {
        d: (weekday_totals[d] / per_weekday[d]) / mean_per_day if per_weekday[d] and mean_per_day else 0.0
        for d in range(7)
    }
    walk = sorted(walks)[len(walks) // 2] if walks else base.walk_s
    first, last = min(days), max(days)
    return replace(
        base,
        queues=tuple(queues),
        day_factor=factor,
        walk_s=walk,
        source=f"history {first.isoformat()}..{last.isoformat()} ({len(visits)} tickets)",
    )


def _service_from(visits: Sequence[HistoryVisit], fallback: ServiceModel) -> ServiceModel:
    times = [
        (v.ended_at - v.started_at).total_seconds()
        for v in visits
        if v.status == "done" and v.started_at and v.ended_at and v.ended_at > v.started_at
    ]
    if len(times) < 5:
        return fallback
    mean_s = sum(times) / len(times)
    variance = sum((t - mean_s) ** 2 for t in times) / (len(times) - 1)
    return ServiceModel(mean_s, math.sqrt(variance) / mean_s, "lognormal")


def _no_show_share(visits: Sequence[HistoryVisit]) -> float:
    called = [v for v in visits if v.called_at is not None]
    return sum(1 for v in called if v.status == "no_show") / len(called) if called else 0.0


def business_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def describe(scenario: Scenario) -> dict[str, Any]:
    return {
        "office": scenario.office,
        "source": scenario.source,
        "queues": {
            q.code: {
                "name_vi": q.name_vi,
                "tickets_per_day": round(sum(q.arrivals_per_hour.values()), 1),
                "service_minutes": round(q.service.mean_s / 60, 2),
                "service_cv": round(q.service.cv, 2),
            }
            for q in scenario.queues
        },
        "counters": [c.number for c in scenario.counters],
    }
