"""Ticket use cases: issue, act, call. One transaction each; events are published after commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from queue_server.auth.principal import Principal, Role
from queue_server.config import OfficeConfig, QueueConfig
from queue_server.context import ServerContext
from queue_server.counters import repository as counter_repo
from queue_server.counters.models import CounterState
from queue_server.db.prepared import Prepared
from queue_server.db.unit_of_work import Slot, Transaction, UnitOfWork, first_won
from queue_server.domain import calling
from queue_server.domain.calendar import business_day, check_open, check_open_early
from queue_server.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from queue_server.domain.estimates import (
    CounterLoad,
    DeskNow,
    counter_share,
    expected_wait_s,
    projected_call_times,
    remaining_service_s,
    robust_service_s,
)
from queue_server.domain.tickets import (
    ActionRequest,
    TicketAction,
    TicketSnapshot,
    TicketStatus,
    apply_action,
)
from queue_server.dossiers.models import Dossier
from queue_server.tickets import repository as repo
from queue_server.tickets.models import NewTicket, Ticket, TicketEvent, TicketRow
from queue_server.tickets.schemas import TicketView

DEFAULT_SERVICE_S = 300.0  # until a queue has served someone today
SERVICE_CACHE = timedelta(seconds=30)
PROJECTION_LIMIT = 400  # more people waiting than this: the flow estimate instead of playing every call
NEWCOMER_ID = 2**62  # a ticket taken now: after everyone else on every tie
# Per office: the live snapshot a play was computed from, everyone waiting, and the play of each line.
PLAYS: Slot[dict[str, tuple[object, list[calling.Candidate], dict[str, dict[int, float]]]]] = Slot(
    "projected calls", dict
)
A = TicketAction
_AUDIT_COLUMNS = [column.key for column in TicketEvent.__table__.columns if column.key != "id"]
_INSERT_AUDIT = Prepared(TicketEvent.__table__.insert(), column_keys=_AUDIT_COLUMNS)  # db/prepared.py


@dataclass(frozen=True)
class ActOptions:
    to_queue: str | None = None
    to_back: bool = False
    reason: str | None = None
    outcome: str | None = None


class TicketService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self._service_cache: dict[tuple[str, str], tuple[float, datetime]] = {}

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
    ) -> tuple[TicketView, bool]:
        """Issue a ticket; answers (ticket, created). A known idempotency key answers the first ticket."""
        office_cfg = self.office(office or actor.office)
        queue_cfg = self.queue(office_cfg, queue)
        self.check_priority(priority)

        def work(tx: Transaction) -> tuple[TicketView, bool]:
            if idempotency_key:
                existing = repo.by_idempotency_key(tx, office_cfg.code, idempotency_key)
                if existing is not None:
                    _check_same_request(existing, queue_cfg, priority)
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
        now = tx.now
        opened = (
            check_open_early(office.hours, now, office.zone, early)
            if early
            else check_open(office.hours, now, office.zone)
        )
        if not opened.open:
            raise DomainError(f"office_{opened.reason}", opened.message_vi, opened.message_en)
        day = business_day(now, office.zone)
        sequence = repo.next_sequence(
            tx, office=office.code, prefix=queue.prefix, day=day, start=queue.number_start
        )
        _check_capacity(queue, sequence)
        # Everyone waiting in its line now is ahead of it: estimate before writing, so the row is written once.
        ahead = self._snapshot(tx, office).waiting.get(queue.code, 0)
        ticket = NewTicket(
            public_code=secrets.token_urlsafe(12),
            office=office.code,
            queue=queue.code,
            issued_queue=queue.code,
            queue_prefix=queue.prefix,
            business_day=day,
            sequence=sequence,
            number=queue.format_number(sequence),
            status=TicketStatus.WAITING.value,
            priority=priority,
            priority_granted_by=actor.label if priority else None,
            issued_by=actor.label,
            idempotency_key=idempotency_key,
            issued_at=now,
            place_at=now,
            appointment_at=appointment_at,
            estimated_wait_s=self.queue_estimate(tx, office, queue.code, ahead),
        )
        repo.insert_ticket(tx, ticket)
        self._audit(tx, ticket, "issue", None, actor, counter=None, reason=None)
        self._emit(tx, "ticket.issued", ticket, extra={"queues": self._queue_counts(tx, ticket)})
        return ticket

    # ---- acting on a ticket --------------------------------------------------------------------

    def get(self, ticket_id: int) -> TicketView:
        with UnitOfWork(self.ctx, read_only=True) as tx:
            return self.view(tx, self._load(tx, ticket_id))

    def get_public(self, public_code: str) -> TicketView:
        with UnitOfWork(self.ctx, read_only=True) as tx:
            ticket = repo.by_public_code(tx, public_code)
            if ticket is None:
                raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự.", "No such ticket.")
            return self.view(tx, ticket)

    def act(
        self, ticket_id: int, action: TicketAction, *, actor: Principal, options: ActOptions
    ) -> TicketView:
        with UnitOfWork(self.ctx) as tx:
            ticket = self._load(tx, ticket_id, for_update=True)
            office = self.office(ticket.office)
            if action is A.TRANSFER:
                self._check_transfer_target(office, ticket, options)
            counter = self._acting_counter(tx, actor, ticket, action)
            self._change(tx, ticket, action, actor=actor, counter=counter, options=options)
            return self.view(tx, ticket)

    def call_next(self, *, counter: int, actor: Principal, office: str | None = None) -> TicketView | None:
        office_cfg = self.office(office or actor.office)
        counter_cfg = self._counter_cfg(office_cfg, counter)
        with UnitOfWork(self.ctx) as tx:
            state = self._seated_state(tx, office_cfg, counter, actor, need_open=True)
            self._end_current(tx, office_cfg, counter, actor)
            chosen = self._call_by_rule(tx, office_cfg, counter_cfg.weights, state, actor)
            return self.view(tx, chosen) if chosen else None

    def call_ticket(self, *, counter: int, ticket_id: int, actor: Principal) -> TicketView:
        with UnitOfWork(self.ctx) as tx:
            ticket = self._load(tx, ticket_id, for_update=True)
            office = self.office(ticket.office)
            counter_cfg = self._counter_cfg(office, counter)
            if ticket.queue not in counter_cfg.weights:
                raise DomainError(
                    "queue_not_served",
                    f"Quầy {counter} không phục vụ hàng {ticket.queue}.",
                    f"Counter {counter} does not serve queue {ticket.queue}.",
                )
            state = self._seated_state(tx, office, counter, actor, need_open=True)
            self._end_current(tx, office, counter, actor)
            self._change(tx, ticket, A.CALL, actor=actor, counter=counter, options=ActOptions())
            state.priority_streak = state.priority_streak + 1 if ticket.priority else 0
            return self.view(tx, ticket)

    def expire_stale(self, *, office: str | None = None) -> int:
        """End the business day: expire open tickets of earlier days. History is kept."""
        office_cfg = self.office(office)
        system = Principal("system", 0, "day-end", Role.ADMIN)
        with UnitOfWork(self.ctx) as tx:
            today = business_day(tx.now, office_cfg.zone)
            stale = repo.open_tickets_before(tx, office=office_cfg.code, day=today)
            for ticket in stale:
                self._change(tx, ticket, A.EXPIRE, actor=system, counter=None, options=ActOptions())
        return len(stale)

    # ---- views ---------------------------------------------------------------------------------

    def view(self, tx: Transaction, ticket: TicketRow, *, newest: bool = False) -> TicketView:
        """The ticket as clients see it; `newest`: just issued, so everyone waiting in its line is ahead."""
        office = self.office(ticket.office)
        queue = office.queues.get(ticket.queue)
        waiting = ticket.status == TicketStatus.WAITING.value
        ahead = None
        if waiting:
            ahead = self._newest_ahead(tx, ticket) if newest else repo.people_ahead(tx, ticket)
        return TicketView(
            id=ticket.id,
            number=ticket.number,
            queue=ticket.queue,
            queue_name_vi=queue.name_vi if queue else ticket.queue,
            queue_name_en=queue.name_en if queue else ticket.queue,
            status=ticket.status,
            office=ticket.office,
            business_day=ticket.business_day,
            priority=ticket.priority,
            position=None if ahead is None else ahead + 1,
            people_ahead=ahead,
            estimated_wait_s=(
                (ticket.estimated_wait_s if newest else self._estimate(tx, ticket, office, ahead))
                if waiting
                else None
            ),
            issued_at=ticket.issued_at,
            called_at=ticket.called_at,
            started_at=ticket.started_at,
            ended_at=ticket.ended_at,
            counter=ticket.counter,
            recall_count=ticket.recall_count,
            outcome=ticket.outcome,
            public_code=ticket.public_code,
            appointment_at=ticket.appointment_at,
            dossier_code=(  # a ticket just issued has no case pointing at it yet
                None
                if newest
                else tx.session.scalar(select(Dossier.code).where(Dossier.ticket_id == ticket.id))
            ),
        )

    def queue_estimate(self, tx: Transaction, office: OfficeConfig, queue: str, waiting: int) -> int:
        """Expected wait of a ticket taken now at the back of `queue` (`waiting` people ahead of it)."""
        newcomer = calling.Candidate(id=NEWCOMER_ID, queue=queue, issued_at=tx.now, place_at=tx.now)
        return self._projected_wait(tx, office, newcomer, waiting)

    # ---- config lookups ------------------------------------------------------------------------

    def office(self, code: str | None) -> OfficeConfig:
        try:
            return self.ctx.config.office(code)
        except KeyError:
            raise NotFound("unknown_office", f"Không có đơn vị {code}.", f"Unknown office {code}.") from None

    def queue(self, office: OfficeConfig, code: str) -> QueueConfig:
        queue = office.queues.get(code.strip().upper())
        if queue is None:
            known = ", ".join(office.queues)
            raise NotFound(
                "unknown_queue",
                f"Không có hàng đợi '{code}'. Các hàng đợi: {known}.",
                f"Unknown queue '{code}'. Queues: {known}.",
            )
        return queue

    def check_priority(self, priority: str | None) -> None:
        if priority is not None and priority not in self.ctx.config.priority_groups:
            known = ", ".join(self.ctx.config.priority_groups)
            raise InvalidInput(
                "unknown_priority",
                f"Nhóm ưu tiên '{priority}' không có trong cấu hình ({known}).",
                f"Unknown priority group '{priority}' (known: {known}).",
            )

    # ---- internals -----------------------------------------------------------------------------

    def _counter_cfg(self, office: OfficeConfig, number: int) -> Any:
        counter = office.counters.get(number)
        if counter is None:
            raise NotFound("unknown_counter", f"Không có quầy số {number}.", f"Unknown counter {number}.")
        return counter

    def _load(self, tx: Transaction, ticket_id: int, for_update: bool = False) -> Ticket:
        ticket = repo.load(tx, ticket_id, for_update=for_update)
        if ticket is None:
            raise NotFound(
                "ticket_not_found", f"Không có số thứ tự mã {ticket_id}.", f"No ticket {ticket_id}."
            )
        return ticket

    def _seated_state(
        self, tx: Transaction, office: OfficeConfig, counter: int, actor: Principal, need_open: bool
    ) -> CounterState:
        state = tx.session.scalar(
            select(CounterState)
            .where(CounterState.office == office.code, CounterState.number == counter)
            .with_for_update()
        )
        if state is None or state.staff_id != actor.id or actor.kind != "user":
            raise Forbidden(
                "not_your_counter",
                f"Bạn chưa đăng nhập làm việc tại quầy {counter}.",
                f"You are not signed in at counter {counter}.",
            )
        if need_open and state.status != "open":
            raise DomainError(
                "counter_not_open",
                f"Quầy {counter} đang {'tạm dừng' if state.status == 'paused' else 'đóng'}.",
                f"Counter {counter} is {state.status}.",
            )
        return state

    def _seat_of(self, tx: Transaction, office: str, actor: Principal) -> int | None:
        return counter_repo.seat_of(tx.session, office, actor)

    def _acting_counter(
        self, tx: Transaction, actor: Principal, ticket: Ticket, action: TicketAction
    ) -> int | None:
        """Which counter acts; staff act only where they are seated, managers may act for any counter."""
        if actor.role in (Role.KIOSK, Role.DISPLAY):
            raise Forbidden(
                "role_forbidden", "Thiết bị này không được làm việc này.", "This device may not do that."
            )
        seat = self._seat_of(tx, ticket.office, actor)
        bound_to_ticket_counter = ticket.status in ("called", "serving", "on_hold") and action not in (
            A.CANCEL,
            A.REACTIVATE,
            A.EXPIRE,
        )
        if seat is None:
            if actor.is_manager:
                return ticket.counter if bound_to_ticket_counter else None
            raise Forbidden(
                "not_seated",
                "Bạn cần mở một quầy trước khi xử lý số thứ tự.",
                "Open a counter before acting on tickets.",
            )
        if not bound_to_ticket_counter and not actor.is_manager:
            served = self.office(ticket.office).counters[seat].weights
            if ticket.queue not in served:
                raise Forbidden(
                    "queue_not_served",
                    f"Quầy {seat} không phục vụ hàng {ticket.queue}.",
                    f"Counter {seat} does not serve queue {ticket.queue}.",
                )
        return seat

    def _check_transfer_target(self, office: OfficeConfig, ticket: Ticket, options: ActOptions) -> None:
        if options.to_queue is None:
            raise InvalidInput("queue_required", "Cần chọn hàng đợi để chuyển.", "A target queue is needed.")
        target = self.queue(office, options.to_queue)
        if (
            target.code == ticket.queue
            and not options.to_back
            and ticket.status == TicketStatus.WAITING.value
        ):
            raise InvalidInput(
                "same_queue", "Số này đã ở hàng đợi đó.", "The ticket already waits in that queue."
            )

    def _change(
        self,
        tx: Transaction,
        ticket: Ticket,
        action: TicketAction,
        *,
        actor: Principal,
        counter: int | None,
        options: ActOptions,
    ) -> None:
        office = self.office(ticket.office)
        now = tx.now
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
            at=now,
            counter=counter,
            business_day=business_day(now, office.zone),
            to_queue=options.to_queue.strip().upper() if options.to_queue else None,
            to_back=options.to_back,
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
        self._audit(tx, ticket, action.value, change.from_status.value, actor, counter, options.reason, data)
        extra = {"transition": data, "queues": self._queue_counts(tx, ticket, from_queue)}
        self._emit(tx, change.event_type, ticket, extra=extra)

    def _end_current(self, tx: Transaction, office: OfficeConfig, counter: int, actor: Principal) -> None:
        """Calling the next citizen ends the visit at this counter (serving → done, called → no-show)."""
        current = repo.current_ticket_of_counter(tx.session, office=office.code, counter=counter)
        if current is None:
            return
        action = A.FINISH if current.status == TicketStatus.SERVING.value else A.NO_SHOW
        options = ActOptions(reason="ended by the next call", outcome="ended_by_next_call")
        self._change(tx, current, action, actor=actor, counter=counter, options=options)

    def _call_by_rule(
        self,
        tx: Transaction,
        office: OfficeConfig,
        weights: dict[str, float],
        state: CounterState,
        actor: Principal,
    ) -> Ticket | None:
        day = business_day(tx.now, office.zone)

        def choose() -> tuple[Ticket, calling.CallDecision] | None:
            waiting = repo.waiting_tickets(tx, office=office.code, day=day, queues=list(weights))
            decision = calling.choose_next(
                (_candidate(t) for t in waiting),
                weights=weights,
                now=tx.now,
                priority_streak=state.priority_streak,
                rule=self.ctx.config.fairness,
            )
            if decision is None:
                return None
            return next(t for t in waiting if t.id == decision.ticket.id), decision

        def take(choice: tuple[Ticket, calling.CallDecision]) -> None:
            self._change(tx, choice[0], A.CALL, actor=actor, counter=state.number, options=ActOptions())
            state.priority_streak = choice[1].priority_streak

        busy = DomainError("busy", "Hệ thống đang bận, hãy gọi lại.", "Too much contention; call again.")
        chosen = first_won(choose, take, busy=busy)
        return chosen[0] if chosen else None

    def _audit(
        self,
        tx: Transaction,
        ticket: TicketRow,
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
        _INSERT_AUDIT.rows(tx, audit_row)

    def _emit(self, tx: Transaction, type_: str, ticket: TicketRow, extra: dict[str, Any]) -> None:
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

    def _queue_counts(self, tx: Transaction, ticket: TicketRow, *also: str) -> dict[str, dict[str, int]]:
        office = self.office(ticket.office)
        counts = self._snapshot(tx, office).waiting
        result = {}
        for code in {ticket.queue, *also}:
            waiting = counts.get(code, 0)
            result[code] = {
                "waiting": waiting,
                "estimated_wait_s": self.queue_estimate(tx, office, code, waiting),
            }
        return result

    def _estimate(
        self, tx: Transaction, ticket: TicketRow, office: OfficeConfig, ahead: int | None = None
    ) -> int:
        if ahead is None:
            ahead = repo.people_ahead(tx, ticket)
        return self._projected_wait(tx, office, _candidate(ticket), ahead)

    def _projected_wait(
        self, tx: Transaction, office: OfficeConfig, target: calling.Candidate, ahead: int
    ) -> int:
        """The calling rule played forward over everyone waiting now (domain/estimates.py); with no open
        desk for the line, or a very long wait list, the cheaper flow estimate."""
        snapshot = self._snapshot(tx, office)
        mean_s = self._mean_service(tx, office, target.queue)
        serving = [n for n in snapshot.open_counters if target.queue in _weights(office, n)]
        if not serving or sum(snapshot.waiting.values()) > PROJECTION_LIMIT:
            loads = self._counter_loads(tx, office, target.queue, mean_s)
            return expected_wait_s(people_ahead=ahead, mean_service_s=mean_s, counters=loads)
        times = self._call_times(tx, office, snapshot, target.queue)
        if target.id not in times:  # not reached before a newcomer of its line would be: play it alone
            times = self._call_times(tx, office, snapshot, target.queue, until=target)
        return round(times.get(target.id, 0.0))

    def _call_times(
        self,
        tx: Transaction,
        office: OfficeConfig,
        snapshot: repo.OfficeSnapshot,
        queue: str,
        until: calling.Candidate | None = None,
    ) -> dict[int, float]:
        """When each waiting ticket would be called, up to a newcomer at the back of `queue`: one play
        per line and live snapshot serves the new ticket, its line's estimate and the event."""
        memo = tx.cached(PLAYS)
        cached = memo.get(office.code)
        if cached is None or cached[0] is not snapshot:
            cached = memo[office.code] = (snapshot, self._waiting_candidates(tx, office), {})
        _, waiting, plays = cached
        if until is None and queue in plays:
            return plays[queue]
        now = tx.now
        means = {code: self._mean_service(tx, office, code) for code in office.queues}
        desks = []
        for number in snapshot.open_counters:
            weights = _weights(office, number)
            since = snapshot.busy_since.get(number)
            elapsed = (now - since).total_seconds() if since is not None else None
            busy_mean = sum(w * means.get(q, DEFAULT_SERVICE_S) for q, w in weights.items()) / (
                sum(weights.values()) or 1
            )
            desks.append(DeskNow(weights, remaining_service_s(elapsed, busy_mean)))
        last = until or calling.Candidate(id=NEWCOMER_ID, queue=queue, issued_at=now, place_at=now)
        times = projected_call_times(
            waiting=waiting if until is not None else [*waiting, last],
            desks=desks,
            mean_service_s=means,
            rule=self.ctx.config.fairness,
            now=now,
            until=last,
            default_service_s=DEFAULT_SERVICE_S,
        )
        if until is None:
            plays[queue] = times
        return times

    def _waiting_candidates(self, tx: Transaction, office: OfficeConfig) -> list[calling.Candidate]:
        """Everyone waiting today as the calling rule sees them (columns only, no ORM objects)."""
        day = business_day(tx.now, office.zone)
        rows = tx.session.execute(
            select(
                Ticket.id,
                Ticket.queue,
                Ticket.issued_at,
                Ticket.place_at,
                Ticket.priority,
                Ticket.appointment_at,
            )
            .where(
                Ticket.office == office.code,
                Ticket.status == TicketStatus.WAITING.value,
                Ticket.business_day == day,
            )
            .order_by(Ticket.place_at, Ticket.id)
        )
        return [calling.Candidate(*row) for row in rows]

    def _mean_service(self, tx: Transaction, office: OfficeConfig, queue: str) -> float:
        """Recent visit time at the desk, from the call to the end (walking up and no-shows included)."""
        now = tx.now
        cached = self._service_cache.get((office.code, queue))
        if cached is not None and timedelta(0) <= now - cached[1] < SERVICE_CACHE:
            return cached[0]
        since = now - timedelta(days=7)
        rows = tx.session.execute(
            select(Ticket.last_called_at, Ticket.ended_at)
            .where(
                Ticket.office == office.code,
                Ticket.queue == queue,
                Ticket.status.in_([TicketStatus.DONE.value, TicketStatus.NO_SHOW.value]),
                Ticket.ended_at >= since,
            )
            .order_by(Ticket.ended_at.desc())
            .limit(30)
        )
        samples = [(end - start).total_seconds() for start, end in rows if start and end]
        mean_s = robust_service_s(samples, default_s=DEFAULT_SERVICE_S)
        self._service_cache[(office.code, queue)] = (mean_s, now)
        return mean_s

    def _counter_loads(
        self, tx: Transaction, office: OfficeConfig, queue: str, mean_s: float
    ) -> list[CounterLoad]:
        """Open counters serving the queue: their share of calls for it and when they can call again."""
        now = tx.now
        snapshot = self._snapshot(tx, office)
        with_people = {code for code, n in snapshot.waiting.items() if n > 0}
        loads = []
        for number in snapshot.open_counters:
            weights = office.counters[number].weights if number in office.counters else {}
            if queue not in weights:
                continue
            since = snapshot.busy_since.get(number)
            elapsed = (now - since).total_seconds() if since is not None else None
            loads.append(
                CounterLoad(counter_share(weights, queue, with_people), remaining_service_s(elapsed, mean_s))
            )
        return loads

    def _newest_ahead(self, tx: Transaction, ticket: TicketRow) -> int:
        waiting = self._snapshot(tx, self.office(ticket.office)).waiting.get(ticket.queue, 1)
        return max(waiting - 1, 0)

    def _snapshot(self, tx: Transaction, office: OfficeConfig) -> repo.OfficeSnapshot:
        return repo.office_snapshot(tx, office=office.code, day=business_day(tx.now, office.zone))


