"""Citizens. A kiosk's reading of a card (or a typed number) is a claim kept for the case; a person's facts
change only when an officer seated in an office has checked the card (audited)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from devices.scanners.cccd import CccdError, parse_cccd
from queue_server.auth.principal import Principal
from queue_server.auth.seats import seat_of
from queue_server.citizens.privacy import PERSONAL_ID, mask_id, record_access
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import Transaction, UnitOfWork
from queue_server.domain.calendar import business_day
from queue_server.domain.errors import Forbidden, InvalidInput, NotFound
from queue_server.sealing import PERSONAL_ID as SEALED_ID
from queue_server.sealing import IdVault
from queue_server.tables.citizens import Citizen, CitizenClaim, CitizenVerification

SEXES = ("Nam", "Nữ")
# Read from the card itself (never typed): papers on file may be offered at the kiosk. A chip read does so
# only when the state's signature checked out (issue 17); a QR as the trust rules allow (issue 12).
CARD_SOURCES = frozenset({"qr", "chip-genuine", "chip-genuine-data"})
# The one identity trusted to set a person's facts without an officer: a chip the server authenticated,
# whose chip also signed the server's one-time challenge (not a replayed read, not a clone).
SELF_VERIFYING_SOURCE = "chip-genuine"
CARD_CHECKS = ("card_shown", "chip_read")
FACTS = ("full_name", "birth_date", "sex", "address")


@dataclass(frozen=True)
class CitizenFacts:
    personal_id: str
    full_name: str | None
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
    facts = CitizenFacts(card.id_number, card.full_name, card.birth_date, card.sex, card.address, warnings)
    return check_facts(facts, today=None)


def facts_from_fields(
    *,
    personal_id: str,
    full_name: str | None,
    birth_date: date | None,
    sex: str | None,
    address: str | None,
    today: date,
) -> CitizenFacts:
    name = " ".join(full_name.split()) if full_name else None
    clean_address = " ".join(address.split()) if address else None
    facts = CitizenFacts(check_personal_id(personal_id), name or None, birth_date, sex, clean_address)
    return check_facts(facts, today=today)


def check_facts(facts: CitizenFacts, *, today: date | None) -> CitizenFacts:
    if facts.full_name is not None and not 1 <= len(facts.full_name) <= 120:
        raise InvalidInput(
            "bad_full_name", "Họ và tên phải có 1–120 ký tự.", "The full name needs 1–120 characters."
        )
    too_late = today is not None and facts.birth_date is not None and facts.birth_date > today
    if facts.birth_date is not None and (facts.birth_date < date(1900, 1, 1) or too_late):
        raise InvalidInput(
            "bad_birth_date", "Ngày sinh không hợp lệ.", "The birth date is not valid (1900 … today)."
        )
    if facts.sex is not None and facts.sex not in SEXES:
        raise InvalidInput("bad_sex", "Giới tính phải là 'Nam' hoặc 'Nữ'.", "Sex must be 'Nam' or 'Nữ'.")
    if facts.address is not None and len(facts.address) > 300:
        raise InvalidInput(
            "bad_address", "Địa chỉ dài quá 300 ký tự.", "The address is longer than 300 characters."
        )
    return facts


def reveal_id(ids: IdVault, citizen: Citizen) -> str:
    return ids.open(citizen.personal_id_enc, citizen.personal_id_key, SEALED_ID)


def citizen_not_found() -> NotFound:
    return NotFound(
        "citizen_not_found",
        "Chưa có công dân này; hãy quét căn cước hoặc nhập số định danh trước.",
        "No such citizen; scan the ID card or type the ID number first.",
    )


def lookup_citizen(session: Session, ids: IdVault, personal_id: str) -> Citizen | None:
    hashes = ids.lookup_hashes(check_personal_id(personal_id), SEALED_ID)
    return session.scalar(select(Citizen).where(Citizen.personal_id_hash.in_(hashes)))


def find_citizen(session: Session, ids: IdVault, personal_id: str) -> Citizen:
    citizen = lookup_citizen(session, ids, personal_id)
    if citizen is None:
        raise citizen_not_found()
    return citizen


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def claim_valid_since(ctx: ServerContext) -> datetime:
    """Claims made before this have expired (MOTCUA_CLAIM_MINUTES); the server's loop deletes them."""
    return ctx.clock() - timedelta(minutes=ctx.settings.claim_minutes)


