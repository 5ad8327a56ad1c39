"""The citizen's phone: public pages (take a number, book a time) and the API they call.

Everything here is public (no key); each request is rate limited per client address.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from queue_server.api.deps import Readers
from queue_server.context import ServerContext
from queue_server.phone.limits import AddressLimiter
from queue_server.phone.service import HALL_QR_PERIOD_S, RemoteTicketService
from queue_server.tickets.schemas import TicketView
from queue_server.tickets.service import TicketService

STATIC = Path(__file__).resolve().parent / "static"
NO_CACHE = {"Cache-Control": "no-store"}
OfficeCode = Annotated[str, PathParam(pattern=r"^[A-Z0-9][A-Z0-9_-]{1,15}$")]

api = APIRouter(prefix="/api/v1/public/phone", tags=["phone"])
pages = APIRouter(tags=["phone"], include_in_schema=False)


@dataclass
class PhoneServices:
    remote: RemoteTicketService
    limiter: AddressLimiter


def build_phone_services(ctx: ServerContext, tickets: TicketService) -> PhoneServices:
    remote = RemoteTicketService(ctx, tickets)
    return PhoneServices(
        remote=remote,
        limiter=AddressLimiter(ctx.clock, per_minute=remote.config.limits.per_address_per_minute),
    )


def _phone(request: Request) -> PhoneServices:
    services: PhoneServices = request.app.state.phone
    services.limiter.hit(request.client.host if request.client else "unknown")
    return services


class CodeRequest(BaseModel):
    office: str = Field(max_length=16)
    phone: str = Field(max_length=20)


class TakeRequest(BaseModel):
    office: str = Field(max_length=16)
    queue: str = Field(min_length=1, max_length=8)
    phone: str = Field(max_length=20)
    code: str | None = Field(default=None, max_length=8, description="the one-time code sent to the phone")
    hall: str | None = Field(default=None, max_length=40, description="the token of the hall's QR")
    consent: bool = Field(default=False, description="keep the number to send 'sắp đến lượt' and the call")


@api.get("/offices/{office}")
def office_info(office: OfficeCode, request: Request) -> dict[str, Any]:
    """The office's queues as the page shows them: waiting, expected wait, remote numbers open or why not."""
    return _phone(request).remote.office_info(office)


@api.post("/code", status_code=status.HTTP_202_ACCEPTED)
def send_code(body: CodeRequest, request: Request) -> dict[str, Any]:
    """Send a one-time code to the phone (through the office's message gateway)."""
    return _phone(request).remote.send_code(office=body.office, phone=body.phone)


@api.post("/tickets", status_code=status.HTTP_201_CREATED, response_model=TicketView)
def take_ticket(body: TakeRequest, request: Request) -> TicketView:
    """A number in the same sequence as the kiosk's; its page is /t/{public_code}."""
    return _phone(request).remote.take(
        office=body.office,
        queue=body.queue,
        phone=body.phone,
        code=body.code,
        hall_token=body.hall,
        consent=body.consent,
    )


@api.get("/hall-qr/{office}")
def hall_qr(office: OfficeCode, request: Request, actor: Readers) -> dict[str, Any]:
    """For the board (display key): the link its rotating QR shows; a photo of it expires within minutes."""
    services: PhoneServices = request.app.state.phone
    token = services.remote.hall_token(office)
    base = str(request.base_url).rstrip("/")
    return {"url": f"{base}/p/so/{office}?hall={token}", "refresh_s": HALL_QR_PERIOD_S // 2}


@pages.get("/p/so/{office}")
def take_page(office: OfficeCode) -> FileResponse:
    return FileResponse(STATIC / "take.html", headers=NO_CACHE)


@pages.get("/static/phone/{name}")
def static_file(name: Annotated[str, PathParam(pattern=r"^[a-z]+\.(css|js)$")]) -> FileResponse:
    return FileResponse(STATIC / name, headers={"Cache-Control": "max-age=3600"})
