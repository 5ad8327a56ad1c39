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

from analytics.figures import whole_minutes
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
    now_waits: Mapping[str, float | None] | None = None,
    time_left_s: float = HOUR,
    walk_s: float = 40.0,
    no_show_wait_s: float = 120.0,
    replications: int = 12,
    seed: int = 1,
) -> Advice:
    """`now_waits`: each line's wait for a ticket taken now, as the cards show it (analytics/figures.py);
    the advice quotes those, never a figure of its own for the present. `time_left_s`: opening time left
    today; with none left nothing is recommended. A line no open desk serves gets no projection (None):
    the advice says so instead of a number."""
    current = dict(now_waits or {})
    target_min = f"{target_s / 60:g}"
    if time_left_s <= 0:
        text_vi = "Đã hết giờ làm việc hôm nay: không gợi ý mở thêm quầy."
        return Advice(text_vi, "Opening hours are over for today: no desk to suggest.", {})
    rng = random.Random(seed)
    horizon = min(HOUR, time_left_s)  # no arrivals after closing
    drawn = [_draw(lines, waiting, rng, horizon) for _ in range(replications)]
    open_now = [d for d in desks if d.status == "open"]
    waiting_in = {line.code: sum(1 for w in waiting if w.queue == line.code) for line in lines}

    def projected(staffed: Sequence[DeskNow]) -> dict[str, float | None]:
        return _play(drawn, staffed, lines, rule, walk_s, no_show_wait_s)

    now = projected(open_now)
    deskless = {line.code for line in lines if not any(line.code in d.weights for d in open_now)}
    red = {
        code
        for code, wait in current.items()
        if wait is not None and wait > target_s and waiting_in.get(code)
    }
    over = [
        line
        for line in lines
        if line.code in red
        or (now[line.code] or 0.0) > target_s
        or (line.code in deskless and (waiting_in[line.code] or line.arrivals_per_hour > 0))
    ]
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

    def urgency(line: LineNow) -> tuple[bool, bool, float]:
        wait = current.get(line.code)
        return (
            line.code in red,
            line.code in deskless and waiting_in[line.code] > 0,
            wait or now[line.code] or 0.0,
        )

    worst = max(over, key=urgency)
    spare = [d for d in desks if d.status != "open" and worst.code in d.weights]
    trials = {d.number: projected([*open_now, _opened(d)]) for d in spare}
    best = min(trials, key=lambda n: (_worst_wait(trials[n], lines), n), default=None)
    codes = [line.code for line in over]
    people = waiting_in[worst.code]
    if worst.code in deskless:
        if best is None:
            text_vi = f"Hàng {worst.name_vi}: không có quầy nào được cấu hình phục vụ hàng này."
            return Advice(text_vi, f"Line {worst.code}: no desk is set up to serve it.", now, None, {}, codes)
        desk = next(d for d in spare if d.number == best)
        verb_vi = "mở lại" if desk.status == "paused" else "mở"
        text_vi = (
            f"Hàng {worst.name_vi} chưa có quầy nào đang mở phục vụ ({people} người đang chờ): "
            f"cần {verb_vi} quầy số {best}."
        )
        text_en = f"Line {worst.code} has no open desk ({people} waiting): open desk {best}."
        return Advice(text_vi, text_en, now, best, trials[best], codes)
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
    wait = current.get(worst.code)
    if wait is None:
        wait = now[worst.code]
    expected = whole_minutes(wait or 0.0)  # the card's and the alert's figure, half up
    if not spare:
        text_vi = (
            f"Hàng {worst.name_vi}: người lấy số bây giờ dự kiến chờ {expected} phút (mục tiêu {target_min} phút) "
            "và mọi quầy phục vụ hàng này đều đang mở: cần thêm người hoặc chuyển bớt sang hàng khác."
        )
        text_en = f"Line {worst.code}: about {expected} min for a ticket taken now and every desk serving it is open."
    else:
        text_vi = (
            f"Hàng {worst.name_vi}: người lấy số bây giờ dự kiến chờ {expected} phút, vẫn vượt {target_min} phút "
            "trong giờ tới kể cả khi mở thêm một quầy: cần mở thêm nhiều quầy."
        )
        text_en = f"Line {worst.code}: about {expected} min now, over the target even with one more desk."
    return Advice(text_vi, text_en, now, best, trials.get(best, {}) if best is not None else {}, codes)


def _opened(desk: DeskNow) -> DeskNow:
    return DeskNow(desk.number, desk.weights, "open", 0.0)


def _worst_wait(waits: Mapping[str, float | None], lines: Sequence[LineNow]) -> float:
    return max((waits[line.code] or 0.0) for line in lines)


def _draw(
    lines: Sequence[LineNow], waiting: Sequence[WaitingNow], rng: random.Random, horizon: float = HOUR
) -> list[SimTicket]:
    """Those waiting now (issued in the past) and the arrivals until `horizon` (the next hour, or closing)."""
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
        while at < horizon:
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
    """Mean wait from now on (for those already waiting: what is left) per line, over all replications;
    None for a line no staffed desk serves (it would only be "never called": no estimate)."""
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
    served = {code for d in staffed for code in d.weights}
    return {code: (sum(v) / len(v) if v and code in served else None) for code, v in totals.items()}
