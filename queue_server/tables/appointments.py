from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class Appointment(Base):
    __tablename__ = "appointment"
    __table_args__ = (Index("ix_appointment_slot", "office", "queue", "slot_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    office: Mapped[str] = mapped_column(String(16))
    queue: Mapped[str] = mapped_column(String(8))
    slot_start: Mapped[datetime] = mapped_column(UtcDateTime())
    citizen_hash: Mapped[str] = mapped_column(String(64), index=True)  # keyed hash of the ID number
    citizen_last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(12))  # booked, checked_in, cancelled
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    # Booked from the phone page: the citizen's name (emptied by the purge) and the secret of the link
    # that shows, moves or cancels the booking.
    citizen_name: Mapped[str | None] = mapped_column(String(80))
    manage_token: Mapped[str | None] = mapped_column(String(32), unique=True)
