"""One-time codes that confirm a phone number, and which phone took which remote ticket (as a keyed hash)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class PhoneCode(Base):
    """A one-time code sent to a phone; only keyed hashes of the number and of the code are stored."""

    __tablename__ = "phone_code"
    __table_args__ = (Index("ix_phone_code_phone", "office", "phone_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office: Mapped[str] = mapped_column(String(16))
    phone_hash: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    contact_id: Mapped[int | None] = mapped_column(Integer)  # where the code was sent; emptied once used


class RemoteTicket(Base):
    """A ticket taken from a phone: its phone (keyed hash) for "one open ticket per phone" and the caps."""

    __tablename__ = "remote_ticket"
    __table_args__ = (
        Index("ix_remote_ticket_phone", "office", "phone_hash"),
        Index("ix_remote_ticket_day", "office", "queue", "business_day"),
    )

    ticket_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(8))
    business_day: Mapped[date] = mapped_column(Date)
    phone_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
