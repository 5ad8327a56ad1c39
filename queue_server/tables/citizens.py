"""Citizens (found by a keyed hash of the 12-digit ID, the number itself sealed), what kiosks claimed about
them, the officers' card checks, and the audit of people's reads of personal data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from queue_server.db.base import Base, UtcDateTime


class Citizen(Base):
    """A person as the office knows them: facts only an officer who checked the card has set."""

    __tablename__ = "citizen"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    personal_id_hash: Mapped[str] = mapped_column(String(64), unique=True)  # HMAC-SHA256, for look-ups
    personal_id_enc: Mapped[str] = mapped_column(String(160))  # AES-GCM, base64(nonce + ciphertext)
    personal_id_key: Mapped[str] = mapped_column(String(16))  # the key id that sealed it
    full_name: Mapped[str | None] = mapped_column(String(120))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(8))
    address: Mapped[str | None] = mapped_column(String(300))
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    verified_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CitizenClaim(Base):
    """What a kiosk was told (a card's QR, a typed number, later a chip read): kept with the case, never
    copied onto the person. The kiosk holds the token; only its hash is stored."""

    __tablename__ = "citizen_claim"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizen.id"), index=True)
    source: Mapped[str] = mapped_column(String(24))  # qr, typed, chip-genuine, chip-not-verifiable, legacy
    full_name: Mapped[str | None] = mapped_column(String(120))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(8))
    address: Mapped[str | None] = mapped_column(String(300))
    # The chip's face photo (DG2) as read, for the officer to compare with the person at the counter.
    face_image: Mapped[bytes | None] = mapped_column(LargeBinary)
    face_format: Mapped[str | None] = mapped_column(String(12))  # jpeg, jpeg2000
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class ChipChallenge(Base):
    """A one-time nonce the server gave one device for one chip read: the chip signs it (active
    authentication), so a read captured earlier cannot be sent again as a fresh one."""

    __tablename__ = "chip_challenge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    nonce: Mapped[str] = mapped_column(String(16), unique=True)  # 8 random bytes, hex
    device: Mapped[str] = mapped_column(String(64))  # the principal it was given to
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CitizenVerification(Base):
    """Append-only: an officer checked the card and set the person's facts (which fields, not the values)."""

    __tablename__ = "citizen_verification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[int] = mapped_column(Integer, index=True)  # no foreign key: survives a purge
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    office: Mapped[str | None] = mapped_column(String(16))
    counter: Mapped[int | None] = mapped_column(Integer)
    card_check: Mapped[str] = mapped_column(String(16))  # card_shown, chip_read
    changed: Mapped[list[str] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(String(200))


class PersonalDataAccess(Base):
    """Append-only: who read which citizen's data, when, what (documents, dossiers, the citizen) and why."""

    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))  # citizen.read, documents.list, document.read, ...
    citizen_id: Mapped[int | None] = mapped_column(Integer, index=True)  # no foreign key: survives a purge
    document_id: Mapped[int | None] = mapped_column(Integer)
    dossier_code: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(120))
    route: Mapped[str | None] = mapped_column(String(120))  # the API route that read it: the why
