"""Sending the message outbox: claim due rows, hand each to its office's gateway, record the outcome.

At most once: a row is marked `sending` (committed) before it is handed over and `sent` after. A process
killed in between leaves it `sending`; once its claim is older than the lease it becomes `unconfirmed` —
shown to staff, never sent again. A gateway that is down or throttling gets the row back as `pending`
with a capped exponential back-off; after `max_attempts`, or when refused for good, it is `failed`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.calendar import business_day
from queue_server.messages.planner import plan_day_before, plan_overdue
from queue_server.messages.port import (
    MessageSender,
    OutgoingMessage,
    Receipt,
    SendFailed,
    tracking_id_for,
)
from queue_server.messages.templates import SUBJECTS, render, unaccented
from queue_server.messages.urls import sender_for_url
from queue_server.phone_config import PhoneConfig, load_phone_config
from queue_server.tables.messages import MessageContact, OutboundMessage

log = logging.getLogger(__name__)
SECRET_KINDS = frozenset({"one_time_code"})
_LONG_NUMBER = re.compile(r"\d{9,}")  # phone numbers (10–11 digits), not SMPP status codes
WAKING_EVENTS = frozenset(
    {"ticket.called", "ticket.cancelled", "ticket.transferred", "ticket.no_show", "appointment.booked",
     "appointment.moved", "dossier.receive", "dossier.request_papers", "dossier.finish"}
)  # fmt: skip


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    office: str
    kind: str
    data: dict[str, Any]
    attempts: int
    address: str | None


class MessageDispatcher:
    def __init__(
        self,
        ctx: ServerContext,
        *,
        senders: dict[str, MessageSender] | None = None,
        after_handover: Callable[[Claimed], None] | None = None,
    ) -> None:
        self.ctx = ctx
        self.config: PhoneConfig = load_phone_config(ctx.settings.config_dir.resolve())
        self.senders = senders if senders is not None else self._senders_from_config()
        self._after_handover = after_handover  # tests: a crash between the gateway and the status write
        self._planned_day: dict[str, object] = {}
        self._paper_names = _paper_names(ctx)

    @property
    def active(self) -> bool:
        return bool(self.senders)

    def run_once(self) -> int:
        """One pass: time-based plans, stale claims, due messages, receipts. Answers how many were handed over."""
        self.plan_scheduled()
        self.recover_cut_off()
        handed = 0
        for message_id in self.due():
            message = self.claim(message_id)
            if message is not None:
                self._deliver(message)
                handed += 1
        self.poll_receipts()
        return handed

    async def run_forever(self) -> None:
        """Pass after pass; idle, it sleeps until an event that may have planned messages (a call, a
        case change, a booking) or `poll_s` (codes, retries, the schedule), whichever comes first."""
        wake = asyncio.Event()
        self.ctx.hub.add_listener(lambda event: wake.set() if event["type"] in WAKING_EVENTS else None)
        while True:
            wake.clear()
            try:
                handed = await asyncio.to_thread(self.run_once)
            except Exception:  # a broken pass must not end sending for good
                log.exception("message dispatcher pass failed")
                handed = 0
            if not handed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self.config.messages.poll_s)

    def close(self) -> None:
        for sender in self.senders.values():
            sender.close()

    # ---- the steps -----------------------------------------------------------------------------

    def due(self) -> list[int]:
        """Messages due now, oldest first (a read: nothing is claimed yet)."""
        with self.ctx.db.read() as session:
            return list(
                session.scalars(
                    select(OutboundMessage.id)
                    .where(
                        OutboundMessage.status == "pending",
                        OutboundMessage.next_attempt_at <= self.ctx.clock(),
                        OutboundMessage.office.in_(list(self.senders)),
                    )
                    .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
                    .limit(self.config.messages.batch)
                )
            )

    def claim(self, message_id: int) -> Claimed | None:
        """Mark one message `sending` (committed) right before it is handed over, so a process that dies
        holds at most that one; None if another sender took it first or its contact was purged."""
        now = self.ctx.clock()
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            claimed = session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == message_id, OutboundMessage.status == "pending")
                .values(status="sending", claimed_at=now, attempts=OutboundMessage.attempts + 1)
            )
            if not claimed.rowcount:  # type: ignore[attr-defined]
                return None
            row, address = session.execute(
                select(OutboundMessage, MessageContact.address)
                .join(MessageContact, MessageContact.id == OutboundMessage.contact_id)
                .where(OutboundMessage.id == message_id)
            ).one()
            if address is None:  # the contact was purged meanwhile
                row.status, row.last_error = "cancelled", "contact purged"
                return None
            return Claimed(row.id, row.key, row.office, row.kind, dict(row.data), row.attempts, address)

    def recover_cut_off(self) -> int:
        now = self.ctx.clock()
        lease = timedelta(seconds=self.config.messages.claim_lease_s)
        with self.ctx.db.read() as session:  # most passes find nothing: no write transaction for them
            stale = session.scalar(
                select(OutboundMessage.id)
                .where(OutboundMessage.status == "sending", OutboundMessage.claimed_at < now - lease)
                .limit(1)
            )
        if stale is None:
            return 0
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            result = session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.status == "sending", OutboundMessage.claimed_at < now - lease)
                .values(status="unconfirmed", last_error="cut off while sending; not sent again")
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def poll_receipts(self) -> None:
        for sender in self.senders.values():
            sender.poll_receipts(self._record_receipt)

    def plan_scheduled(self) -> None:
        """Reminders for tomorrow's appointments and apologies for overdue cases, once per office-day."""
        now = self.ctx.clock()
        for code in self.senders:
            office = self.ctx.config.offices.get(code)
            if office is None:
                continue
            today = business_day(now, office.zone)
            if self._planned_day.get(code) == today:
                continue
            tomorrow = datetime.combine(today + timedelta(days=1), time(0), office.zone)
            with UnitOfWork(self.ctx) as tx:
                session = tx.session
                plan_day_before(
                    session,
                    office=code,
                    tomorrow_start=tomorrow,
                    tomorrow_end=tomorrow + timedelta(days=1),
                    now=now,
                )
                plan_overdue(session, office=code, today=today, now=now)
            self._planned_day[code] = today

    # ---- internals -----------------------------------------------------------------------------

    def _deliver(self, message: Claimed) -> None:
        sender = self.senders[message.office]
        outgoing = self.compose(message, sender.channel)
        try:
            provider_id = sender.send(outgoing)
        except SendFailed as failure:
            self._record_failure(message, failure, outgoing)
            return
        if self._after_handover is not None:
            self._after_handover(message)
        now = self.ctx.clock()
        secret = message.kind in SECRET_KINDS  # a one-time code is not kept once it has gone
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == message.id, OutboundMessage.status == "sending")
                .values(
                    status="sent",
                    sent_at=now,
                    provider_id=provider_id[:80] or None,
                    channel=sender.channel,
                    text=None if secret else outgoing.text[:640],
                    data={} if secret else message.data,
                    last_error=None,
                )
            )

    def compose(self, message: Claimed, channel: str) -> OutgoingMessage:
        office = self.ctx.config.offices.get(message.office)
        phone_office = self.config.office(message.office)
        data = dict(message.data)
        name = office.name_vi if office else message.office
        if office is not None and data.get("queue") in office.queues:
            data["queue"] = office.queues[data["queue"]].name_vi
        if data.get("papers"):  # type codes → what the citizen calls them
            data["papers"] = [self._paper_names.get(code, code) for code in data["papers"]]
        if data.get("manage_token"):
            data["link"] = f"{self.ctx.settings.public_url.rstrip('/')}/p/booking/{data['manage_token']}"
        zone = office.zone if office else self.ctx.config.default_office.zone
        text = render(message.kind, data, office_name=name, zone=zone)
        subject = SUBJECTS.get(message.kind, "")
        if phone_office.unaccented:
            text, subject = unaccented(text), unaccented(subject)
        fields = {k: str(v) for k, v in data.items() if k not in ("manage_token", "papers")}
        if "papers" in data:
            fields["papers"] = ", ".join(str(p) for p in data["papers"])
        return OutgoingMessage(
            key=message.key,
            tracking_id=tracking_id_for(message.id),
            to=message.address or "",
            kind=message.kind,
            text=text,
            subject=subject,
            template_data=fields,
        )

    def _record_failure(self, message: Claimed, failure: SendFailed, outgoing: OutgoingMessage) -> None:
        now = self.ctx.clock()
        settings = self.config.messages
        if failure.maybe_sent:
            status = "unconfirmed"
        elif failure.retry and message.attempts < settings.max_attempts:
            status = "pending"
        else:
            status = "failed"
        delay = min(settings.backoff_first_s * 2 ** (message.attempts - 1), settings.backoff_cap_s)
        reason = _LONG_NUMBER.sub("…", failure.reason)  # a gateway's words may echo the number
        log.warning("message %s: %s (%s)", message.id, reason, status)  # no number, no text
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == message.id, OutboundMessage.status == "sending")
                .values(
                    status=status,
                    next_attempt_at=now + timedelta(seconds=delay),
                    last_error=reason[:200],
                    text=outgoing.text[:640]
                    if failure.maybe_sent and message.kind not in SECRET_KINDS
                    else None,
                )
            )

    def _record_receipt(self, receipt: Receipt) -> None:
        now = self.ctx.clock()
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.provider_id == receipt.provider_id, OutboundMessage.status == "sent")
                .values(
                    status="delivered" if receipt.delivered else "undelivered",
                    delivered_at=now if receipt.delivered else None,
                    last_error=None if receipt.delivered else receipt.detail[:200],
                )
            )

    def _senders_from_config(self) -> dict[str, MessageSender]:
        senders: dict[str, MessageSender] = {}
        for code, office in self.config.offices.items():
            if office.sender:
                senders[code] = sender_for_url(office.sender, zns_templates=office.zns_templates)
        return senders


def _paper_names(ctx: ServerContext) -> dict[str, str]:
    from queue_server.config import ConfigError
    from queue_server.procedures.catalogue import load_catalogue

    try:
        return {code: kind.name_vi for code, kind in load_catalogue(ctx.config).document_types.items()}
    except ConfigError:  # no catalogue: the codes themselves
        return {}


def message_rows(session: Session, *, ticket_id: int) -> list[OutboundMessage]:
    return list(
        session.scalars(
            select(OutboundMessage).where(OutboundMessage.ticket_id == ticket_id).order_by(OutboundMessage.id)
        )
    )
