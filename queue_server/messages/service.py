"""Use cases around messages: attach a contact to a ticket, show a ticket's messages to staff."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

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
from queue_server.messages.models import MessageContact
from queue_server.phone.config import load_phone_config
from queue_server.tickets.models import Ticket


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
                }
                for row in message_rows(session, ticket_id=ticket_id)
            ]
