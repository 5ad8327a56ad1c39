"""Ticket use cases: issue, act, call, end the day. One unit of work each (db/unit_of_work.py); events are
published after commit. The work itself lives by job: issuing.py, acting.py (state changes and calls),
access.py (who may act at which counter), estimates.py (waits), views.py (what clients see)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from queue_server.auth.principal import Principal, Role
from queue_server.auth.scope import check_office
from queue_server.config import OfficeConfig, QueueConfig
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import Transaction, UnitOfWork
from queue_server.domain.calendar import business_day
from queue_server.domain.errors import DomainError, InvalidInput, NotFound
from queue_server.domain.tickets import TicketAction, TicketStatus, kept_past_day_end
from queue_server.tables.tickets import NewTicket, Ticket, TicketRecord
from queue_server.tickets import access
from queue_server.tickets import repository as repo
from queue_server.tickets.acting import ActOptions, TicketActions
from queue_server.tickets.estimates import Estimator
from queue_server.tickets.issuing import Issuer, check_same_request
from queue_server.tickets.schemas import TicketView
from queue_server.tickets.views import TicketViews

__all__ = ["ActOptions", "TicketService"]
A = TicketAction


class TicketService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.estimates = Estimator(ctx.config)
        self.actions = TicketActions(ctx.config, self.estimates)
        self.issuer = Issuer(self.estimates, self.actions)
        self.views = TicketViews(ctx.config, self.estimates)

    # ---- issuing -------------------------------------------------------------------------------

    def issue(
        self,
        *,
        actor: Principal,
        queue: str,
        priority: str | None = None,
        idempotency_key: str | None = None,
        office: str | None = None,
        appointment_at: datetime | None = None,
        birth_date: date | None = None,
    ) -> tuple[TicketView, bool]:
        """Issue a ticket; answers (ticket, created). A known idempotency key answers the first ticket.
        `birth_date`: the citizen's, when known; an age priority group must fit it."""
        office_cfg = self.office(office or actor.office)
        queue_cfg = office_cfg.queue(queue)
        today = business_day(self.ctx.clock(), office_cfg.zone)
        self.ctx.config.check_priority_claim(priority, birth_date, today)

        def work(tx: Transaction) -> tuple[TicketView, bool]:
            if idempotency_key:
                existing = repo.by_idempotency_key(tx, office_cfg.code, idempotency_key)
                if existing is not None:
                    check_same_request(existing, queue_cfg, priority)
                    return self.view(tx, existing), False
            ticket = self.issue_in(
                tx,
                actor=actor,
                office=office_cfg,
                queue=queue_cfg,
                priority=priority,
                idempotency_key=idempotency_key,
                appointment_at=appointment_at,
            )
            return self.view(tx, ticket, newest=True), True

        # Two kiosks sending the same idempotency key at once (PostgreSQL): the second run finds the first.
        return UnitOfWork.retrying(self.ctx, work, attempts=3 if idempotency_key else 1)

    def issue_in(
        self,
        tx: Transaction,
        *,
        actor: Principal,
        office: OfficeConfig,
        queue: QueueConfig,
        priority: str | None,
        idempotency_key: str | None,
        appointment_at: datetime | None,
        early: timedelta | None = None,  # remote numbers (phone/): open this long before the doors
    ) -> NewTicket:
        """Issue inside the caller's unit of work (a case submitted with its ticket, an appointment)."""
        return self.issuer.issue(
            tx,
            actor=actor,
            office=office,
            queue=queue,
            priority=priority,
            idempotency_key=idempotency_key,
            appointment_at=appointment_at,
            early=early,
        )

    # ---- reading -------------------------------------------------------------------------------

    def get(self, ticket_id: int) -> TicketView:
        with UnitOfWork(self.ctx, read_only=True) as tx:
            return self.view(tx, self._load(tx, ticket_id))

    def get_public(self, public_code: str) -> TicketView:
        with UnitOfWork(self.ctx, read_only=True) as tx:
            ticket = repo.by_public_code(tx, public_code)
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự.", "No such ticket.")
            return self.view(tx, ticket)

    def view(self, tx: Transaction, ticket: TicketRecord, *, newest: bool = False) -> TicketView:
        return self.views.view(tx, ticket, newest=newest)

    def queue_estimate(self, tx: Transaction, office: OfficeConfig, queue: str, waiting: int = 0) -> int:
        """Expected wait of a normal ticket taken now at the back of `queue` (`waiting`: unused, kept for
        callers that pass the line's length)."""
        return self.estimates.line_wait_s(tx, office, queue)

    # ---- acting --------------------------------------------------------------------------------

    def act(
        self, ticket_id: int, action: TicketAction, *, actor: Principal, options: ActOptions
    ) -> TicketView:
        with UnitOfWork(self.ctx) as tx:
            ticket = self._load(tx, ticket_id, for_update=True)
            check_office(self.ctx.config, actor, ticket.office)  # a supervisor acts only in their subtree
            office = self.office(ticket.office)
            to_queue = None
            if action is A.TRANSFER:
                to_queue = _transfer_target(office, ticket, options)
                options = replace(options, to_queue=to_queue)
            counter = access.acting_counter(tx, office, actor, ticket, action, to_queue=to_queue)
            self.actions.change(tx, ticket, action, actor=actor, counter=counter, options=options)
            return self.view(tx, ticket)

    def call_next(self, *, counter: int, actor: Principal, office: str | None = None) -> TicketView | None:
        office_cfg = self.office(office or actor.office)
        office_cfg.counter(counter)
        with UnitOfWork(self.ctx) as tx:
            state = access.seated_state(tx, office_cfg, counter, actor, need_open=True)
            self.actions.end_current(tx, office_cfg, counter, actor)
            chosen = self.actions.call_by_rule(tx, office_cfg, state, actor)
            return self.view(tx, chosen) if chosen else None

    def call_ticket(self, *, counter: int, ticket_id: int, actor: Principal) -> TicketView:
        with UnitOfWork(self.ctx) as tx:
            ticket = self._load(tx, ticket_id, for_update=True)
            check_office(self.ctx.config, actor, ticket.office)
            office = self.office(ticket.office)
            if ticket.queue not in office.counter(counter).weights:
                raise DomainError(
                    "queue_not_served",
                    f"Quầy {counter} không phục vụ hàng {ticket.queue}.",
                    f"Counter {counter} does not serve queue {ticket.queue}.",
                )
            state = access.seated_state(tx, office, counter, actor, need_open=True)
            self.actions.end_current(tx, office, counter, actor)
            self.actions.call_chosen(tx, office, state, ticket, actor)
            return self.view(tx, ticket)

    def expire_stale(self, *, office: str | None = None) -> int:
        """End the business day: expire open tickets of earlier days, but not a visit going on at a counter
        across midnight (domain/tickets.py `kept_past_day_end`). History is kept."""
        office_cfg = self.office(office)
        system = Principal("system", 0, "day-end", Role.ADMIN)
        with UnitOfWork(self.ctx) as tx:
            today = business_day(tx.now, office_cfg.zone)
            stale = [
                ticket
                for ticket in repo.open_tickets_before(tx, office=office_cfg.code, day=today)
                if not kept_past_day_end(TicketStatus(ticket.status), ticket.last_called_at, tx.now)
            ]
            for ticket in stale:
                self.actions.change(tx, ticket, A.EXPIRE, actor=system, counter=None, options=ActOptions())
        return len(stale)

    # ---- config lookups (SystemConfig / OfficeConfig answer them; kept for callers) ------------------

    def office(self, code: str | None) -> OfficeConfig:
        return self.ctx.config.office(code)

    def queue(self, office: OfficeConfig, code: str) -> QueueConfig:
        return office.queue(code)

    def check_priority(self, priority: str | None) -> None:
        self.ctx.config.priority_group(priority)

    def _load(self, tx: Transaction, ticket_id: int, for_update: bool = False) -> Ticket:
        ticket = repo.load(tx, ticket_id, for_update=for_update)
        if ticket is None:
            raise NotFound(
                "ticket_not_found", f"Không có số thứ tự mã {ticket_id}.", f"No ticket {ticket_id}."
            )
        return ticket


