"""Citizens: a kiosk's claim (the card's QR or a typed number), an officer's check of the card, audited reads,
their documents and the per-procedure checklist."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field, model_validator

from queue_server.api.deps import Issuers, People, ServicesDep
from queue_server.citizens import chip_challenge
from queue_server.citizens.chip import ChipFiles, bad_chip_data, identity_from_chip
from queue_server.citizens.schemas import (
    CitizenDocuments,
    CitizenWithDossiers,
    ClaimAnswer,
    PaperChecklist,
    VerifiedCitizen,
)
from queue_server.citizens.service import facts_from_fields, facts_from_qr
from queue_server.domain.errors import DomainError, Forbidden

router = APIRouter(prefix="/api/v1/citizens", tags=["citizens"])
IdNumber = Annotated[str, Field(min_length=12, max_length=12, description="12-digit personal ID")]


class ClaimCitizenRequest(BaseModel):
    qr: str | None = Field(default=None, max_length=1000, description="the text of the ID card's QR code")
    personal_id: str | None = Field(default=None, max_length=12, description="typed on a keypad")
    full_name: str | None = Field(default=None, max_length=120)
    birth_date: date | None = None
    sex: str | None = Field(default=None, max_length=8)
    address: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _one_source(self) -> ClaimCitizenRequest:
        if (self.qr is None) == (self.personal_id is None):
            raise ValueError("give either 'qr' or 'personal_id'")
        return self


Base64File = Annotated[str, Field(max_length=200_000, description="a chip file's bytes, base64")]


class ChipClaimRequest(BaseModel):
    """The raw files a kiosk read from the ID card's chip; the server checks them itself."""

    challenge: str = Field(
        pattern="^[0-9a-f]{16}$", description="the one-time challenge from POST /citizens/chip/challenge"
    )
    sod: Base64File
    dg1: Base64File
    dg13: Base64File
    dg2: Base64File | None = None
    dg15: Base64File | None = Field(
        default=None, description="the active-authentication key, when the card has it"
    )
    aa_signature: Base64File | None = Field(
        default=None, description="the chip's INTERNAL AUTHENTICATE answer to the challenge"
    )


class ChipChallengeAnswer(BaseModel):
    challenge: str = Field(description="8 bytes, hex: the chip signs them (active authentication)")
    expires_in: int = Field(description="seconds this challenge stays usable, once")


def _chip_file(name: str, text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise bad_chip_data(f"'{name}' is not base64") from None


def _optional_file(name: str, text: str | None) -> bytes | None:
    return _chip_file(name, text) if text is not None else None


class VerifyCitizenRequest(BaseModel):
    full_name: str = Field(min_length=1, max_length=120)
    birth_date: date
    sex: Literal["Nam", "Nữ"]
    address: str | None = Field(default=None, max_length=300)
    card_check: Literal["card_shown", "chip_read"] = Field(
        description="how the officer checked the card: the card in hand, or its chip read and authenticated"
    )
    note: str | None = Field(default=None, max_length=200)


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ClaimAnswer, response_model_exclude_unset=True
)
def claim_citizen(body: ClaimCitizenRequest, services: ServicesDep, actor: Issuers) -> dict[str, Any]:
    """Who the citizen says they are, for one case: answers a `claim` token and only what was sent.
    A stored person is never changed here."""
    citizens = services.cases.citizens
    if body.qr is not None:
        facts, source = facts_from_qr(body.qr), "qr"
    else:
        assert body.personal_id is not None
        facts = facts_from_fields(
            personal_id=body.personal_id,
            full_name=body.full_name,
            birth_date=body.birth_date,
            sex=body.sex,
            address=body.address,
            today=citizens.today(),
        )
        source = "typed"
    return citizens.claim(facts, source=source, actor=actor)


@router.post("/chip/challenge", status_code=status.HTTP_201_CREATED)
def chip_read_challenge(services: ServicesDep, actor: Issuers) -> ChipChallengeAnswer:
    """A one-time challenge for this device's next chip read: the chip signs it, so the read cannot be a
    replay of an earlier one."""
    nonce, seconds = chip_challenge.issue(services.cases.citizens.ctx, actor)
    return ChipChallengeAnswer(challenge=nonce, expires_in=seconds)