def find_claim(
    session: Session, token: str | None, citizen: Citizen, *, valid_since: datetime
) -> CitizenClaim | None:
    """The claim a kiosk holds for this citizen, or None (no token); a token of someone else is refused,
    and so is one made before `valid_since` (a case is submitted within minutes of identifying)."""
    if token is None:
        return None
    claim = session.scalar(select(CitizenClaim).where(CitizenClaim.token_hash == token_hash(token)))
    if claim is None or claim.citizen_id != citizen.id:
        raise InvalidInput(
            "bad_claim",
            "Phiên nhận diện công dân không hợp lệ; hãy quét căn cước hoặc nhập số lại.",
            "The citizen claim does not match this ID number; identify the citizen again.",
        )
    if claim.created_at < valid_since:
        raise InvalidInput(
            "claim_expired",
            "Phiên nhận diện đã hết hạn; Ông/Bà vui lòng quét căn cước hoặc nhập số lại.",
            "The citizen claim has expired; identify the citizen again.",
        )
    return claim


def claim_view(claim: CitizenClaim | None, citizen: Citizen | None) -> dict[str, Any]:
    """The name a case shows: what was claimed for it, else the officer-checked name."""
    name = claim.full_name if claim is not None and claim.full_name else None
    return {
        "full_name": name or (citizen.full_name if citizen is not None else None),
        "source": claim.source if claim is not None else None,
        "face_photo": claim is not None and claim.face_image is not None,
        "verified": citizen is not None and citizen.verified_at is not None,
    }


