"""Playing a simulated day into a real server (its services, its database, a manual clock).

Used to fill a demo or test database with a realistic day, and to measure the server's own stored
estimates against the waits that followed. Every step goes through the server's use cases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.simulation import SimTicket
from queue_server.auth.principal import Principal
from queue_server.clock import ManualClock
from queue_server.domain.tickets import TicketAction
from queue_server.services import Services
from queue_server.tickets.service import ActOptions

# At the same instant a visit ends before the next call, and a ticket is issued before it is called.
FINISH, NO_SHOW, ISSUE, CALL, START = range(5)


@dataclass
class Replayed:
    ticket_ids: dict[int, int]  # simulated id → server id
    steps: int


def replay_day(
    services: Services,
    clock: ManualClock,
    tickets: Sequence[SimTicket],
    *,
    day: date,
    zone: ZoneInfo,
    staff: Mapping[int, Principal],
    issuer: Principal,
    until_s: float | None = None,
    office: str | None = None,
) -> Replayed:
    """Issue, call, start and finish each played ticket at its simulated moment (seconds after local
    midnight of `day`); stop before `until_s` to leave a live office (people waiting, desks busy)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=zone)
    steps = sorted(_steps(tickets), key=lambda s: (s[0], s[1], s[2].id))
    ids: dict[int, int] = {}
    opened: set[int] = set()
    done = 0
    for at, kind, ticket in steps:
        if until_s is not None and at >= until_s:
            break
        clock.set(midnight + timedelta(seconds=at))
        if kind == ISSUE:
            view, _ = services.tickets.issue(
                actor=issuer, queue=ticket.queue, priority=ticket.priority, office=office
            )
            ids[ticket.id] = view.id
        else:
            assert ticket.counter is not None
            actor = staff[ticket.counter]
            if kind == CALL and ticket.counter not in opened:
                services.counters.open(number=ticket.counter, actor=actor, office=office)
                opened.add(ticket.counter)
            _act(services, kind, ids[ticket.id], ticket.counter, actor)
        done += 1
    if until_s is not None:
        clock.set(midnight + timedelta(seconds=until_s))
    return Replayed(ids, done)


def _steps(tickets: Sequence[SimTicket]) -> list[tuple[float, int, SimTicket]]:
    steps = []
    for ticket in tickets:
        steps.append((ticket.issued_at % 86400, ISSUE, ticket))
        if ticket.called_at is None:
            continue
        base = ticket.issued_at - ticket.issued_at % 86400
        steps.append((ticket.called_at - base, CALL, ticket))
        if ticket.started_at is not None:
            steps.append((ticket.started_at - base, START, ticket))
        if ticket.ended_at is not None:
            steps.append((ticket.ended_at - base, NO_SHOW if ticket.no_show else FINISH, ticket))
    return steps


def _act(services: Services, kind: int, ticket_id: int, counter: int, actor: Principal) -> None:
    if kind == CALL:
        services.tickets.call_ticket(counter=counter, ticket_id=ticket_id, actor=actor)
        return
    action = {START: TicketAction.START, FINISH: TicketAction.FINISH, NO_SHOW: TicketAction.NO_SHOW}[kind]
    services.tickets.act(ticket_id, action, actor=actor, options=ActOptions())


def staff_for_counters(services: Services, office: str | None = None) -> dict[int, Principal]:
    """Seat the office's staff accounts at its desks in order (canbo1 at the first desk, ...)."""
    from queue_server.auth.principal import Role
    from queue_server.readmodels import active_staff

    office_cfg = services.ctx.config.office(office)
    people = active_staff(services.ctx.db)
    numbers = sorted(office_cfg.counters)
    if len(people) < len(numbers):
        raise ValueError(f"{len(numbers)} desks but only {len(people)} staff accounts to seat at them")
    return {
        n: Principal("user", p.id, p.username, Role.STAFF, office_cfg.code)
        for n, p in zip(numbers, people, strict=False)
    }
