"""Masking ID numbers and auditing staff reads of personal data."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from queue_server.auth.principal import PEOPLE, Principal
from queue_server.citizens.models import PersonalDataAccess

PERSONAL_ID = re.compile(r"^\d{12}$")


def mask_id(personal_id: str) -> str:
    """'0010****4567': never show, log or print a whole 12-digit ID."""
    if len(personal_id) != 12:
        return "*" * len(personal_id)
    return f"{personal_id[:4]}****{personal_id[-4:]}"


def mask_paper_code(personal_id: str, type_code: str) -> str:
    """'0010****4567.CT01': the national paper code with its ID number masked."""
    return f"{mask_id(personal_id)}.{type_code}"


def record_access(
    session: Session,
    actor: Principal,
    at: datetime,
    action: str,
    *,
    citizen_id: int | None = None,
    document_id: int | None = None,
    dossier_code: str | None = None,
    detail: str | None = None,
) -> None:
    """Write who read what, when — for people; kiosks read only what the citizen in front of them gave."""
    if actor.role not in PEOPLE:
        return
    session.add(
        PersonalDataAccess(
            at=at,
            actor=actor.label,
            actor_role=actor.role.value,
            action=action,
            citizen_id=citizen_id,
            document_id=document_id,
            dossier_code=dossier_code,
            detail=detail,
            route=actor.route,
        )
    )
