"""Changing a ticket's state, and calling: every change goes through `change` (the domain's state machine,
a compare-and-set write, an audit row and an event), inside the caller's unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from queue_server.auth.principal import Principal
from queue_server.config import OfficeConfig, SystemConfig
from queue_server.db.unit_of_work import Transaction, first_won
from queue_server.domain import calling
from queue_server.domain.calendar import business_day
from queue_server.domain.errors import DomainError
from queue_server.domain.tickets import (
    ActionRequest,
    TicketAction,
    TicketSnapshot,
    TicketStatus,
    apply_action,
)
from queue_server.tables.counters import CounterState, CounterStatus
from queue_server.tables.tickets import Ticket, TicketRecord
from queue_server.tickets import repository as repo
from queue_server.tickets.estimates import Estimator, candidate

A = TicketAction


@dataclass(frozen=True)
class ActOptions:
    to_queue: str | None = None
    to_back: bool = False
    to_counter: int | None = None
    reason: str | None = None
    outcome: str | None = None


class TicketActions:
    def __init__(self, config: SystemConfig, estimates: Estimator) -> None:
        self.config = config
        self.estimates = estimates

    def change(
        self,
        tx: Transaction,
        ticket: Ticket,
        action: TicketAction,
        *,
        actor: Principal,
        counter: int | None,
        options: ActOptions,
    ) -> None:
        """Apply one action to a ticket; "ticket_taken" when another transaction changed it first."""
        office = self.config.office(ticket.office)
        snapshot = TicketSnapshot(
            status=TicketStatus(ticket.status),
            queue=ticket.queue,
            business_day=ticket.business_day,
            counter=ticket.counter,
            recall_count=ticket.recall_count,
            called_at=ticket.called_at,
            last_called_at=ticket.last_called_at,
        )
        request = ActionRequest(
            action=action,
            at=tx.now,
            counter=counter,
            business_day=business_day(tx.now, office.zone),
            to_queue=options.to_queue.strip().upper() if options.to_queue else None,
            to_back=options.to_back,
            to_counter=options.to_counter,
            reason=options.reason,
            outcome=options.outcome,
        )
        change = apply_action(snapshot, request)
        values: dict[str, Any] = {"status": change.to_status.value, **change.fields}
        if action is A.CALL:
            values["staff_id"] = actor.id if actor.kind == "user" else None
        from_queue = ticket.queue
        if not repo.compare_and_set(tx, ticket, change.from_status.value, values):
            raise DomainError(
                "ticket_taken",
                "Số này vừa được quầy khác xử lý; hãy thử lại.",
                "Another counter acted on this ticket first; try again.",
            )
        data: dict[str, Any] = {"from": change.from_status.value, "to": change.to_status.value}
        if action is A.TRANSFER:
            data.update({"from_queue": from_queue, "to_queue": ticket.queue, "to_back": options.to_back})
            if options.to_counter is not None:
                data["to_counter"] = options.to_counter
        self.audit(tx, ticket, action.value, change.from_status.value, actor, counter, options.reason, data)
        extra = {"transition": data, "queues": self.queue_counts(tx, ticket, from_queue)}
        self.emit(tx, change.event_type, ticket, extra=extra)

    def end_current(self, tx: Transaction, office: OfficeConfig, counter: int, actor: Principal) -> None:
        """Calling the next citizen ends the visit at this counter (serving → done, called → no-show)."""
        current = repo.current_ticket_of_counter(tx.session, office=office.code, counter=counter)
        if current is None:
            return
        action = A.FINISH if current.status == TicketStatus.SERVING.value else A.NO_SHOW
        options = ActOptions(reason="ended by the next call", outcome="ended_by_next_call")
        self.change(tx, current, action, actor=actor, counter=counter, options=options)

    def call_by_rule(
        self, tx: Transaction, office: OfficeConfig, state: CounterState, actor: Principal
    ) -> Ticket | None:
        """Call the ticket the calling rule picks for this counter; choose again if another took it."""
        weights = office.counter(state.number).weights
        day = business_day(tx.now, office.zone)
        seats = seats_of(tx, office, state.number)

        def choose() -> tuple[Ticket, calling.CallDecision] | None:
            waiting = repo.waiting_tickets(tx, office=office.code, day=day, queues=list(weights))
            decision = calling.choose_next(
                (candidate(t) for t in waiting),
                weights=weights,
                now=tx.now,
                priority_streak=state.priority_streak,
                rule=self.config.fairness,
                seats=seats,
            )
            if decision is None:
                return None
            return next(t for t in waiting if t.id == decision.ticket.id), decision

        def take(choice: tuple[Ticket, calling.CallDecision]) -> None:
            self.change(tx, choice[0], A.CALL, actor=actor, counter=state.number, options=ActOptions())
            state.priority_streak = choice[1].priority_streak

        busy = DomainError("busy", "Hệ thống đang bận, hãy gọi lại.", "Too much contention; call again.")
        chosen = first_won(choose, take, busy=busy)
        return chosen[0] if chosen else None

    def call_chosen(
        self, tx: Transaction, office: OfficeConfig, state: CounterState, ticket: Ticket, actor: Principal
    ) -> None:
        """Call a ticket picked by hand; the counter's priority streak moves as the rule would move it."""
        weights = office.counter(state.number).weights
        day = business_day(tx.now, office.zone)
        waiting = repo.waiting_tickets(tx, office=office.code, day=day, queues=list(weights))
        normal_waiting = any(t.priority is None and t.id != ticket.id for t in waiting)
        self.change(tx, ticket, A.CALL, actor=actor, counter=state.number, options=ActOptions())
        state.priority_streak = calling.streak_after(
            state.priority_streak, candidate(ticket), normal_waiting=normal_waiting
        )

    # ---- what every change leaves behind: an audit row and an event -------------------------------

    def audit(
        self,
        tx: Transaction,
        ticket: TicketRecord,
        action: str,
        from_status: str | None,
        actor: Principal,
        counter: int | None,
        reason: str | None,
        data: dict[str, Any] | None = None,
    ) -> None:
        audit_row = {
            "ticket_id": ticket.id,
            "at": tx.now,
            "action": action,
            "from_status": from_status,
            "to_status": ticket.status,
            "actor": actor.label,
            "actor_role": actor.role.value,
            "counter": counter if counter is not None else ticket.counter,
            "queue": ticket.queue,
            "reason": reason,
            "data": data,
        }
        repo.insert_event(tx, audit_row)

    def emit(self, tx: Transaction, type_: str, ticket: TicketRecord, extra: dict[str, Any]) -> None:
        # Boards read these: numbers, queues and counters only — never names or ID numbers.
        data = {
            "ticket": {
                "id": ticket.id,
                "number": ticket.number,
                "queue": ticket.queue,
                "status": ticket.status,
                "counter": ticket.counter,
                "priority": ticket.priority is not None,
                "recall_count": ticket.recall_count,
            },
            **extra,
        }
        tx.outbox.add(type=type_, office=ticket.office, at=tx.now, data=data)

    def queue_counts(self, tx: Transaction, ticket: TicketRecord, *also: str) -> dict[str, dict[str, int]]:
        """The lines a change touched: people waiting and the wait of a ticket taken now."""
        office = self.config.office(ticket.office)
        counts = self.estimates.snapshot(tx, office).waiting
        return {
            code: {
                "waiting": counts.get(code, 0),
                "estimated_wait_s": self.estimates.line_wait_s(tx, office, code),
            }
            for code in {ticket.queue, *also}
        }


def seats_of(tx: Transaction, office: OfficeConfig, counter: int) -> calling.Seats:
    """The other counters as the transfer rules see them (domain/calling.py, `Seats`)."""
    rows = tx.session.execute(
        select(CounterState.number, CounterState.status).where(CounterState.office == office.code)
    ).all()
    present = frozenset(int(n) for n, status in rows if status != CounterStatus.CLOSED.value)
    others_open = [int(n) for n, status in rows if status == CounterStatus.OPEN.value and n != counter]
    served = frozenset(q for n in others_open for q in office.weights_of(n))
    return calling.Seats(counter=counter, present=present, served_elsewhere=served)
