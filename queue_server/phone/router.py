"""The citizen's phone: public pages (take a number, book a time) and the API they call.

Everything here is public (no key); each request is rate limited per client address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from queue_server.api.deps import People, Readers
from queue_server.api.openapi import file_answer
from queue_server.appointments.schemas import SlotView
from queue_server.appointments.service import AppointmentService
from queue_server.context import ServerContext
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.messages.service import MessageService
from queue_server.parts import WebPart
from queue_server.phone.booking import BookingService
from queue_server.phone.limits import AddressLimiter
from queue_server.phone.schemas import Bookable, BookingView, CodeSent, HallQr, PhoneOffice, TicketOffice
from queue_server.phone.service import RemoteTicketService
from queue_server.procedures.catalogue import Catalogue
from queue_server.services import Services
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
    booking: BookingService
    messages: MessageService
    limiter: AddressLimiter


def phone_part(services: Services) -> WebPart:
    """What the app serves and runs for the citizen's phone (app.state.phone)."""
    from queue_server.messages.router import router as messages_router

    ctx = services.ctx
    state = build_phone_services(ctx, services.tickets, services.appointments, services.cases.catalogue)
    background = []
    if ctx.settings.send_messages:
        dispatcher = MessageDispatcher(ctx)
        if dispatcher.active:  # phone.toml names a message gateway

            async def send_messages() -> None:
                try:
                    await dispatcher.run_forever()
                finally:
                    dispatcher.close()

            background.append(send_messages)
    return WebPart(
        name="phone",
        routers=[messages_router, api, booking_api, staff_booking, pages],
        background=background,
        state=state,
    )


