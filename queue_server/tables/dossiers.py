"""Dossiers (hồ sơ), their daily numbering, their papers and their append-only audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class Dossier(Base):
    __tablename__ = "dossier"
    __table_args__ = (
        UniqueConstraint("office", "business_day", "sequence", name="uq_dossier_number"),
        UniqueConstraint("office", "idempotency_key", name="uq_dossier_idempotency"),
        Index("ix_dossier_day", "office", "business_day", "procedure_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    office: Mapped[str] = mapped_column(String(16))
    business_day: Mapped[date] = mapped_column(Date)  # the office's day of submission
    sequence: Mapped[int] = mapped_column(Integer)
    procedure_code: Mapped[str] = mapped_column(String(24))
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizen.id"), index=True)  # None once purged
    # What the kiosk was told about the citizen for this case (name on the receipt); None once purged.
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("citizen_claim.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    form_data: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # None once purged
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    counting_from: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("ticket.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(500))  # the last reason given (refusal, request)
    requested_papers: Mapped[list[str] | None] = mapped_column(JSON)
    papers_reused: Mapped[int] = mapped_column(Integer, default=0)
    papers_new: Mapped[int] = mapped_column(Integer, default=0)
    papers_resupplied: Mapped[int] = mapped_column(Integer, default=0)  # new uploads of papers on file
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    purged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    original_due_date: Mapped[date | None] = mapped_column(Date)  # before a late-handling extension


class DossierSequence(Base):
    """The last dossier number handed out per office and day (one upsert, like ticket numbers)."""

    __tablename__ = "dossier_sequence"

    office: Mapped[str] = mapped_column(String(16), primary_key=True)
    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class DossierDocument(Base):
    """A paper of a dossier: a document on file (reused) or uploaded for it."""

    __tablename__ = "dossier_document"
    __table_args__ = (UniqueConstraint("dossier_id", "type_code", name="uq_dossier_document_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"), index=True)  # None once purged
    type_code: Mapped[str] = mapped_column(String(32))
    reused: Mapped[bool] = mapped_column(Boolean)
    resupplied: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())


class DossierEvent(Base):
    """Append-only audit of every change of a dossier: who, where, when, from, to, why."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    counter: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(500))  # None once purged (free text may name people)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DossierCheck(Base):
    """An officer's "checked against the original" tick: per paper (its type code) or for the identity."""

    __tablename__ = "dossier_check"
    __table_args__ = (UniqueConstraint("dossier_id", "subject", name="uq_dossier_check_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    subject: Mapped[str] = mapped_column(String(32))  # "identity" or a document type code
    checked_by: Mapped[str] = mapped_column(String(64))
    checked_at: Mapped[datetime] = mapped_column(UtcDateTime())
    counter: Mapped[int | None] = mapped_column(Integer)
