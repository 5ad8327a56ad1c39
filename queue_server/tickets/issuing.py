"""Issuing a number: the office must be open, the line under its daily cap and number range; the ticket
is written once, with its estimate, and its issue is audited and announced."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from queue_server.auth.principal import Principal
from queue_server.config import OfficeConfig, QueueConfig
from queue_server.db.unit_of_work import Slot, Transaction
from queue_server.domain.calendar import business_day, check_open, check_open_early
from queue_server.domain.errors import DomainError, InvalidInput
from queue_server.domain.estimates import WaitEstimate
from queue_server.domain.tickets import TicketStatus
from queue_server.tables.tickets import NewTicket, Ticket
from queue_server.tickets import repository as repo
from queue_server.tickets.acting import TicketActions
from queue_server.tickets.estimates import Estimator

# The estimate each ticket issued in this transaction was given (its view answers it without a replay).
ISSUED: Slot[dict[int, WaitEstimate]] = Slot("issued estimates", dict)


class Issuer:
    def __init__(self, estimates: Estimator, actions: TicketActions) -> None:
        self.estimates = estimates
        self.actions = actions

    def issue(
        self,
        tx: Transaction,
        *,
        actor: Principal,
        office: OfficeConfig,
        queue: QueueConfig,
        priority: str | None,
        idempotency_key: str | None,
        appointment_at: datetime | None,
        early: timedelta | None = None,
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
        check_capacity(queue, sequence)
        # Estimated before writing, with the ticket's own priority and appointment, so the row is written once.
        estimate = self.estimates.for_newcomer(
            tx, office, queue.code, priority=priority, appointment_at=appointment_at
        )
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
            estimated_wait_s=estimate.wait_s,
        )
        repo.insert_ticket(tx, ticket)
        tx.cached(ISSUED)[ticket.id] = estimate
        self.actions.audit(tx, ticket, "issue", None, actor, counter=None, reason=None)
        self.actions.emit(
            tx, "ticket.issued", ticket, extra={"queues": self.actions.queue_counts(tx, ticket)}
        )
        return ticket


def check_capacity(queue: QueueConfig, sequence: int) -> None:
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


def check_same_request(existing: Ticket, queue: QueueConfig, priority: str | None) -> None:
    """A known idempotency key must come with the request it was first used for."""
    if existing.issued_queue != queue.code or existing.priority != priority:
        raise InvalidInput(
            "idempotency_key_reused",
            "Mã chống trùng này đã dùng cho một yêu cầu khác.",
            "This idempotency key was already used for a different request.",
        )