def _weights(office: OfficeConfig, number: int) -> dict[str, float]:
    counter = office.counters.get(number)
    return counter.weights if counter is not None else {}


def _candidate(ticket: TicketRow) -> calling.Candidate:
    return calling.Candidate(
        id=ticket.id,
        queue=ticket.queue,
        issued_at=ticket.issued_at,
        place_at=ticket.place_at,
        priority=ticket.priority,
        appointment_at=ticket.appointment_at,
    )


def _check_capacity(queue: QueueConfig, sequence: int) -> None:
    issued_today = sequence - queue.number_start + 1
    if queue.daily_cap is not None and issued_today > queue.daily_cap:
        raise DomainError(
            "daily_cap_reached",
            f"Hàng '{queue.name_vi}' đã hết số hôm nay ({queue.daily_cap} số).",
            f"Queue '{queue.name_en or queue.code}' has reached its daily cap of {queue.daily_cap}.",
        )
    if sequence > queue.number_end:
        raise DomainError(
            "numbers_exhausted",
            f"Hàng '{queue.name_vi}' đã hết dải số hôm nay.",
            f"Queue '{queue.code}' has used its whole number range today.",
        )


def _check_same_request(existing: Ticket, queue: QueueConfig, priority: str | None) -> None:
    if existing.issued_queue != queue.code or existing.priority != priority:
        raise InvalidInput(
            "idempotency_key_reused",
            "Mã chống trùng này đã dùng cho một yêu cầu khác.",
            "This idempotency key was already used for a different request.",
        )
