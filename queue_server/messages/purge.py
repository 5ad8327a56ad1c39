"""The phone's part of `motcua purge`: numbers, names and hashes past the retention period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from queue_server.tables.appointments import Appointment
from queue_server.tables.dossiers import Dossier
from queue_server.tables.messages import MessageContact, OutboundMessage
from queue_server.tables.phone import PhoneCode, RemoteTicket


def purge_phone_data(session: Session, *, now: datetime, cutoff: datetime) -> int:
    """Empty the contacts given before `cutoff` whose case (if any) is settled and purged too; cancel
    what was still to be sent to them; drop old one-time codes, phone hashes and booking names.
    Answers how many contacts were emptied. Message rows stay (kind, status, times) for the counts."""
    live_case = exists().where(Dossier.ticket_id == MessageContact.ticket_id, Dossier.purged_at.is_(None))
    contacts = list(
        session.scalars(
            select(MessageContact.id).where(
                MessageContact.purged_at.is_(None), MessageContact.consent_at < cutoff, ~live_case
            )
        )
    )
    if contacts:
        session.execute(
            update(MessageContact).where(MessageContact.id.in_(contacts)).values(address=None, purged_at=now)
        )
        session.execute(
            update(OutboundMessage)
            .where(OutboundMessage.contact_id.in_(contacts), OutboundMessage.status == "pending")
            .values(status="cancelled", last_error="contact purged")
        )
    session.execute(delete(PhoneCode).where(PhoneCode.created_at < cutoff))
    session.execute(update(RemoteTicket).where(RemoteTicket.issued_at < cutoff).values(phone_hash=""))
    session.execute(
        update(Appointment)
        .where(Appointment.slot_start < cutoff, Appointment.citizen_name.is_not(None))
        .values(citizen_name=None)
        .execution_options(synchronize_session=False)
    )
    return len(contacts)
