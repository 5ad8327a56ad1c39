"""Wait estimates from the live state of an office: the inputs built once per transaction and live
snapshot (domain/estimates.py `estimate_inputs`), then the calling rule played forward with each ticket's
own priority and appointment (`wait_of`). The ticket view, the issue answer, the phone page and the
lines' figures on boards and kiosks all come from here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from queue_server.config import OfficeConfig, SystemConfig
from queue_server.db.unit_of_work import Slot, Transaction
from queue_server.domain import calling
from queue_server.domain.calendar import business_day
from queue_server.domain.estimates import (
    DEFAULT_SERVICE_S,
    PROJECTION_LIMIT,
    CounterLoad,
    EstimateInputs,
    OpenDesk,
    WaitEstimate,
    call_order,
    counter_share,
    estimate_inputs,
    expected_wait_s,
    remaining_service_s,
    robust_service_s,
    wait_of,
)
from queue_server.domain.tickets import TicketStatus
from queue_server.tables.tickets import Ticket, TicketRecord
from queue_server.tickets import repository as repo

SERVICE_CACHE = timedelta(seconds=30)
SERVICE_SAMPLES = 30  # the newest visits of a queue that make its mean
NEWCOMER_ID = 2**31 - 1  # a ticket taken now: after everyone on every tie (fits PostgreSQL INTEGER)
# A newcomer's play is keyed by its line and what the rule looks at: priority or not, its appointment.
PlayKey = tuple[str, bool, datetime | None]


class _Office:
    """One office's inputs for one live snapshot, and the plays already made from them."""

    def __init__(self, snapshot: repo.OfficeSnapshot, inputs: EstimateInputs) -> None:
        self.snapshot = snapshot
        self.inputs = inputs
        self.plays: dict[PlayKey, dict[int, float]] = {}


LIVE: Slot[dict[str, _Office]] = Slot("estimate inputs", dict)


def candidate(ticket: TicketRecord) -> calling.Candidate:
    return calling.Candidate(
        id=ticket.id,
        queue=ticket.queue,
        issued_at=ticket.issued_at,
        place_at=ticket.place_at,
        priority=ticket.priority,
        appointment_at=ticket.appointment_at,
        for_counter=getattr(ticket, "for_counter", None),
        from_counter=getattr(ticket, "from_counter", None),
    )


