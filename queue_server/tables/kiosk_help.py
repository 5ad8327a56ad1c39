"""A kiosk's call for a staff member ("Gọi cán bộ hỗ trợ"), open until someone says they went or the citizen
leaves the kiosk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class HelpCall(Base):
    __tablename__ = "help_call"
    __table_args__ = (Index("ix_help_call_office", "office", "answered_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    office: Mapped[str] = mapped_column(String(16))
    device_id: Mapped[int] = mapped_column(Integer)
    kiosk: Mapped[str] = mapped_column(String(64))  # the device's name, as staff know it ("kiosk-sanh")
    # The device id while the call is open, NULL once answered: one open call per kiosk, kept by the database.
    open_for: Mapped[int | None] = mapped_column(Integer, unique=True)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime())
    alerted_at: Mapped[datetime] = mapped_column(UtcDateTime())  # the last time staff were told
    presses: Mapped[int] = mapped_column(Integer, default=1)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    answered_by: Mapped[str | None] = mapped_column(String(64))  # username
    answered_by_name: Mapped[str | None] = mapped_column(String(120))
    # Closed without anyone going: when, and why (a Withdrawal: the citizen left the kiosk).
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(String(32))
