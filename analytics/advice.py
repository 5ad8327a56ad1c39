"""Staffing advice from the live office: play the next hour with the desks open now, and with one more.

"Hàng Cư trú sẽ vượt 15 phút nếu không mở thêm quầy thứ 4": the people who take a number in that line
during the next hour would wait longer than the target on average with the desks open now, and one
more desk (the one that helps most) would bring them under it. The same simulator and calling rule as
`motcua simulate`; the same drawn citizens for every plan, so plans differ only by their desks.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from analytics.scenario import ServiceModel
from analytics.simulation import OfficeSimulation, SimCounter, SimTicket
from queue_server.domain.calling import FairnessRule

HOUR = 3600.0
DRAIN_S = 6 * HOUR  # desks keep calling after the hour so everyone counted is called


@dataclass(frozen=True)
class DeskNow:
    number: int
    weights: Mapping[str, float]
    status: str  # open, paused, closed
    busy_remaining_s: float = 0.0  # an open desk finishing a visit


@dataclass(frozen=True)
class WaitingNow:
    queue: str
    waited_s: float
    priority: bool = False


@dataclass(frozen=True)
class LineNow:
    code: str
    name_vi: str
    arrivals_per_hour: float
    service: ServiceModel
    no_show_share: float = 0.0


@dataclass
class Advice:
    message_vi: str
    message_en: str
    projected_wait_s: dict[str, float | None]
    suggested_counter: int | None = None
    with_suggestion_s: dict[str, float | None] = field(default_factory=dict)
    over_target: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "projected_wait_s": self.projected_wait_s,
            "suggested_counter": self.suggested_counter,
            "with_suggestion_s": self.with_suggestion_s,
            "over_target": self.over_target,
        }


def advise(
    *,
    lines: Sequence[LineNow],
    desks: Sequence[DeskNow],
    waiting: Sequence[WaitingNow],
    rule: FairnessRule,
    target_s: float,
    walk_s: float = 40.0,
    no_show_wait_s: float = 120.0,
    replications: int = 12,
    seed: int = 1,
) -> Advice:
    rng = random.Random(seed)
    drawn = [_draw(lines, waiting, rng) for _ in range(replications)]
    open_now = [d for d in desks if d.status == "open"]

    def projected(staffed: Sequence[DeskNow]) -> dict[str, float | None]:
        return _play(drawn, staffed, lines, rule, walk_s, no_show_wait_s)

    now = projected(open_now)
    over = [line for line in lines if (now[line.code] or 0.0) > target_s]
    target_min = f"{target_s / 60:g}"
    if not over:
        if not open_now:
            text_vi = "Chưa có quầy nào mở và không có ai dự kiến phải chờ lâu."
            text_en = "No desk is open and nobody is expected to wait long."
        else:
            text_vi = f"Với {len(open_now)} quầy đang mở, các hàng dự kiến chờ dưới {target_min} phút trong giờ tới."
            text_en = (
                f"With {len(open_now)} desks open, every line should wait under {target_min} min next hour."
            )
        return Advice(text_vi, text_en, now)
    worst = max(over, key=lambda line: now[line.code] or 0.0)
    spare = [d for d in desks if d.status != "open" and worst.code in d.weights]
    trials = {d.number: projected([*open_now, _opened(d)]) for d in spare}
    best = min(trials, key=lambda n: (_worst_wait(trials[n], lines), n), default=None)
    codes = [line.code for line in over]
    if best is not None and (trials[best][worst.code] or 0.0) <= target_s:
        desk = next(d for d in spare if d.number == best)
        verb_vi = "mở lại" if desk.status == "paused" else "mở thêm"
        text_vi = (
            f"Hàng {worst.name_vi} sẽ vượt {target_min} phút nếu không {verb_vi} quầy thứ {len(open_now) + 1} "
            f"(quầy số {best})."
        )
        text_en = (
            f"Line {worst.code} will exceed {target_min} min unless a desk number {len(open_now) + 1} "
            f"opens (desk {best})."
        )
        return Advice(text_vi, text_en, now, best, trials[best], codes)
    expected = f"{(now[worst.code] or 0.0) / 60:.0f}"
    if not spare:
        text_vi = (
            f"Hàng {worst.name_vi}: chờ trung bình dự kiến {expected} phút trong giờ tới (mục tiêu {target_min} phút) "
            "và mọi quầy phục vụ hàng này đều đang mở: cần thêm người hoặc chuyển bớt sang hàng khác."
        )
        text_en = f"Line {worst.code}: about {expected} min expected and every desk serving it is open."
    else:
        text_vi = (
            f"Hàng {worst.name_vi}: chờ trung bình dự kiến {expected} phút trong giờ tới, vẫn vượt {target_min} phút "
            "kể cả khi mở thêm một quầy: cần mở thêm nhiều quầy."
        )
        text_en = (
            f"Line {worst.code}: about {expected} min expected, over the target even with one more desk."
        )
    return Advice(text_vi, text_en, now, best, trials.get(best, {}) if best is not None else {}, codes)


def _opened(desk: DeskNow) -> DeskNow:
    return DeskNow(desk.number, desk.weights, "open", 0.0)


def _worst_wait(waits: Mapping[str, float | None], lines: Sequence[LineNow]) -> float:
    return max((waits[line.code] or 0.0) for line in lines)


def _draw(lines: Sequence[LineNow], waiting: Sequence[WaitingNow], rng: random.Random) -> list[SimTicket]:
    """Those waiting now (issued in the past) and the next hour's arrivals, with their visits."""
    tickets = []
    by_code = {line.code: line for line in lines}
    for person in waiting:
        line = by_code.get(person.queue)
        if line is None:
            continue
        tickets.append(_ticket(line, -person.waited_s, rng, "priority" if person.priority else None))
    for line in lines:
        if line.arrivals_per_hour <= 0:
            continue
        at = rng.expovariate(line.arrivals_per_hour / HOUR)
        while at < HOUR:
            tickets.append(_ticket(line, at, rng, None))
            at += rng.expovariate(line.arrivals_per_hour / HOUR)
    tickets.sort(key=lambda t: t.issued_at)
    for index, ticket in enumerate(tickets, start=1):
        ticket.id = index
    return tickets


