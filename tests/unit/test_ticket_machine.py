"""Every (state, action) pair of the ticket machine, in the pure core."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from queue_server.domain.errors import DomainError
from queue_server.domain.tickets import (
    EVENT_TYPES,
    ActionRequest,
    TicketAction,
    TicketSnapshot,
    TicketStatus,
    apply_action,
)

S, A = TicketStatus, TicketAction
DAY = date(2026, 3, 10)
AT = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)

# The table of docs/architecture.md ("The ticket"), written out independently of the code's TRANSITIONS.
ALLOWED: dict[tuple[TicketStatus, TicketAction], TicketStatus] = {
    (S.WAITING, A.CALL): S.CALLED,
    (S.CALLED, A.RECALL): S.CALLED,
    (S.CALLED, A.START): S.SERVING,
    (S.CALLED, A.NO_SHOW): S.NO_SHOW,
    (S.SERVING, A.FINISH): S.DONE,
    (S.CALLED, A.FINISH): S.DONE,  # F on a called ticket: started at the call
    (S.WAITING, A.HOLD): S.ON_HOLD,
    (S.CALLED, A.HOLD): S.ON_HOLD,
    (S.SERVING, A.HOLD): S.ON_HOLD,
    (S.ON_HOLD, A.RESUME): S.CALLED,
    (S.WAITING, A.TRANSFER): S.WAITING,
    (S.CALLED, A.TRANSFER): S.WAITING,
    (S.SERVING, A.TRANSFER): S.WAITING,
    (S.WAITING, A.CANCEL): S.CANCELLED,
    (S.CALLED, A.CANCEL): S.CANCELLED,
    (S.ON_HOLD, A.CANCEL): S.CANCELLED,
    (S.NO_SHOW, A.REACTIVATE): S.WAITING,
    (S.CANCELLED, A.REACTIVATE): S.WAITING,
    (S.WAITING, A.EXPIRE): S.EXPIRED,
    (S.CALLED, A.EXPIRE): S.EXPIRED,
    (S.SERVING, A.EXPIRE): S.EXPIRED,
    (S.ON_HOLD, A.EXPIRE): S.EXPIRED,
}


def snapshot(status: TicketStatus, counter: int | None = 2) -> TicketSnapshot:
    return TicketSnapshot(status=status, queue="A", business_day=DAY, counter=counter, recall_count=1)


def request(action: TicketAction, counter: int | None = 2) -> ActionRequest:
    return ActionRequest(action=action, at=AT, counter=counter, business_day=DAY, to_queue="B")


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(A))
def test_every_state_action_pair(status: TicketStatus, action: TicketAction) -> None:
    expected = ALLOWED.get((status, action))
    if expected is None:
        with pytest.raises(DomainError) as refused:
            apply_action(snapshot(status), request(action))
        assert refused.value.code == "illegal_transition"
        assert status.value in refused.value.message_en
    else:
        change = apply_action(snapshot(status), request(action))
        assert (change.from_status, change.to_status) == (status, expected)
        assert change.event_type == EVENT_TYPES[action]


def test_recall_counts_and_only_the_calling_counter_may() -> None:
    change = apply_action(snapshot(S.CALLED, counter=2), request(A.RECALL, counter=2))
    assert change.fields["recall_count"] == 2
    with pytest.raises(DomainError) as refused:
        apply_action(snapshot(S.CALLED, counter=2), request(A.RECALL, counter=3))
    assert refused.value.code == "other_counter"


@pytest.mark.parametrize("action", [A.START, A.NO_SHOW, A.RECALL])
def test_counter_bound_actions_refuse_another_counter(action: TicketAction) -> None:
    with pytest.raises(DomainError):
        apply_action(snapshot(S.CALLED, counter=1), request(action, counter=4))


def test_finish_records_the_outcome_and_end_time() -> None:
    req = ActionRequest(action=A.FINISH, at=AT, counter=2, business_day=DAY, outcome="received_dossier")
    change = apply_action(snapshot(S.SERVING), req)
    assert change.fields == {"ended_at": AT, "outcome": "received_dossier"}


def test_finishing_a_called_ticket_starts_it_at_its_last_call() -> None:
    called = datetime(2026, 3, 10, 2, 55, tzinfo=UTC)
    ticket = TicketSnapshot(
        S.CALLED,
        "A",
        DAY,
        counter=2,
        called_at=datetime(2026, 3, 10, 2, 30, tzinfo=UTC),
        last_called_at=called,
    )
    change = apply_action(ticket, ActionRequest(action=A.FINISH, at=AT, counter=2, business_day=DAY))
    assert change.fields == {"ended_at": AT, "outcome": "served", "started_at": called}


def test_first_call_sets_called_at_and_a_second_call_after_transfer_keeps_it() -> None:
    first = apply_action(snapshot(S.WAITING, counter=None), request(A.CALL))
    assert first.fields["called_at"] == AT
    earlier = datetime(2026, 3, 10, 2, 30, tzinfo=UTC)
    transferred = TicketSnapshot(S.WAITING, "B", DAY, counter=None, called_at=earlier)
    second = apply_action(transferred, request(A.CALL))
    assert "called_at" not in second.fields


def test_transfer_to_the_back_moves_the_place_and_keep_does_not() -> None:
    back = ActionRequest(action=A.TRANSFER, at=AT, counter=2, business_day=DAY, to_queue="B", to_back=True)
    assert apply_action(snapshot(S.SERVING), back).fields["place_at"] == AT
    keep = ActionRequest(action=A.TRANSFER, at=AT, counter=2, business_day=DAY, to_queue="B")
    assert "place_at" not in apply_action(snapshot(S.SERVING), keep).fields


def test_reactivate_only_on_the_same_business_day() -> None:
    yesterday = TicketSnapshot(S.NO_SHOW, "A", date(2026, 3, 9), counter=2)
    with pytest.raises(DomainError) as refused:
        apply_action(yesterday, request(A.REACTIVATE))
    assert refused.value.code == "not_same_day"


def test_call_needs_a_counter() -> None:
    with pytest.raises(DomainError) as refused:
        apply_action(snapshot(S.WAITING, counter=None), request(A.CALL, counter=None))
    assert refused.value.code == "counter_required"
