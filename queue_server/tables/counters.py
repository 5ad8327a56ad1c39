from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime
from queue_server.domain.counters import CounterStatus

__all__ = ["CounterState", "CounterStatus"]


class CounterState(Base):
    """The live state of a desk; its definition (queues, weights) lives in config."""

    __tablename__ = "counter_state"

    office: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(8), default=CounterStatus.CLOSED.value)  # a CounterStatus
    staff_id: Mapped[int | None] = mapped_column(Integer)
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)
    # When the officer's console was last connected (counters/presence.py); None: never seen by a console.
    console_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
