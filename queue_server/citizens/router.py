"""Citizens: registered by the kiosk from the ID card; their documents and the per-procedure checklist."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field, model_validator

from queue_server.api.deps import Issuers, People, ServicesDep
from queue_server.citizens.service import facts_from_fields, facts_from_qr

router = APIRouter(prefix="/api/v1/citizens", tags=["citizens"])
PersonalId = Annotated[str, Path(min_length=12, max_length=12, description="12-digit personal ID")]


class RegisterCitizenRequest(BaseModel):
    qr: str | None = Field(default=None, max_length=1000, description="the text of the ID card's QR code")
    personal_id: str | None = Field(default=None, max_length=12)
    full_name: str | None = Field(default=None, max_length=120)
    birth_date: date | None = None
    sex: str | None = Field(default=None, max_length=8)
    address: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _one_source(self) -> RegisterCitizenRequest:
        if self.qr is None and (self.personal_id is None or self.full_name is None):
            raise ValueError("give either 'qr' or at least 'personal_id' and 'full_name'")
        return self


@router.post("", status_code=status.HTTP_201_CREATED)
def register_citizen(
    body: RegisterCitizenRequest, services: ServicesDep, actor: Issuers, response: Response
) -> dict[str, Any]:
    citizens = services.cases.citizens
    if body.qr is not None:
        facts = facts_from_qr(body.qr)
    else:
        assert body.personal_id is not None and body.full_name is not None
        facts = facts_from_fields(
            personal_id=body.personal_id,
            full_name=body.full_name,
            birth_date=body.birth_date,
            sex=body.sex,
            address=body.address,
            today=citizens.today(),
        )
    view, created = citizens.register(facts)
    if not created:
        response.status_code = status.HTTP_200_OK
    return view


@router.get("/{personal_id}")
def get_citizen(personal_id: PersonalId, services: ServicesDep, actor: People) -> dict[str, Any]:
    """The citizen and their dossiers (the read is audited)."""
    return services.cases.citizens.get(personal_id, actor=actor)


@router.get("/{personal_id}/documents")
def citizen_documents(
    personal_id: PersonalId,
    services: ServicesDep,
    actor: Issuers,
    procedure: Annotated[str | None, Query(max_length=24)] = None,
) -> dict[str, Any]:
    """With `procedure`: which of its papers are on file and valid, and which are still needed."""
    documents = services.cases.documents
    if procedure is None:
        if actor.role.value == "kiosk":
            from queue_server.domain.errors import Forbidden

            raise Forbidden(
                "procedure_required",
                "Kiosk chỉ xem được danh mục giấy tờ theo một thủ tục.",
                "A kiosk may only read the checklist of one procedure (?procedure=).",
            )
        return documents.list_for(actor=actor, personal_id=personal_id)
    chosen = services.cases.dossiers.procedure(procedure)
    return documents.checklist(actor=actor, personal_id=personal_id, procedure=chosen)
