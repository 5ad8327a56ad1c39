"""Dossier endpoints: submit (kiosk), read and act (people), receipt (thermal data, A4 PDF), public lookup."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from queue_server.api.deps import Issuers, Kiosks, People, ServicesDep
from queue_server.api.errors import error_body
from queue_server.api.openapi import file_answer
from queue_server.api.params import MAX_ROW_ID, RowIdField, RowIdQuery
from queue_server.auth.scope import acting_office
from queue_server.domain.dossiers import DossierAction, DossierStatus
from queue_server.dossiers.forms_pdf import form_pdf
from queue_server.dossiers.limiter import TooManyLookups
from queue_server.dossiers.receipt import receipt_pdf
from queue_server.dossiers.schemas import (
    CardLookupAnswer,
    DossierStats,
    DossierView,
    FollowUp,
    PrintedReceipt,
    PublicLookup,
    ReceiptData,
)
from queue_server.dossiers.service import ActRequest, SubmitRequest
from queue_server.tickets.schemas import TicketView

router = APIRouter(prefix="/api/v1/dossiers", tags=["dossiers"])
public_router = APIRouter(prefix="/api/v1/public/dossiers", tags=["public"])
Code = Annotated[str, Path(min_length=8, max_length=32, description="e.g. CAXTP-260310-0001")]


class SubmitDossierRequest(BaseModel):
    procedure: str = Field(min_length=1, max_length=24)
    citizen_id: str = Field(min_length=12, max_length=12, description="12-digit personal ID")
    form: dict[str, Any] = Field(default_factory=dict)
    documents: list[RowIdField] = Field(default_factory=list, max_length=50)
    idempotency_key: str = Field(min_length=8, max_length=128)
    priority: str | None = Field(default=None, max_length=32)
    office: str | None = Field(default=None, max_length=16)
    claim: str | None = Field(
        default=None, max_length=64, description="the token of POST /citizens (required from a kiosk)"
    )


class SubmitDossierAnswer(BaseModel):
    dossier: DossierView
    ticket: TicketView


class ActionBody(BaseModel):
    reason: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=500)
    papers: list[str] = Field(default_factory=list, max_length=30, description="document type codes")
    documents: list[RowIdField] = Field(default_factory=list, max_length=30)
    amount_vnd: int | None = Field(default=None, ge=0, le=MAX_ROW_ID)
    due_date: date | None = Field(default=None, description="extend: the new due date")
    office: str | None = Field(default=None, max_length=16, description="forward: the competent office")


class LookupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a birth date is no second factor any more: say so

    code: str = Field(min_length=8, max_length=40)
    # The second factor is on the citizen's own card and nothing a kiosk can set (a birth date could be).
    last4: str = Field(pattern=r"^\d{4}$", description="last 4 digits of the ID number")


class CardLookupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    qr: str = Field(min_length=12, max_length=512, description="the text of the ID card's QR")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmitDossierAnswer,
    response_model_exclude_unset=True,
)
def submit_dossier(
    body: SubmitDossierRequest, services: ServicesDep, actor: Issuers, response: Response
) -> SubmitDossierAnswer:
    """Submit a case and get its ticket in the procedure's queue, in one transaction (idempotent by key)."""
    request = SubmitRequest(
        procedure=body.procedure,
        personal_id=body.citizen_id,
        form=body.form,
        documents=tuple(body.documents),
        idempotency_key=body.idempotency_key,
        priority=body.priority,
        office=body.office,
        claim=body.claim,
    )
    dossier, ticket, created = services.cases.dossiers.submit(request, actor=actor)
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return SubmitDossierAnswer(dossier=DossierView.model_validate(dossier), ticket=ticket)


@router.get("", response_model=list[DossierView], response_model_exclude_unset=True)
def list_dossiers(
    services: ServicesDep,
    actor: People,
    ticket_id: RowIdQuery = None,
    status_: Annotated[DossierStatus | None, Query(alias="status")] = None,
    procedure: Annotated[str | None, Query(max_length=24)] = None,
    day: Annotated[date | None, Query()] = None,
    office: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    forwarded_out: Annotated[bool, Query(description="the cases this office forwarded elsewhere")] = False,
) -> list[dict[str, Any]]:
    return services.cases.dossiers.list_dossiers(
        forwarded_out=forwarded_out,
        ticket_id=ticket_id,
        status=status_.value if status_ else None,
        procedure=procedure,
        day=day,
        office=acting_office(services.ctx.config, actor, office),  # another office's cases: 403, audited
        limit=limit,
        actor=actor,
    )