class Estimator:
    def __init__(self, config: SystemConfig) -> None:
        self.config = config
        self._service_cache: dict[tuple[str, str], tuple[float, datetime]] = {}

    def snapshot(self, tx: Transaction, office: OfficeConfig) -> repo.OfficeSnapshot:
        return repo.office_snapshot(tx, office=office.code, day=business_day(tx.now, office.zone))

    def for_ticket(self, tx: Transaction, ticket: TicketRecord) -> WaitEstimate:
        """A waiting ticket: when it is called and who of its line goes before it."""
        office = self.config.office(ticket.office)
        target = candidate(ticket)
        snapshot = self.snapshot(tx, office)
        if not self._plays(office, snapshot, ticket.queue):
            return self._flow(tx, office, snapshot, target, waiting_already=True)
        live = self._live(tx, office, snapshot)
        # Everyone called before a newcomer of the line: one play serves every ticket of the line.
        line = self._play(live, self._newcomer(tx, ticket.queue, None, None))
        return wait_of(target, live.inputs, order=line)

    def for_newcomer(
        self,
        tx: Transaction,
        office: OfficeConfig,
        queue: str,
        *,
        priority: str | None = None,
        appointment_at: datetime | None = None,
    ) -> WaitEstimate:
        """A ticket taken now in `queue`, with its own priority and appointment."""
        target = self._newcomer(tx, queue, priority, appointment_at)
        snapshot = self.snapshot(tx, office)
        if not self._plays(office, snapshot, queue):
            return self._flow(tx, office, snapshot, target, waiting_already=False)
        live = self._live(tx, office, snapshot)
        return wait_of(target, live.inputs, order=self._play(live, target))

    def line_wait_s(self, tx: Transaction, office: OfficeConfig, queue: str) -> int:
        """What boards and kiosks show for a line: the wait of a normal ticket taken now."""
        return self.for_newcomer(tx, office, queue).wait_s

    # ---- internals -------------------------------------------------------------------------------

    def _newcomer(
        self, tx: Transaction, queue: str, priority: str | None, appointment_at: datetime | None
    ) -> calling.Candidate:
        return calling.Candidate(NEWCOMER_ID, queue, tx.now, tx.now, priority, appointment_at)

    def _play(self, live: _Office, target: calling.Candidate) -> dict[int, float]:
        key = (target.queue, target.priority is not None, target.appointment_at)
        order = live.plays.get(key)
        if order is None:
            order = live.plays[key] = call_order(live.inputs, until=target)
        return order

    def _plays(self, office: OfficeConfig, snapshot: repo.OfficeSnapshot, queue: str) -> bool:
        """Play the rule when a desk serves the line and the list is short enough to play every call."""
        served = any(queue in office.weights_of(number) for number in snapshot.open_counters)
        return served and sum(snapshot.waiting.values()) <= PROJECTION_LIMIT

    def _flow(
        self,
        tx: Transaction,
        office: OfficeConfig,
        snapshot: repo.OfficeSnapshot,
        target: calling.Candidate,
        *,
        waiting_already: bool,
    ) -> WaitEstimate:
        """No desk open for the line (one free desk assumed), or a very long list: calls as a flow
        (domain/estimates.py expected_wait_s) over those of its line the rule puts before it."""
        if waiting_already or target.priority is not None or target.appointment_at is not None:
            day = business_day(tx.now, office.zone)
            ahead = repo.ahead_in_line(tx, office=office.code, day=day, target=target)
        else:  # a normal ticket taken now: everyone waiting in its line
            ahead = snapshot.waiting.get(target.queue, 0)
        mean_s = self._mean_service(tx, office, target.queue)
        with_people = {code for code, n in snapshot.waiting.items() if n > 0}
        loads = [
            CounterLoad(
                counter_share(office.weights_of(number), target.queue, with_people),
                remaining_service_s(_elapsed(tx.now, snapshot.busy_since.get(number)), mean_s),
            )
            for number in snapshot.open_counters
            if target.queue in office.weights_of(number)
        ]
        return WaitEstimate(expected_wait_s(people_ahead=ahead, mean_service_s=mean_s, counters=loads), ahead)

    def _live(self, tx: Transaction, office: OfficeConfig, snapshot: repo.OfficeSnapshot) -> _Office:
        """The inputs of the current live snapshot (read again after every status change)."""
        memo = tx.cached(LIVE)
        live = memo.get(office.code)
        if live is None or live.snapshot is not snapshot:
            live = memo[office.code] = _Office(snapshot, self._inputs(tx, office, snapshot))
        return live

    def _inputs(self, tx: Transaction, office: OfficeConfig, snapshot: repo.OfficeSnapshot) -> EstimateInputs:
        means = {code: self._mean_service(tx, office, code) for code in office.queues}
        desks = [
            OpenDesk(
                weights=office.weights_of(number),
                busy_for_s=_elapsed(tx.now, snapshot.busy_since.get(number)),
                busy_queue=snapshot.busy_queue.get(number),
                priority_streak=snapshot.streaks.get(number, 0),
            )
            for number in snapshot.open_counters
        ]
        waiting = self._waiting(tx, office)
        return estimate_inputs(
            waiting=waiting, desks=desks, means=means, rule=self.config.fairness, now=tx.now
        )

    def _waiting(self, tx: Transaction, office: OfficeConfig) -> list[calling.Candidate]:
        """Everyone waiting today as the calling rule sees them (columns only, no ORM objects)."""
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
                Ticket.business_day == business_day(tx.now, office.zone),
            )
            .order_by(Ticket.place_at, Ticket.id)
        )
        return [calling.Candidate(*row) for row in rows]

    def _mean_service(self, tx: Transaction, office: OfficeConfig, queue: str) -> float:
        """Recent visit time at the desk, from the call to the end (walking up and no-shows included)."""
        cached = self._service_cache.get((office.code, queue))
        if cached is not None and timedelta(0) <= tx.now - cached[1] < SERVICE_CACHE:
            return cached[0]
        rows = tx.session.execute(
            select(Ticket.last_called_at, Ticket.ended_at)
            .where(
                Ticket.office == office.code,
                Ticket.queue == queue,
                Ticket.status.in_([TicketStatus.DONE.value, TicketStatus.NO_SHOW.value]),
                Ticket.ended_at >= tx.now - timedelta(days=7),
            )
            .order_by(Ticket.ended_at.desc())
            .limit(SERVICE_SAMPLES)
        )
        samples = [(end - start).total_seconds() for start, end in rows if start and end]
        mean_s = robust_service_s(samples, default_s=DEFAULT_SERVICE_S)
        self._service_cache[(office.code, queue)] = (mean_s, tx.now)
        return mean_s


def _elapsed(now: datetime, since: datetime | None) -> float | None:
    return (now - since).total_seconds() if since is not None else None
