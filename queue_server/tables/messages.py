"""Who may be messaged (with consent) and the message outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class MessageContact(Base):
    """A phone number (or e-mail) a citizen gave, with consent, for one ticket or appointment.

    The address is emptied by the purge (and when the visit ends long enough ago); the row stays so the
    messages sent to it can still be counted.
    """

    __tablename__ = "message_contact"
    __table_args__ = (Index("ix_message_contact_open", "office", "address", "purged_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    appointment_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(8))  # phone, email
    address: Mapped[str | None] = mapped_column(String(120))  # None once purged
    notify_ahead: Mapped[int] = mapped_column(Integer)  # "sắp đến lượt" when this many are ahead
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class OutboundMessage(Base):
    """One message to one contact, written in the same transaction as the event that causes it.

    `key` is unique per event and kind, so planning the same event twice writes it once; the dispatcher
    marks a row `sending` (committed) before handing it to the gateway and `sent` after, so a crash in
    between leaves a row that is never sent a second time by a gateway that cannot deduplicate.
    """

    __tablename__ = "message_outbox"
    __table_args__ = (Index("ix_message_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    office: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[int] = mapped_column(Integer, index=True)
    ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    channel: Mapped[str | None] = mapped_column(String(8))
    text: Mapped[str | None] = mapped_column(String(640))
    provider_id: Mapped[str | None] = mapped_column(String(80), index=True)
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
