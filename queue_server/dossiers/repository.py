"""Dossier queries. Repositories query and flush; they never commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from queue_server.db.prepared import Prepared
from queue_server.domain.dossiers import format_dossier_code, parse_dossier_code
from queue_server.domain.errors import NotFound
from queue_server.tables.dossiers import Dossier, DossierSequence


def dossier_not_found() -> NotFound:
    return NotFound("dossier_not_found", "Không tìm thấy hồ sơ.", "No such dossier.")


_sequences: Table = DossierSequence.__table__  # type: ignore[assignment]
_NEXT_NUMBER = Prepared.upsert(
    _sequences,
    values={"office": bindparam("d_office"), "business_day": bindparam("d_day"), "last_number": 1},
    keys=["office", "business_day"],
    set_={"last_number": _sequences.c.last_number + 1},
    returning=_sequences.c.last_number,
)


def next_dossier_sequence(session: Session, *, office: str, day: date) -> int:
    """Atomically take the office's next dossier number of the day (one upsert, as for tickets)."""
    return int(_NEXT_NUMBER.scalar(session, {"d_office": office, "d_day": day}))


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


def format_code(text: str) -> str:
    """The canonical form of a code written by a person (it must parse)."""
    parsed = parse_dossier_code(text)
    assert parsed is not None
    return format_dossier_code(parsed.office, parsed.day, parsed.sequence)


def find_by_code(session: Session, code: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.code == code)) if parse_dossier_code(code) else None


def dossier_code_of_ticket(session: Session, ticket_id: int) -> str | None:
    return session.scalar(select(Dossier.code).where(Dossier.ticket_id == ticket_id).limit(1))