@router.post("/chip", status_code=status.HTTP_201_CREATED, response_model=ClaimAnswer)
def claim_citizen_by_chip(body: ChipClaimRequest, services: ServicesDep, actor: Issuers) -> dict[str, Any]:
    """The identity read from the card's chip, re-authenticated against the server's own CSCA folder and
    the server's one-time challenge: source `chip-genuine` (signed data, the chip signed the challenge; may
    update the person, audited), `chip-genuine-data` (signed data, the card cannot sign: clone not excluded)
    or `chip-not-verifiable`; altered data or a replayed read: 422."""
    citizens = services.cases.citizens
    challenge = chip_challenge.consume(citizens.ctx, body.challenge, actor)
    files = ChipFiles(
        sod=_chip_file("sod", body.sod),
        dg1=_chip_file("dg1", body.dg1),
        dg13=_chip_file("dg13", body.dg13),
        dg2=_optional_file("dg2", body.dg2),
        dg15=_optional_file("dg15", body.dg15),
        signature=_optional_file("aa_signature", body.aa_signature),
    )
    identity = identity_from_chip(
        files, challenge=challenge, csca_dir=citizens.ctx.settings.csca_dir, today=citizens.today()
    )
    face = (identity.face, identity.face_format) if identity.face and identity.face_format else None
    answer = citizens.claim(identity.facts, source=identity.source, actor=actor, face=face)
    return {**answer, "chip_check": list(identity.reasons), "chip_live": identity.live}


class PersonRequest(BaseModel):
    """The ID number travels in the body, never in the address: proxies and access logs record addresses."""

    personal_id: IdNumber


class VerifyCitizenBody(VerifyCitizenRequest):
    personal_id: IdNumber


class DocumentsRequest(BaseModel):
    personal_id: IdNumber
    procedure: str | None = Field(default=None, max_length=24, description="the checklist of this procedure")
    claim: str | None = Field(default=None, max_length=64, description="a kiosk's claim token")


@router.post("/verify", response_model=VerifiedCitizen)
def verify_citizen(body: VerifyCitizenBody, services: ServicesDep, actor: People) -> dict[str, Any]:
    """An officer seated at a counter checked the card: the person's facts become these (audited)."""
    citizens = services.cases.citizens
    facts = facts_from_fields(
        personal_id=body.personal_id,
        full_name=body.full_name,
        birth_date=body.birth_date,
        sex=body.sex,
        address=body.address,
        today=citizens.today(),
    )
    return citizens.verify(facts, card_check=body.card_check, note=body.note, actor=actor)


@router.post("/person", response_model=CitizenWithDossiers)
def get_citizen(body: PersonRequest, services: ServicesDep, actor: People) -> dict[str, Any]:
    """The citizen's checked facts and their dossiers (the read is audited). A read, sent as POST so that
    the ID number is in the body."""
    return services.cases.citizens.get(body.personal_id, actor=actor)


@router.post("/documents", response_model=PaperChecklist | CitizenDocuments)
def citizen_documents(body: DocumentsRequest, services: ServicesDep, actor: Issuers) -> dict[str, Any]:
    """With `procedure`: which of its papers are on file and valid, and which are still needed.
    A kiosk sees papers on file only with the claim of a card it read (QR, chip), never a typed number."""
    documents = services.cases.documents
    if body.procedure is None:
        if actor.role.value == "kiosk":
            raise Forbidden(
                "procedure_required",
                "Kiosk chỉ xem được danh mục giấy tờ theo một thủ tục.",
                "A kiosk may only read the checklist of one procedure ('procedure').",
            )
        return documents.list_for(actor=actor, personal_id=body.personal_id)
    chosen = services.cases.dossiers.procedure(body.procedure)
    return documents.checklist(actor=actor, personal_id=body.personal_id, procedure=chosen, claim=body.claim)


class Gone(DomainError):
    status_code = 410


# The addresses that carried the ID number until 2026-12: gone, with a clear answer saying where to go.
# They never read the number they were sent (nor log it); the answer does not repeat it.
def _id_in_path_gone(instead: str) -> DomainError:
    return Gone(
        "id_in_path_gone",
        f"Địa chỉ này không còn dùng: số định danh không được đặt trong đường dẫn. Hãy dùng {instead}.",
        f"This address is gone: ID numbers are no longer put in addresses. Use {instead} with the "
        "number in the JSON body.",
        instead=instead,
    )


@router.get("/{old:path}/documents", include_in_schema=False, status_code=410)
def old_documents(old: str) -> None:
    raise _id_in_path_gone("POST /api/v1/citizens/documents")


@router.post("/{old:path}/verify", include_in_schema=False, status_code=410)
def old_verify(old: str) -> None:
    raise _id_in_path_gone("POST /api/v1/citizens/verify")


@router.get("/{old:path}", include_in_schema=False, status_code=410)
def old_person(old: str) -> None:
    raise _id_in_path_gone("POST /api/v1/citizens/person")