def _transfer_target(office: OfficeConfig, ticket: Ticket, options: ActOptions) -> str:
    """The queue a transfer sends the ticket to: the one asked for, or for a transfer to a counter the
    ticket's own queue when that counter serves it, else the counter's main queue."""
    if options.to_counter is not None:
        return _counter_queue(office, ticket, options.to_counter, options.to_queue)
    if options.to_queue is None:
        raise InvalidInput("queue_required", "Cần chọn hàng đợi để chuyển.", "A target queue is needed.")
    target = office.queue(options.to_queue)
    if target.code == ticket.queue and not options.to_back and ticket.status == TicketStatus.WAITING.value:
        raise InvalidInput(
            "same_queue", "Số này đã ở hàng đợi đó.", "The ticket already waits in that queue."
        )
    return target.code


def _counter_queue(office: OfficeConfig, ticket: Ticket, number: int, asked: str | None) -> str:
    weights = office.counter(number).weights  # 404 for a counter the office does not have
    if asked is not None:
        queue = office.queue(asked).code
        if queue not in weights:
            raise InvalidInput(
                "queue_not_served",
                f"Quầy {number} không phục vụ hàng {queue}.",
                f"Counter {number} does not serve queue {queue}.",
            )
        return queue
    if ticket.queue in weights:
        return ticket.queue
    return max(weights, key=lambda code: weights[code])