def build_phone_services(
    ctx: ServerContext, tickets: TicketService, appointments: AppointmentService, catalogue: Catalogue
) -> PhoneServices:
    remote = RemoteTicketService(ctx, tickets)
    return PhoneServices(
        remote=remote,
        booking=BookingService(ctx, appointments, catalogue),
        messages=MessageService(ctx),
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


@api.get("/offices/{office}", response_model=PhoneOffice)
def office_info(office: OfficeCode, request: Request) -> dict[str, Any]:
    """The office's queues as the page shows them: waiting, expected wait, remote numbers open or why not."""
    return _phone(request).remote.office_info(office)


@api.post("/code", status_code=status.HTTP_202_ACCEPTED, response_model=CodeSent)
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


@api.get("/tickets/{public_code}/office", response_model=TicketOffice)
def ticket_office(
    public_code: Annotated[str, PathParam(min_length=8, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")],
    request: Request,
) -> dict[str, str]:
    """The office of a ticket's page: its name and time zone (the expected call time is shown in it)."""
    services: PhoneServices = request.app.state.phone
    return services.remote.ticket_office(public_code)


@api.post("/tickets/{public_code}/cancel", response_model=TicketView)
def cancel_ticket(
    public_code: Annotated[str, PathParam(min_length=8, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")],
    request: Request,
) -> TicketView:
    """ "Tôi không đến được" on the ticket's page: whoever holds the page (its secret code) may give it up."""
    return _phone(request).remote.cancel_by_citizen(public_code)


@api.get("/hall-qr/{office}", response_model=HallQr, response_model_exclude_unset=True)
def hall_qr(office: OfficeCode, request: Request, actor: Readers) -> dict[str, Any]:
    """For the board (display key): the link its rotating QR shows, and the QR itself as a PNG data URL;
    a photo of it expires within minutes. `enabled` is false where the office takes no remote numbers."""
    services: PhoneServices = request.app.state.phone  # a keyed display, not rate limited per address
    remote = services.remote
    refresh_s = max(
        1, remote.hall_qr_period_s(office) // 2
    )  # the previous token still works: half is soon enough
    if not remote.hall_qr_enabled(office):
        return {"enabled": False, "refresh_s": refresh_s}
    base = str(request.base_url).rstrip("/")
    url = f"{base}/p/so/{office}?hall={remote.hall_token(office)}"
    return {"enabled": True, "url": url, "image": _qr_data_url(url), "refresh_s": refresh_s}


def _qr_data_url(text: str) -> str:
    import base64
    import io

    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=2)
    code.add_data(text)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@pages.get("/p/so/{office}")
def take_page(office: OfficeCode) -> FileResponse:
    return FileResponse(STATIC / "take.html", headers=NO_CACHE)


@pages.get("/static/phone/{name}")
def static_file(name: Annotated[str, PathParam(pattern=r"^[a-z]+\.(css|js)$")]) -> FileResponse:
    return FileResponse(STATIC / name, headers={"Cache-Control": "max-age=3600"})


# ---- booking a time ------------------------------------------------------------------------------

booking_api = APIRouter(prefix="/api/v1/public/booking", tags=["phone"])
staff_booking = APIRouter(prefix="/api/v1/appointments", tags=["appointments"])
Token = Annotated[str, PathParam(min_length=16, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class BookRequest(BaseModel):
    office: str = Field(max_length=16)
    procedure: str = Field(max_length=24)
    slot_start: datetime = Field(description="start of the slot; without a zone: the office's local time")
    name: str = Field(max_length=120)
    phone: str = Field(max_length=20)
    consent: bool = Field(default=False, description="keep the number for the confirmation and the reminder")


class MoveRequest(BaseModel):
    slot_start: datetime


def _booking(request: Request) -> BookingService:
    services: PhoneServices = _phone(request)
    return services.booking


@booking_api.get("/{office}", response_model=Bookable)
def bookable(office: OfficeCode, request: Request) -> dict[str, Any]:
    """Procedures that take bookings and the days that can be booked."""
    return _booking(request).procedures(office)


@booking_api.get("/{office}/slots", response_model=list[SlotView])
def free_slots(
    office: OfficeCode, procedure: Annotated[str, Query(max_length=24)], day: date, request: Request
) -> list[dict[str, Any]]:
    return _booking(request).slots(office=office, procedure=procedure, day=day)


@booking_api.post("", status_code=status.HTTP_201_CREATED, response_model=BookingView)
def book(body: BookRequest, request: Request) -> dict[str, Any]:
    return _booking(request).book(
        office=body.office,
        procedure=body.procedure,
        slot_start=body.slot_start,
        name=body.name,
        phone=body.phone,
        consent=body.consent,
    )


@booking_api.get("/manage/{token}", response_model=BookingView)
def show_booking(token: Token, request: Request) -> dict[str, Any]:
    return _booking(request).show(token)


@booking_api.post("/manage/{token}/cancel", response_model=BookingView)
def cancel_booking(token: Token, request: Request) -> dict[str, Any]:
    return _booking(request).cancel(token)


@booking_api.post("/manage/{token}/move", response_model=BookingView)
def move_booking(token: Token, body: MoveRequest, request: Request) -> dict[str, Any]:
    return _booking(request).move(token, slot_start=body.slot_start)


@booking_api.get(
    "/manage/{token}/qr.png", response_class=Response, responses=file_answer("the booking's QR", "image/png")
)
def booking_qr(token: Token, request: Request) -> Response:
    return Response(_booking(request).qr_png(token), media_type="image/png", headers=NO_CACHE)


@staff_booking.post("/for-citizen", status_code=status.HTTP_201_CREATED, response_model=BookingView)
def book_for_citizen(body: BookRequest, actor: People, request: Request) -> dict[str, Any]:
    """Staff book for a citizen (at the counter or on the phone): the same slots and rules."""
    services: PhoneServices = request.app.state.phone
    return services.booking.book(
        office=body.office,
        procedure=body.procedure,
        slot_start=body.slot_start,
        name=body.name,
        phone=body.phone,
        consent=body.consent,
        booked_by=actor.label,
    )


@pages.get("/p/hen/{office}")
def booking_page(office: OfficeCode) -> FileResponse:
    return FileResponse(STATIC / "book.html", headers=NO_CACHE)


@pages.get("/p/booking/{token}")
def manage_page(token: Token) -> FileResponse:
    return FileResponse(STATIC / "manage.html", headers=NO_CACHE)
