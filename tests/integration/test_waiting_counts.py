"""The waiting count table stays equal to the tickets actually waiting, through any mix of issues, calls,
transfers, holds, cancels, reactivations and day-end expiry, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from queue_server.auth.principal import Principal
from queue_server.clock import ManualClock
from queue_server.domain.errors import DomainError
from queue_server.domain.tickets import TicketAction
from queue_server.tables.tickets import Ticket, TicketEvent, WaitingCount
from queue_server.tickets.service import ActOptions
from tests.support import KIOSK_KEY, PASSWORD, STAFF, Server, make_server

KINDS = ["issue"] * 4 + ["call_next"] * 3 + ["act"] * 6 + ["next_day"]  # the day ends now and then
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.sampled_from([*TicketAction, *[TicketAction.TRANSFER, TicketAction.REACTIVATE] * 3]),
        st.integers(0, 40),
        st.sampled_from("ABC"),
    ),
    min_size=5,
    max_size=60,
)


def stored_counts(server: Server) -> tuple[Counter[tuple[str, Any, str]], Counter[tuple[str, Any, str]]]:
    with server.ctx.db.read() as session:
        kept = Counter(
            {
                (row.office, row.business_day, row.queue): row.waiting
                for row in session.scalars(select(WaitingCount))
                if row.waiting
            }
        )
        actual = Counter(
            {
                (office, day, queue): n
                for office, day, queue, n in session.execute(
                    select(Ticket.office, Ticket.business_day, Ticket.queue, func.count(Ticket.id))
                    .where(Ticket.status == "waiting")
                    .group_by(Ticket.office, Ticket.business_day, Ticket.queue)
                )
            }
        )
    return kept, actual


def signed_in(server: Server, username: str) -> Principal:
    token = server.services.auth.login(username=username, password=PASSWORD).access_token
    principal = server.services.auth.principal_for_token(token)
    assert principal is not None
    return principal


def seated_staff(server: Server) -> dict[int, Principal]:
    """Staff at counters 1–4; key 0 is a supervisor, who may act on tickets at no counter."""
    staff = {0: signed_in(server, "giamsat")}
    for number, username in enumerate(STAFF, start=1):
        staff[number] = signed_in(server, username)
        server.services.counters.open(number=number, actor=staff[number])
    return staff


def run(server: Server, staff: dict[int, Principal], operation: tuple[Any, ...], issued: list[int]) -> None:
    services = server.services
    kiosk = services.auth.principal_for_device_key(KIOSK_KEY)
    assert kiosk is not None
    kind, action, index, queue = operation
    try:
        if kind == "issue":
            issued.append(services.tickets.issue(actor=kiosk, queue=queue)[0].id)
        elif kind == "call_next":
            counter = 1 + index % 4
            services.tickets.call_next(counter=counter, actor=staff[counter])
        elif kind == "act" and issued:
            ticket = services.tickets.get(issued[index % len(issued)])
            actor = staff[0]  # a supervisor may act for any counter
            options = ActOptions(to_queue=queue, to_back=index % 2 == 0)
            services.tickets.act(ticket.id, action, actor=actor, options=options)
        elif kind == "next_day":
            clock = server.clock
            assert isinstance(clock, ManualClock)
            clock.advance(days=1)
            services.tickets.expire_stale()
    except DomainError:
        pass  # refused actions change nothing; the counts must still agree


@pytest.mark.parametrize("backend", ["sqlite_url", "postgres_url"])
def test_waiting_counts_follow_every_change(backend: str, request: pytest.FixtureRequest) -> None:
    url = str(request.getfixturevalue(backend))
    server = make_server(url)
    staff = seated_staff(server)
    audited: Counter[str] = Counter()

    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(OPERATIONS)
    def check(operations: list[tuple[Any, ...]]) -> None:
        issued: list[int] = []
        for operation in operations:
            run(server, staff, operation, issued)
            kept, actual = stored_counts(server)
            assert kept == actual, operation

    check()
    with server.ctx.db.read() as session:
        rows = session.execute(select(TicketEvent.action, func.count()).group_by(TicketEvent.action))
        audited.update({action: int(n) for action, n in rows})
    # The runs went through the changes that move the count, not only issues.
    assert {"issue", "call", "transfer", "cancel", "expire"} <= set(audited), audited
    server.ctx.db.dispose()


@pytest.mark.parametrize("backend", ["sqlite_url", "postgres_url"])
def test_each_change_that_moves_the_count(backend: str, request: pytest.FixtureRequest) -> None:
    server = make_server(str(request.getfixturevalue(backend)))
    staff = seated_staff(server)
    kiosk = server.services.auth.principal_for_device_key(KIOSK_KEY)
    assert kiosk is not None
    tickets = server.services.tickets
    boss = staff[0]

    def waiting() -> dict[str, int]:
        kept, actual = stored_counts(server)
        assert kept == actual
        return {queue: n for (_, _, queue), n in kept.items()}

    def act(ticket_id: int, action: TicketAction, **options: Any) -> None:
        tickets.act(ticket_id, action, actor=boss, options=ActOptions(**options))

    a1, a2, b1 = (tickets.issue(actor=kiosk, queue=q)[0].id for q in "AAB")
    assert waiting() == {"A": 2, "B": 1}
    act(a1, TicketAction.TRANSFER, to_queue="B")  # waiting → waiting elsewhere
    assert waiting() == {"A": 1, "B": 2}
    act(a2, TicketAction.HOLD)
    assert waiting() == {"B": 2}
    act(a2, TicketAction.CANCEL)
    act(a2, TicketAction.REACTIVATE)  # cancelled → waiting
    assert waiting() == {"A": 1, "B": 2}
    called = tickets.call_next(counter=1, actor=staff[1])
    assert called is not None and sum(waiting().values()) == 2
    act(called.id, TicketAction.NO_SHOW)
    act(called.id, TicketAction.REACTIVATE)  # no-show → waiting
    assert sum(waiting().values()) == 3
    again = tickets.call_next(counter=2, actor=staff[2])
    assert again is not None
    act(again.id, TicketAction.TRANSFER, to_queue="C", to_back=True)  # called → waiting in C
    assert waiting().get("C") == 1 and sum(waiting().values()) == 3
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(days=1)
    assert tickets.expire_stale() == 3
    assert waiting() == {} and b1


def test_a_refused_issue_leaves_the_count_alone(sqlite_url: str) -> None:
    server = make_server(sqlite_url)
    kiosk = server.services.auth.principal_for_device_key(KIOSK_KEY)
    assert kiosk is not None
    server.services.tickets.issue(actor=kiosk, queue="A", idempotency_key="same")
    with pytest.raises(DomainError):  # the same key for another queue: refused, nothing written
        server.services.tickets.issue(actor=kiosk, queue="B", idempotency_key="same")
    kept, actual = stored_counts(server)
    assert kept == actual and sum(kept.values()) == 1
