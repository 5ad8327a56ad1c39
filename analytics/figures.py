"""One set of live figures for the office's dashboard (issue 13, item 6).

The cards, the alerts, the staffing advice and the desks' table all read the office through
`office_figures`: the waiting counts and each line's wait come from the server's one estimate
(`QueueService.live`, the same figures boards, kiosks and tickets show), read once in one transaction.
Nothing on the dashboard counts waiting people or computes a current wait another way, so two of its
figures cannot disagree. The advice's look at the next hour starts from the same state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from queue_server.domain.calendar import working_seconds_left
from queue_server.domain.counters import CounterStatus
from queue_server.queues.service import WaitingPerson
from queue_server.services import Services


def whole_minutes(seconds: float) -> int:
    """A wait in whole minutes, half up as every page writes it (the cards' toFixed, the board's and phone's
    Math.round, the ticket's `devices.printers.layout.wait_minutes`), never Python's half-to-even."""
    return int(seconds / 60 + 0.5)


@dataclass(frozen=True)
class LineFigures:
    code: str
    name_vi: str
    name_en: str
    waiting: int
    estimated_wait_s: int | None  # the wait of a normal ticket taken now (the server's estimate)
    target_s: float
    counters: tuple[int, ...]  # the desks that serve it
    open_desks: tuple[int, ...]  # of those, the ones open now

    @property
    def over_target(self) -> bool:
        """The one rule for "over the target": the card turns red, the alert is raised, the advice acts."""
        return (
            self.waiting > 0 and self.estimated_wait_s is not None and self.estimated_wait_s > self.target_s
        )

    @property
    def minutes(self) -> int | None:
        return None if self.estimated_wait_s is None else whole_minutes(self.estimated_wait_s)


@dataclass(frozen=True)
class OfficeFigures:
    office: str
    now: datetime
    target_s: float
    lines: dict[str, LineFigures]
    queues: list[dict[str, Any]]  # the rows as `GET /queues` answers them
    counters: list[dict[str, Any]]  # as `GET /counters` answers them
    waiting: tuple[WaitingPerson, ...]
    time_left_s: float  # opening time left today

    def over_target(self) -> list[LineFigures]:
        return [line for line in self.lines.values() if line.over_target]


def office_figures(services: Services, office: str, target_s: float) -> OfficeFigures:
    """The office now, read once: lines with their waits, the desks, the people waiting."""
    config = services.ctx.config.office(office)
    live = services.queues.live(office=config.code)
    counters = services.counters.list(office=config.code)
    open_now = {c["number"] for c in counters if c["status"] == CounterStatus.OPEN}
    lines = {
        row["code"]: LineFigures(
            code=row["code"],
            name_vi=row["name_vi"],
            name_en=row["name_en"],
            waiting=row["waiting"],
            estimated_wait_s=row["estimated_wait_s"],
            target_s=target_s,
            counters=tuple(row["counters"]),
            open_desks=tuple(n for n in row["counters"] if n in open_now),
        )
        for row in live.queues
    }
    left = working_seconds_left(config.hours, live.now, config.zone)
    return OfficeFigures(config.code, live.now, target_s, lines, live.queues, counters, live.waiting, left)
