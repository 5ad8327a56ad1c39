from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class EventLog(Base):
    """The event stream, written in the same transaction as the change it reports (an outbox)."""

    __tablename__ = "event_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    office: Mapped[str] = mapped_column(String(16), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class OpenAlert(Base):
    """An alert open now, one row per condition (office, kind, key) for every server process: the process
    whose insert lands raises it, the one whose delete lands clears it; the rest find it done."""

    __tablename__ = "open_alert"

    office: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    since: Mapped[datetime] = mapped_column(UtcDateTime())
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime())
    alert: Mapped[dict[str, Any]] = mapped_column(JSON)  # as raised: messages, figures
