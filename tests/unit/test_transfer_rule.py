"""The transfer rules of the calling rule (domain/calling.py, `Seats`) on hand-made lines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_server.domain.calling import Candidate, FairnessRule, Seats, choose_next
from queue_server.domain.tickets import (
    ActionRequest,
    TicketAction,
    TicketSnapshot,
    TicketStatus,
    apply_action,
)

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
RULE = FairnessRule()
WEIGHTS = {"A": 1.0}


def ticket(id: int, minutes: int, **marks: int | None) -> Candidate:
    at = T0 + timedelta(minutes=minutes)
    return Candidate(id, "A", at, at, **marks)  # type: ignore[arg-type]


def pick(waiting: list[Candidate], seats: Seats) -> int | None:
    decision = choose_next(
        waiting, weights=WEIGHTS, now=T0 + timedelta(minutes=10), priority_streak=0, rule=RULE, seats=seats
    )
    return decision.ticket.id if decision else None


def test_kept_place_is_not_handed_back_while_another_counter_serves_the_line() -> None:
    waiting = [ticket(1, 0, from_counter=1), ticket(2, 5)]
    assert pick(waiting, Seats(1, frozenset({1, 2}), frozenset({"A"}))) == 2
    assert (
        pick(waiting, Seats(2, frozenset({1, 2}), frozenset({"A"}))) == 1
    )  # the other counter: its place kept
    assert pick([ticket(1, 0, from_counter=1)], Seats(1, frozenset({1, 2}), frozenset({"A"}))) is None


def test_kept_place_comes_back_when_nobody_else_serves_the_line() -> None:
    waiting = [ticket(1, 0, from_counter=1), ticket(2, 5)]
    assert pick(waiting, Seats(1, frozenset({1}), frozenset())) == 1


def test_sent_to_a_counter_is_called_first_there_and_nowhere_else() -> None:
    waiting = [ticket(1, 0), ticket(2, 9, for_counter=3)]
    present = frozenset({2, 3})
    assert pick(waiting, Seats(3, present, frozenset({"A"}))) == 2  # head of that counter, before older ones
    assert pick(waiting, Seats(2, present, frozenset({"A"}))) == 1
    assert pick([ticket(2, 9, for_counter=3)], Seats(2, present, frozenset({"A"}))) is None
    # The counter it was sent to closed: anyone may call it rather than leave the citizen waiting.
    assert pick([ticket(2, 9, for_counter=3)], Seats(2, frozenset({2}), frozenset())) == 2


def test_transfer_marks_are_written_and_cleared_by_the_next_call() -> None:
    called = TicketSnapshot(TicketStatus.CALLED, "A", T0.date(), counter=1, called_at=T0, last_called_at=T0)
    keep = apply_action(
        called, ActionRequest(TicketAction.TRANSFER, T0, counter=1, to_queue="B", to_counter=3)
    )
    assert keep.fields["for_counter"] == 3 and keep.fields["from_counter"] == 1
    back = apply_action(
        called, ActionRequest(TicketAction.TRANSFER, T0, counter=1, to_queue="B", to_back=True)
    )
    assert back.fields["from_counter"] is None  # sent to the back: an ordinary newcomer again
    waiting = TicketSnapshot(TicketStatus.WAITING, "B", T0.date())
    call = apply_action(waiting, ActionRequest(TicketAction.CALL, T0, counter=3))
    assert call.fields["for_counter"] is None and call.fields["from_counter"] is None
