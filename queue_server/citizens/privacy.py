"""Masking ID numbers and auditing staff reads of personal data."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from devices.id_mask import mask_id  # the one format, shared with the kiosk and the printers
from queue_server.auth.principal import PEOPLE, Principal
from queue_server.tables.citizens import PersonalDataAccess

__all__ = ["PERSONAL_ID", "mask_id", "mask_paper_code", "record_access"]
PERSONAL_ID = re.compile(r"^\d{12}$")


def mask_paper_code(personal_id: str, type_code: str) -> str:
    """'001******567.CT01': the national paper code with its ID number masked."""
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
