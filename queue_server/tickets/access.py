"""Who may act on a ticket, and for which counter: the one place that decides it.

- Devices (kiosks, boards) never act on tickets.
- Staff act from the counter they are seated at, and only on the tickets of that counter: a waiting ticket
  of a queue it serves, or a ticket it called, serves or holds. A ticket called, served or held at another
  counter is that counter's; only a supervisor or an admin may act on it (for that counter).
- Staff send a citizen they called, serve or hold to any queue (that is what a transfer is for); a waiting
  ticket they may move only between queues their counter serves (other lines are other counters' work).
- Supervisors and admins may act for any counter of the office.
"""

from __future__ import annotations

from sqlalchemy import select

from queue_server.auth.principal import Principal, Role
from queue_server.auth.seats import seat_of
from queue_server.config import OfficeConfig
from queue_server.db.unit_of_work import Transaction
from queue_server.domain.errors import DomainError, Forbidden
from queue_server.domain.tickets import TicketAction, TicketStatus
from queue_server.tables.counters import CounterState, CounterStatus
from queue_server.tables.tickets import Ticket

A = TicketAction
HELD = frozenset({TicketStatus.CALLED.value, TicketStatus.SERVING.value, TicketStatus.ON_HOLD.value})
# Actions on a held ticket that end it or bring it back rather than act at its counter.
NOT_COUNTER_WORK = frozenset({A.CANCEL, A.REACTIVATE, A.EXPIRE})


def seated_state(
    tx: Transaction, office: OfficeConfig, counter: int, actor: Principal, *, need_open: bool
) -> CounterState:
    """The counter's row, locked, when `actor` is the person seated at it (else 403)."""
    state = tx.session.scalar(
        select(CounterState)
        .where(CounterState.office == office.code, CounterState.number == counter)
        .with_for_update()
    )
    if state is None or state.staff_id != actor.id or actor.kind != "user":
        raise not_your_counter(counter)
    if need_open and state.status != CounterStatus.OPEN:
        raise DomainError(
            "counter_not_open",
            f"Quầy {counter} đang {'tạm dừng' if state.status == CounterStatus.PAUSED else 'đóng'}.",
            f"Counter {counter} is {state.status}.",
        )
    return state


def check_may_read_counter(actor: Principal, state: CounterState | None, number: int) -> None:
    """A counter's waiting list is for the person seated there, and for supervisors and admins."""
    if actor.is_manager:
        return
    if (
        state is None
        or state.status == CounterStatus.CLOSED
        or state.staff_id != actor.id
        or actor.kind != "user"
    ):
        raise not_your_counter(number)


def acting_counter(
    tx: Transaction,
    office: OfficeConfig,
    actor: Principal,
    ticket: Ticket,
    action: TicketAction,
    *,
    to_queue: str | None = None,
) -> int | None:
    """The counter `actor` acts for on `ticket` (None: no counter), or Forbidden saying why not."""
    if actor.role in (Role.KIOSK, Role.DISPLAY):
        raise Forbidden(
            "role_forbidden", "Thiết bị này không được làm việc này.", "This device may not do that."
        )
    seat = seat_of(tx.session, ticket.office, actor)
    held_by = ticket.counter if ticket.status in HELD else None
    if actor.is_manager:
        if held_by is not None and action not in NOT_COUNTER_WORK:
            return held_by  # a supervisor acts for the counter holding the ticket
        return seat
    if seat is None:
        raise Forbidden(
            "not_seated",
            "Bạn cần mở một quầy trước khi xử lý số thứ tự.",
            "Open a counter before acting on tickets.",
        )
    if held_by is not None and held_by != seat:
        raise Forbidden(
            "other_counter",
            f"Số {ticket.number} đang ở quầy {held_by}; chỉ cán bộ quầy đó hoặc giám sát viên mới xử lý được.",
            f"Ticket {ticket.number} is at counter {held_by}; only that counter or a supervisor may act on it.",
        )
    served = office.weights_of(seat)
    if held_by is None and ticket.queue not in served:
        raise Forbidden(
            "queue_not_served",
            f"Quầy {seat} không phục vụ hàng {ticket.queue}.",
            f"Counter {seat} does not serve queue {ticket.queue}.",
        )
    if action is A.TRANSFER and held_by is None and to_queue is not None and to_queue not in served:
        raise Forbidden(
            "transfer_queue_not_served",
            f"Quầy {seat} không phục vụ hàng {to_queue}; chỉ giám sát viên mới chuyển sang hàng đó được.",
            f"Counter {seat} does not serve queue {to_queue}; only a supervisor may transfer there.",
        )
    return seat


def not_your_counter(counter: int) -> Forbidden:
    return Forbidden(
        "not_your_counter",
        f"Bạn chưa đăng nhập làm việc tại quầy {counter}.",
        f"You are not signed in at counter {counter}.",
    )
