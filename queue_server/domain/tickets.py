"""The ticket state machine: one function decides every change of a ticket's state.

`apply_action` takes a snapshot of the ticket and an action and returns the change to write (new state,
timestamps, counters, and the audit event), or raises `DomainError` leaving everything untouched.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from queue_server.domain.errors import DomainError


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    ON_HOLD = "on_hold"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN_STATUSES = frozenset(
    {TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.ON_HOLD}
)


class TicketAction(enum.StrEnum):
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    HOLD = "hold"
    RESUME = "resume"  # on_hold → called, by the counter that held it
    TRANSFER = "transfer"
    CANCEL = "cancel"
    REACTIVATE = "reactivate"
    EXPIRE = "expire"


# The event type each action publishes on the event stream.
EVENT_TYPES: dict[TicketAction, str] = {
    TicketAction.CALL: "ticket.called",
    TicketAction.RECALL: "ticket.recalled",
    TicketAction.START: "ticket.started",
    TicketAction.FINISH: "ticket.finished",
    TicketAction.NO_SHOW: "ticket.no_show",
    TicketAction.HOLD: "ticket.on_hold",
    TicketAction.RESUME: "ticket.called",
    TicketAction.TRANSFER: "ticket.transferred",
    TicketAction.CANCEL: "ticket.cancelled",
    TicketAction.REACTIVATE: "ticket.reactivated",
    TicketAction.EXPIRE: "ticket.expired",
}

S = TicketStatus
A = TicketAction

# (from-states, to-state) of each action; TRANSFER and RECALL keep or reset as described in docs/architecture.md ("The ticket").
TRANSITIONS: dict[TicketAction, tuple[frozenset[TicketStatus], TicketStatus]] = {
    A.CALL: (frozenset({S.WAITING}), S.CALLED),
    A.RECALL: (frozenset({S.CALLED}), S.CALLED),
    A.START: (frozenset({S.CALLED}), S.SERVING),
    A.FINISH: (frozenset({S.CALLED, S.SERVING}), S.DONE),  # from called: service began at the call
    A.NO_SHOW: (frozenset({S.CALLED}), S.NO_SHOW),
    A.HOLD: (frozenset({S.WAITING, S.CALLED, S.SERVING}), S.ON_HOLD),
    A.RESUME: (frozenset({S.ON_HOLD}), S.CALLED),
    A.TRANSFER: (frozenset({S.WAITING, S.CALLED, S.SERVING}), S.WAITING),
    A.CANCEL: (frozenset({S.WAITING, S.CALLED, S.ON_HOLD}), S.CANCELLED),
    A.REACTIVATE: (frozenset({S.NO_SHOW, S.CANCELLED}), S.WAITING),
    A.EXPIRE: (frozenset(OPEN_STATUSES), S.EXPIRED),
}

# Actions that only the counter holding the ticket may take.
COUNTER_BOUND_ACTIONS = frozenset({A.RECALL, A.START, A.FINISH, A.NO_SHOW, A.RESUME})

STATUS_NAMES_VI: dict[TicketStatus, str] = {
    S.WAITING: "đang chờ",
    S.CALLED: "đã gọi",
    S.SERVING: "đang phục vụ",
    S.ON_HOLD: "tạm giữ",
    S.DONE: "đã xong",
    S.NO_SHOW: "vắng mặt",
    S.CANCELLED: "đã hủy",
    S.EXPIRED: "hết hạn",
}


@dataclass(frozen=True)
class TicketSnapshot:
    """What the state machine needs to know about a ticket."""

    status: TicketStatus
    queue: str
    business_day: date
    counter: int | None = None  # the counter that called (or holds) it
    recall_count: int = 0
    called_at: datetime | None = None  # the first call of the visit; a transfer keeps it
    last_called_at: datetime | None = None  # the latest call (at this counter)


@dataclass(frozen=True)
class ActionRequest:
    action: TicketAction
    at: datetime
    counter: int | None = None  # the counter acting, if any
    business_day: date | None = None  # today in the office's zone, for reactivate
    to_queue: str | None = None  # transfer
    to_counter: int | None = None  # transfer to one counter (it calls the ticket first)
    to_back: bool = False  # transfer: go to the back of the line instead of keeping the place
    reason: str | None = None
    outcome: str | None = None  # finish


@dataclass(frozen=True)
class TicketChange:
    """The fields to write on the ticket and the audit/event facts of one allowed action."""

    from_status: TicketStatus
    to_status: TicketStatus
    event_type: str
    fields: dict[str, object] = field(default_factory=dict)


def apply_action(ticket: TicketSnapshot, request: ActionRequest) -> TicketChange:
    """Decide one change of state. Raises DomainError, changing nothing, when it is not allowed."""
    action = request.action
    sources, target = TRANSITIONS[action]
    if ticket.status not in sources:
        raise _illegal(ticket.status, action)
    _check_counter(ticket, request)
    fields = _fields_for(ticket, request, target)
    return TicketChange(ticket.status, target, EVENT_TYPES[action], fields)


def _check_counter(ticket: TicketSnapshot, request: ActionRequest) -> None:
    action = request.action
    if action is A.CALL and request.counter is None:
        raise DomainError("counter_required", "Cần chọn quầy để gọi số.", "A counter is needed to call.")
    bound = action in COUNTER_BOUND_ACTIONS or (action is A.HOLD and ticket.status is not S.WAITING)
    if bound and request.counter is not None and ticket.counter != request.counter:
        raise DomainError(
            "other_counter",
            f"Số này đang ở quầy {ticket.counter}, không phải quầy {request.counter}.",
            f"This ticket belongs to counter {ticket.counter}, not counter {request.counter}.",
        )
    if action is A.REACTIVATE and request.business_day != ticket.business_day:
        raise DomainError(
            "not_same_day",
            "Chỉ kích hoạt lại được số của ngày hôm nay.",
            "Only tickets of the current business day can be reactivated.",
        )
    if action is A.TRANSFER and not request.to_queue:
        raise DomainError("queue_required", "Cần chọn hàng đợi để chuyển.", "A target queue is needed.")
    if action is A.TRANSFER and request.to_counter is not None and request.to_counter == ticket.counter:
        raise DomainError(
            "same_counter",
            f"Số này đang ở chính quầy {ticket.counter}; hãy chọn quầy khác.",
            f"The ticket is already at counter {ticket.counter}; choose another counter.",
        )


def _fields_for(ticket: TicketSnapshot, request: ActionRequest, target: TicketStatus) -> dict[str, object]:
    at = request.at
    action = request.action
    fields: dict[str, object]
    if action is A.CALL:
        fields = {"counter": request.counter, "recall_count": 0, "last_called_at": at}
        fields |= {"for_counter": None, "from_counter": None}  # a transfer's marks end with the call
        if ticket.called_at is None:
            fields["called_at"] = at  # the wait of the visit ends at its first call
        return fields
    if action is A.RECALL:
        return {"recall_count": ticket.recall_count + 1, "last_called_at": at}
    if action is A.RESUME:
        return {"last_called_at": at}
    if action is A.START:
        return {"started_at": at}
    if action in (A.FINISH, A.NO_SHOW, A.CANCEL, A.EXPIRE):
        fields = {"ended_at": at}
        if action is A.FINISH:
            fields["outcome"] = request.outcome or "served"
            if ticket.status is S.CALLED:  # F straight after the call: the visit began at the call
                fields["started_at"] = ticket.last_called_at or ticket.called_at or at
        return fields
    if action is A.HOLD:
        return {"held_at": at, "counter": request.counter or ticket.counter}
    if action is A.TRANSFER:
        return _transfer_fields(request)
    if action is A.REACTIVATE:
        return {"ended_at": None, "counter": None, "place_at": at, "for_counter": None, "from_counter": None}
    raise AssertionError(f"unhandled action {action}")  # pragma: no cover - TRANSITIONS covers all


def _transfer_fields(request: ActionRequest) -> dict[str, object]:
    """Sent to a counter: it waits for that counter. Keeping its place: the counter that sent it away does
    not call it back while another counter serves the line (domain/calling.py, `Seats`)."""
    fields: dict[str, object] = {
        "queue": request.to_queue,
        "counter": None,
        "started_at": None,  # service at the first counter stays in the event log
        "recall_count": 0,
        "for_counter": request.to_counter,
        "from_counter": None if request.to_back else request.counter,
    }
    if request.to_back:
        fields["place_at"] = request.at
    return fields


def _illegal(status: TicketStatus, action: TicketAction) -> DomainError:
    return DomainError(
        "illegal_transition",
        f"Không thể '{action.value}' một số đang ở trạng thái '{STATUS_NAMES_VI[status]}'.",
        f"Cannot '{action.value}' a ticket that is '{status.value}'.",
        status=status.value,
        action=action.value,
    )


# A visit called before midnight goes on after it: the day-end expiry leaves it to its counter for this long
# after its last call (then it was surely abandoned: a counter left open, a console closed).
VISIT_PAST_MIDNIGHT = timedelta(hours=3)


def kept_past_day_end(status: TicketStatus, last_called_at: datetime | None, now: datetime) -> bool:
    """Whether the day-end expiry must leave an open ticket of an earlier day alone: it is at a counter."""
    at_counter = status in (TicketStatus.CALLED, TicketStatus.SERVING)
    return at_counter and last_called_at is not None and now - last_called_at < VISIT_PAST_MIDNIGHT
