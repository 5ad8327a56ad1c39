"""Use cases around messages: attach a contact to a ticket, show a ticket's messages to staff, take
Zalo's delivery reports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.errors import NotFound
from queue_server.messages.contacts import (
    add_contact,
    masked,
    normalise_email,
    normalise_phone,
    require_consent,
)
from queue_server.messages.dispatcher import message_rows
from queue_server.messages.port import message_id_from_tracking
from queue_server.messages.zns_webhook import (
    RECEIVED,
    Received,
    WebhookNotSigned,
    check_fresh,
    open_envelope,
    read_received,
    signed_by,
)
from queue_server.phone_config import load_phone_config
from queue_server.tables.messages import MessageContact, OutboundMessage
from queue_server.tables.tickets import Ticket

# What a delivery report may turn into "delivered": also a message cut off mid-send (unconfirmed) or
# waiting for a retry (pending) — the phone has it, so it is never sent again.
REPORTABLE = ("sent", "sending", "pending", "unconfirmed", "failed")


class MessageService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    @property
    def phone_config(self) -> Any:
        return load_phone_config(self.ctx.settings.config_dir.resolve())

    def add_ticket_contact(
        self, *, ticket_id: int, phone: str | None, email: str | None, consent: bool
    ) -> dict[str, Any]:
        require_consent(consent)
        kind, address = (
            ("email", normalise_email(email)) if email else ("phone", normalise_phone(phone or ""))
        )
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(
                    "ticket_not_found", f"Không có số thứ tự mã {ticket_id}.", f"No ticket {ticket_id}."
                )
            contact = add_contact(
                session,
                office=ticket.office,
                ticket_id=ticket.id,
                address=address,
                kind=kind,
                notify_ahead=self.phone_config.messages.notify_ahead,
                now=self.ctx.clock(),
            )
            return {"ticket_id": ticket_id, "kind": kind, "contact": masked(contact.address)}

    def ticket_messages(self, *, ticket_id: int) -> list[dict[str, Any]]:
        with self.ctx.db.read() as session:
            office = session.scalar(select(Ticket.office).where(Ticket.id == ticket_id))
            zone = self.ctx.config.offices[office].zone if office in self.ctx.config.offices else None
            time_zone = (zone or self.ctx.config.default_office.zone).key  # times shown as the office's clock
            contacts = {
                c.id: c
                for c in session.scalars(select(MessageContact).where(MessageContact.ticket_id == ticket_id))
            }
            return [
                {
                    "id": row.id,
                    "kind": row.kind,
                    "status": row.status,
                    "channel": row.channel,
                    "to": masked(contacts[row.contact_id].address) if row.contact_id in contacts else "",
                    "attempts": row.attempts,
                    "created_at": row.created_at.isoformat(),
                    "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                    "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
                    "last_error": row.last_error,
                    "text": row.text,
                    "time_zone": time_zone,
                }
                for row in message_rows(session, ticket_id=ticket_id)
            ]

    def zns_event(self, raw: bytes, signature: str | None) -> dict[str, Any]:
        """A call of Zalo's webhook: authenticated by the OA secret key of an office using that app;
        `user_received_message` marks the message it names (by tracking_id, else msg_id) received,
        once; other events are acknowledged and ignored. A bad call changes nothing."""
        envelope = open_envelope(raw)
        offices = [
            code
            for code, office in self.phone_config.offices.items()
            if office.zns_app_id
            and office.zns_app_id == envelope.app_id
            and signed_by(signature, envelope, raw, office.zns_oa_secret_key)
        ]
        if not offices:
            raise WebhookNotSigned(
                "zns_not_signed",
                "Chữ ký X-ZEvent-Signature thiếu hoặc không đúng cho ứng dụng Zalo này.",
                "X-ZEvent-Signature is missing or does not fit this Zalo app.",
            )
        check_fresh(envelope, self.ctx.clock())  # signed, but played back later: refused, nothing changes
        if envelope.event != RECEIVED:
            return {"event": envelope.event, "matched": False, "status": None}
        received = read_received(envelope)
        with UnitOfWork(self.ctx) as tx:
            row = _reported(tx.session, received, offices)
            if row is None:  # not ours (another system on this app) or long purged: nothing to do
                return {"event": envelope.event, "matched": False, "status": None}
            tx.session.execute(
                update(OutboundMessage)
                .where(OutboundMessage.id == row.id, OutboundMessage.status.in_(REPORTABLE))
                .values(
                    status="delivered",
                    delivered_at=received.delivered_at,
                    provider_id=row.provider_id or received.msg_id,
                )
            )
            tx.session.refresh(row)
            return {"event": envelope.event, "matched": True, "status": row.status}


def _reported(session: Session, received: Received, offices: list[str]) -> OutboundMessage | None:
    """The message a report names: its tracking_id (any attempt), else Zalo's msg_id; only of the
    offices whose key signed the call, and never one whose msg_id says it is another message."""
    message_id = message_id_from_tracking(received.tracking_id)
    row = session.get(OutboundMessage, message_id) if message_id is not None else None
    if row is None:
        row = session.scalar(select(OutboundMessage).where(OutboundMessage.provider_id == received.msg_id))
    if row is None or row.office not in offices:
        return None
    if row.provider_id and row.provider_id != received.msg_id:
        return None
    return row
