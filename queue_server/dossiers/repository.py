"""Dossier queries. Repositories query and flush; they never commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from queue_server.domain.dossiers import format_dossier_code, parse_dossier_code
from queue_server.domain.errors import NotFound
from queue_server.dossiers.models import Dossier, DossierSequence


def dossier_not_found() -> NotFound:
    return NotFound("dossier_not_found", "Không tìm thấy hồ sơ.", "No such dossier.")


def next_dossier_sequence(session: Session, *, office: str, day: date) -> int:
    """Atomically take the office's next dossier number of the day (one upsert, as for tickets)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(DossierSequence)
        .values(office=office, business_day=day, last_number=1)
        .on_conflict_do_update(
            index_elements=["office", "business_day"],
            set_={"last_number": DossierSequence.last_number + 1},
        )
        .returning(DossierSequence.last_number)
    )
    return int(session.execute(statement).scalar_one())


def load_dossier(session: Session, code: str, for_update: bool = False) -> Dossier:
    """The dossier of a code as written by a person (case and spaces forgiven), or dossier_not_found."""
    parsed = parse_dossier_code(code)
    if parsed is None:
        raise dossier_not_found()
    query = select(Dossier).where(
        Dossier.code == format_dossier_code(parsed.office, parsed.day, parsed.sequence)
    )
    if for_update:
        query = query.with_for_update()
    dossier = session.scalar(query)
    if dossier is None:
        raise dossier_not_found()
    return dossier


def find_by_code(session: Session, code: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.code == code)) if parse_dossier_code(code) else None


def dossier_code_of_ticket(session: Session, ticket_id: int) -> str | None:
    return session.scalar(select(Dossier.code).where(Dossier.ticket_id == ticket_id).limit(1))