class CitizenService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def today(self) -> date:
        return business_day(self.ctx.clock(), self.ctx.config.default_office.zone)

    # ---- a kiosk's claim -----------------------------------------------------------------------

    def claim(
        self,
        facts: CitizenFacts,
        *,
        source: str,
        actor: Principal,
        face: tuple[bytes, str] | None = None,
    ) -> dict[str, Any]:
        """Keep what the kiosk read as a claim and hand back a token for the case. The stored person is
        changed only by a chip the server authenticated (audited), and the answer holds only what was sent."""
        token = secrets.token_urlsafe(24)

        def work(tx: Transaction) -> None:
            citizen = self._ensure_citizen(tx.session, facts.personal_id)
            if source == SELF_VERIFYING_SOURCE:
                self._set_from_chip(tx, citizen, facts, actor)
            tx.session.add(
                CitizenClaim(
                    token_hash=token_hash(token),
                    citizen_id=citizen.id,
                    source=source,
                    full_name=facts.full_name,
                    birth_date=facts.birth_date,
                    sex=facts.sex,
                    address=facts.address,
                    face_image=face[0] if face is not None else None,
                    face_format=face[1] if face is not None else None,
                    created_by=actor.label,
                    created_at=tx.now,
                )
            )

        # Another kiosk adding the same person at the same moment: the second run finds the row.
        UnitOfWork.retrying(self.ctx, work, attempts=2)
        return {
            "claim": token,
            "source": source,
            "personal_id_masked": mask_id(facts.personal_id),
            "full_name": facts.full_name,
            "birth_date": facts.birth_date,
            "sex": facts.sex,
            "address": facts.address,
            "papers_on_file": source in CARD_SOURCES,
            "person_updated": source == SELF_VERIFYING_SOURCE,
            "warnings": list(facts.warnings),
        }

    def _set_from_chip(
        self, tx: Transaction, citizen: Citizen, facts: CitizenFacts, actor: Principal
    ) -> list[str]:
        """The chip is the state's signed record: its facts replace the person's, audited as a chip check."""
        given = [name for name in FACTS if getattr(facts, name) is not None]
        changed = [name for name in given if getattr(citizen, name) != getattr(facts, name)]
        for name in given:
            setattr(citizen, name, getattr(facts, name))
        citizen.verified_at, citizen.verified_by, citizen.updated_at = (
            tx.now,
            f"chip:{actor.label}"[:64],
            tx.now,
        )
        tx.session.add(
            CitizenVerification(
                citizen_id=citizen.id,
                at=tx.now,
                actor=actor.label,
                actor_role=actor.role.value,
                office=actor.office or self.ctx.config.default_office.code,
                counter=None,
                card_check="chip_genuine",
                changed=changed,
                note="passive and active authentication by the server",
            )
        )
        return changed

    def _ensure_citizen(self, session: Session, personal_id: str) -> Citizen:
        citizen = lookup_citizen(session, self.ctx.ids, personal_id)
        if citizen is not None:
            return citizen
        now = self.ctx.clock()
        sealed = self.ctx.ids.seal(personal_id, SEALED_ID)
        citizen = Citizen(
            personal_id_hash=sealed.lookup,
            personal_id_enc=sealed.ciphertext,
            personal_id_key=sealed.key_id,
            created_at=now,
            updated_at=now,
        )
        session.add(citizen)
        session.flush()
        return citizen

    # ---- an officer's check of the card --------------------------------------------------------

    def verify(
        self, facts: CitizenFacts, *, card_check: str, note: str | None, actor: Principal
    ) -> dict[str, Any]:
        """An officer seated at a counter (or a supervisor/admin) checked the card: set the person's facts."""
        if card_check not in CARD_CHECKS:
            raise InvalidInput(
                "bad_card_check",
                "Cần ghi cách đã kiểm tra căn cước (card_shown hoặc chip_read).",
                f"card_check must be one of {CARD_CHECKS}.",
            )
        now = self.ctx.clock()
        office = actor.office or self.ctx.config.default_office.code
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            counter = seat_of(session, office, actor)
            if counter is None and not actor.is_manager:
                raise Forbidden(
                    "not_seated",
                    "Chỉ cán bộ đang ngồi tại quầy mới được xác minh thông tin công dân.",
                    "Only an officer seated at a counter may verify a citizen's facts.",
                )
            citizen = self._ensure_citizen(session, facts.personal_id)
            changed = [name for name in FACTS if getattr(citizen, name) != getattr(facts, name)]
            for name in FACTS:
                setattr(citizen, name, getattr(facts, name))
            citizen.verified_at, citizen.verified_by, citizen.updated_at = now, actor.label, now
            session.add(
                CitizenVerification(
                    citizen_id=citizen.id,
                    at=now,
                    actor=actor.label,
                    actor_role=actor.role.value,
                    office=office,
                    counter=counter,
                    card_check=card_check,
                    changed=changed,
                    note=note,
                )
            )
            record_access(session, actor, now, "citizen.verify", citizen_id=citizen.id, detail=card_check)
            session.flush()
            return {**self._view(citizen, facts.personal_id), "changed": changed}

    # ---- reading (people only, audited) --------------------------------------------------------

    def get(self, personal_id: str, *, actor: Principal) -> dict[str, Any]:
        from queue_server.tables.dossiers import Dossier

        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            citizen = find_citizen(session, self.ctx.ids, personal_id)
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
            return {**self._view(citizen, check_personal_id(personal_id)), "dossiers": listing}

    def _view(self, citizen: Citizen, personal_id: str) -> dict[str, Any]:
        # The caller typed the full number; it is answered back, never another one.
        return {
            "personal_id": personal_id,
            "personal_id_masked": mask_id(personal_id),
            "full_name": citizen.full_name,
            "birth_date": citizen.birth_date,
            "sex": citizen.sex,
            "address": citizen.address,
            "verified": citizen.verified_at is not None,
            "verified_at": citizen.verified_at,
            "verified_by": citizen.verified_by,
        }
