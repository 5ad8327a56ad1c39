"""Citizens: registered from the chip ID card's QR (or its fields), read by staff with an audit row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from devices.scanners.cccd import CccdError, parse_cccd
from queue_server.auth.principal import Principal
from queue_server.citizens.models import Citizen
from queue_server.citizens.privacy import PERSONAL_ID, mask_id, record_access
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import Transaction, UnitOfWork
from queue_server.domain.calendar import business_day
from queue_server.domain.errors import InvalidInput, NotFound

SEXES = ("Nam", "Nữ")


@dataclass(frozen=True)
class CitizenFacts:
    personal_id: str
    full_name: str
    birth_date: date | None
    sex: str | None
    address: str | None
    warnings: tuple[dict[str, str], ...] = ()


def check_personal_id(personal_id: str) -> str:
    value = personal_id.strip()
    if not PERSONAL_ID.match(value):
        raise InvalidInput(
            "bad_citizen_id",
            "Số định danh cá nhân phải gồm đúng 12 chữ số.",
            "A personal ID number has exactly 12 digits.",
        )
    return value


def facts_from_qr(payload: str) -> CitizenFacts:
    try:
        card = parse_cccd(payload)
    except CccdError as error:
        raise InvalidInput("bad_qr", error.message_vi, error.message_en, field=error.field) from None
    warnings = tuple(
        {"code": w.code, "message_vi": w.message_vi, "message_en": w.message_en} for w in card.warnings
    )
    return CitizenFacts(card.id_number, card.full_name, card.birth_date, card.sex, card.address, warnings)


def facts_from_fields(
    *,
    personal_id: str,
    full_name: str,
    birth_date: date | None,
    sex: str | None,
    address: str | None,
    today: date,
) -> CitizenFacts:
    name = " ".join(full_name.split())
    if not 1 <= len(name) <= 120:
        raise InvalidInput(
            "bad_full_name", "Họ và tên phải có 1–120 ký tự.", "The full name needs 1–120 characters."
        )
    if birth_date is not None and not date(1900, 1, 1) <= birth_date <= today:
        raise InvalidInput(
            "bad_birth_date", "Ngày sinh không hợp lệ.", "The birth date is not valid (1900 … today)."
        )
    if sex is not None and sex not in SEXES:
        raise InvalidInput("bad_sex", "Giới tính phải là 'Nam' hoặc 'Nữ'.", "Sex must be 'Nam' or 'Nữ'.")
    clean_address = " ".join(address.split()) if address else None
    if clean_address is not None and len(clean_address) > 300:
        raise InvalidInput(
            "bad_address", "Địa chỉ dài quá 300 ký tự.", "The address is longer than 300 characters."
        )
    return CitizenFacts(check_personal_id(personal_id), name, birth_date, sex, clean_address)


def citizen_view(citizen: Citizen) -> dict[str, Any]:
    return {
        "personal_id": citizen.personal_id,
        "personal_id_masked": mask_id(citizen.personal_id),
        "full_name": citizen.full_name,
        "birth_date": citizen.birth_date,
        "sex": citizen.sex,
        "address": citizen.address,
    }


def find_citizen(session: Session, personal_id: str) -> Citizen:
    citizen = session.scalar(select(Citizen).where(Citizen.personal_id == check_personal_id(personal_id)))
    if citizen is None:
        raise NotFound(
            "citizen_not_found",
            "Chưa có công dân này; hãy quét căn cước trước.",
            "No such citizen; scan the ID card first.",
        )
    return citizen


class CitizenService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def today(self) -> date:
        return business_day(self.ctx.clock(), self.ctx.config.default_office.zone)

    def register(self, facts: CitizenFacts) -> tuple[dict[str, Any], bool]:
        """Create the citizen or refresh name, birth date, sex and address from the card; (view, created)."""

        def work(tx: Transaction) -> tuple[dict[str, Any], bool]:
            citizen, created = self._upsert(tx.session, facts)
            return {**citizen_view(citizen), "created": created, "warnings": list(facts.warnings)}, created

        # Another kiosk registering the same person at the same moment: the second run finds the row.
        return UnitOfWork.retrying(self.ctx, work, attempts=2)

    def _upsert(self, session: Session, facts: CitizenFacts) -> tuple[Citizen, bool]:
        now = self.ctx.clock()
        citizen = session.scalar(select(Citizen).where(Citizen.personal_id == facts.personal_id))
        created = citizen is None
        if citizen is None:
            citizen = Citizen(personal_id=facts.personal_id, created_at=now, full_name=facts.full_name)
            session.add(citizen)
        citizen.full_name = facts.full_name
        citizen.birth_date = facts.birth_date or citizen.birth_date
        citizen.sex = facts.sex or citizen.sex
        citizen.address = facts.address or citizen.address
        citizen.updated_at = now
        session.flush()
        return citizen, created

    def get(self, personal_id: str, *, actor: Principal) -> dict[str, Any]:
        from queue_server.dossiers.models import Dossier

        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            citizen = find_citizen(session, personal_id)
            record_access(session, actor, self.ctx.clock(), "citizen.read", citizen_id=citizen.id)
            dossiers = session.scalars(
                select(Dossier).where(Dossier.citizen_id == citizen.id).order_by(Dossier.submitted_at.desc())
            )
            listing = [
                {
                    "code": d.code,
                    "procedure": d.procedure_code,
                    "status": d.status,
                    "submitted_at": d.submitted_at,
                }
                for d in dossiers
            ]
            return {**citizen_view(citizen), "dossiers": listing}