def _ticket(line: LineNow, at: float, rng: random.Random, priority: str | None) -> SimTicket:
    return SimTicket(
        id=0,
        queue=line.code,
        issued_at=at,
        service_s=line.service.draw(rng),
        priority=priority,
        no_show=rng.random() < line.no_show_share,
    )


def _play(
    drawn: Sequence[Sequence[SimTicket]],
    staffed: Sequence[DeskNow],
    lines: Sequence[LineNow],
    rule: FairnessRule,
    walk_s: float,
    no_show_wait_s: float,
) -> dict[str, float | None]:
    """Mean wait from now on (for those already waiting: what is left) per line, over all replications."""
    desks = [SimCounter(d.number, dict(d.weights), [(d.busy_remaining_s, HOUR + DRAIN_S)]) for d in staffed]
    totals: dict[str, list[float]] = {line.code: [] for line in lines}
    for tickets in drawn:
        copies = [SimTicket(t.id, t.queue, t.issued_at, t.service_s, t.priority, t.no_show) for t in tickets]
        result = OfficeSimulation(
            tickets=copies,
            counters=desks,
            rule=rule,
            day_ends=[HOUR + DRAIN_S],
            walk_s=walk_s,
            no_show_wait_s=no_show_wait_s,
        ).run()
        for ticket in result.tickets:
            called = ticket.called_at if ticket.called_at is not None else HOUR + DRAIN_S
            totals[ticket.queue].append(called - max(ticket.issued_at, 0.0))
    return {code: (sum(v) / len(v) if v else None) for code, v in totals.items()}