@router.get("/stats", response_model=DossierStats)
def dossier_stats(
    services: ServicesDep,
    actor: People,
    day: Annotated[date | None, Query(description="YYYY-MM-DD; today by default")] = None,
    office: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    """Per procedure and day: dossiers, and how many needed no re-supplied paper."""
    return services.cases.reports.stats(day=day, office=acting_office(services.ctx.config, actor, office))


@router.get("/follow-up", response_model=FollowUp)
def follow_up(
    services: ServicesDep,
    actor: People,
    procedure: Annotated[str | None, Query(max_length=24)] = None,
    officer: Annotated[
        str | None, Query(max_length=64, description="e.g. user:canbo1; staff: always self")
    ] = None,
    first: Annotated[date | None, Query(alias="from")] = None,
    last: Annotated[date | None, Query(alias="to")] = None,
    office: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    """Cases by status, due within a working day, overdue; the on-time rate of a period; yearly pace."""
    return services.cases.follow_up.overview(
        actor=actor,
        office=acting_office(services.ctx.config, actor, office),
        procedure=procedure,
        officer=officer,
        first=first,
        last=last,
    )


@router.get("/search", response_model=list[DossierView], response_model_exclude_unset=True)
def search_dossiers(
    services: ServicesDep,
    actor: People,
    q: Annotated[str, Query(min_length=1, max_length=40, description="dossier code or 12-digit ID number")],
) -> list[dict[str, Any]]:
    """The office's cases by code or by the citizen's ID number (audited)."""
    return services.cases.dossiers.search(q, actor=actor)


class CheckBody(BaseModel):
    subject: str = Field(min_length=1, max_length=32, description='"identity" or a document type code')
    checked: bool = True


@router.post("/{code}/checks", response_model=DossierView, response_model_exclude_unset=True)
def set_check(code: Code, body: CheckBody, services: ServicesDep, actor: People) -> dict[str, Any]:
    """Tick "đã đối chiếu giấy tờ gốc / căn cước" for one paper or the identity (stored with who and when)."""
    return services.cases.dossiers.set_check(code, body.subject, body.checked, actor=actor)


@router.post("/{code}/receipt/print", response_model=PrintedReceipt)
def print_receipt(code: Code, services: ServicesDep, actor: People) -> dict[str, Any]:
    """Print the receipt (Mẫu 01) on the thermal printer of the officer's counter."""
    return services.cases.reports.print_receipt(code, actor=actor)


@router.get(
    "/{code}/forms/{number}.pdf",
    response_class=Response,
    responses=file_answer("the form", "application/pdf"),
)
def get_form_pdf(
    code: Code,
    number: Annotated[str, Path(pattern=r"^0[234]$")],
    services: ServicesDep,
    actor: People,
) -> Response:
    """Mẫu 02 (papers requested), 03 (refusal) or 04 (apology and new date) as an A4 PDF."""
    data = services.cases.reports.form_data(code, number, actor=actor)
    return Response(
        form_pdf(number, data),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="mau-{number}-{data["dossier_code"]}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/{code}", response_model=DossierView, response_model_exclude_unset=True)
def get_dossier(code: Code, services: ServicesDep, actor: People) -> dict[str, Any]:
    return services.cases.dossiers.get(code, actor=actor)


@router.get(
    "/{code}/face",
    response_class=Response,
    responses=file_answer("the face photo read from the chip", "image/jpeg", "image/png"),
)
def get_face_photo(code: Code, services: ServicesDep, actor: People) -> Response:
    """The face photo read from the citizen's chip for this case (JPEG, or PNG from JPEG 2000)."""
    image, media_type = services.cases.dossiers.face_photo(code, actor=actor)
    return Response(content=image, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.get("/{code}/receipt", response_model=ReceiptData)
def get_receipt(code: Code, services: ServicesDep, actor: Issuers) -> dict[str, Any]:
    """The fields of devices.printers.ReceiptPrint, for the thermal printer."""
    return services.cases.reports.receipt(code, actor=actor)


@router.get(
    "/{code}/receipt.pdf",
    response_class=Response,
    responses=file_answer("the receipt (Mẫu 01), A4", "application/pdf"),
)
def get_receipt_pdf(code: Code, services: ServicesDep, actor: Issuers) -> Response:
    data = services.cases.reports.receipt(code, actor=actor)
    url = f"{services.ctx.settings.public_url.rstrip('/')}/tra-cuu?ma={data['dossier_code']}"
    return Response(
        receipt_pdf(data, lookup_url=url),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="giay-hen-{data["dossier_code"]}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/{code}/{action}", response_model=DossierView, response_model_exclude_unset=True)
def act_on_dossier(
    code: Code,
    action: DossierAction,
    services: ServicesDep,
    actor: People,
    body: Annotated[ActionBody | None, Body()] = None,
) -> dict[str, Any]:
    """receive, refuse, request-papers, supply, process, request-fee, pay, finish, return, withdraw, stop."""
    body = body or ActionBody()
    request = ActRequest(
        reason=body.reason,
        note=body.note,
        papers=tuple(body.papers),
        documents=tuple(body.documents),
        amount_vnd=body.amount_vnd,
        due_date=body.due_date,
        office=body.office,
    )
    return services.cases.dossiers.act(code, action, request, actor=actor)


@router.post("/lookup-by-card", response_model=CardLookupAnswer)
def lookup_by_card(
    body: CardLookupRequest, request: Request, services: ServicesDep, actor: Kiosks
) -> CardLookupAnswer | Response:
    """At a kiosk: the latest cases of the ID card's holder (its QR read by the kiosk's camera), each
    as the public lookup shows it; rate limited with the public lookup."""
    client = request.client.host if request.client else "unknown"
    try:
        found = services.cases.reports.lookup_by_card(qr=body.qr, client=client)
    except TooManyLookups as error:
        return _too_many(error)
    return CardLookupAnswer.model_validate(found)


def _too_many(error: TooManyLookups) -> Response:
    return JSONResponse(
        error_body(error.code, error.message_vi, error.message_en, error.details),
        status_code=error.status_code,
        headers={"Retry-After": str(error.retry_after_s), "Cache-Control": "no-store"},
    )


@public_router.post("/lookup", response_model=PublicLookup)
def lookup_dossier(body: LookupRequest, request: Request, services: ServicesDep) -> dict[str, Any] | Response:
    """Status, due date and what is missing, for the code plus a second factor. Rate limited (429)."""
    client = request.client.host if request.client else "unknown"
    try:
        return services.cases.reports.lookup(code=body.code, last4=body.last4, client=client)
    except TooManyLookups as error:
        return _too_many(error)
