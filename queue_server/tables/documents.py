"""Documents (giấy tờ) of a citizen and their page files, stored by content hash."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_citizen_type", "citizen_id", "type_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id"))
    type_code: Mapped[str] = mapped_column(String(32))
    # The national paper code <personal ID>.<type code> is personal data: sealed, found by a keyed hash.
    code_hash: Mapped[str] = mapped_column(String(64), index=True)
    code_enc: Mapped[str] = mapped_column(String(160))
    code_key: Mapped[str] = mapped_column(String(16))
    issued_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))  # kiosk, counter, issued (by the office)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    first_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # first dossier that used it
    # When the state came to hold it: an officer checked it in a case that reached a result (or issued it).
    on_file_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DocumentPage(Base):
    __tablename__ = "document_page"
    __table_args__ = (UniqueConstraint("document_id", "number", name="uq_document_page_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
