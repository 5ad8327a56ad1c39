"""The citizen's phone: public pages (take a number, book a time) and the API they call.

Everything here is public (no key); each request is rate limited per client address.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, Field

from queue_server.api.deps import People, Readers
from queue_server.api.openapi import file_answer
from queue_server.appointments.schemas import SlotView
from queue_server.appointments.service import AppointmentService
from queue_server.auth.scope import acting_office
from queue_server.context import ServerContext
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.messages.service import MessageService
from queue_server.parts import WebPart
from queue_server.phone.booking import BookingService
from queue_server.phone.limits import AddressLimiter
from queue_server.phone.schemas import CodeSent, HallQr, PhoneOffice, TicketOffice
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
    from queue_server.messages.router import zns_webhook

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
        routers=[messages_router, zns_webhook, api, booking_api, staff_booking, pages],
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


Phone = Annotated[PhoneServices, Depends(_phone)]  # a public call, counted against its address


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
def office_info(office: OfficeCode, phone: Phone) -> dict[str, Any]:
    """The office's queues as the page shows them: waiting, expected wait, remote numbers open or why not."""
    return phone.remote.office_info(office)


@api.post("/code", status_code=status.HTTP_202_ACCEPTED, response_model=CodeSent)
def send_code(body: CodeRequest, phone: Phone) -> dict[str, Any]:
    """Send a one-time code to the phone (through the office's message gateway)."""
    return phone.remote.send_code(office=body.office, phone=body.phone)


@api.post("/tickets", status_code=status.HTTP_201_CREATED, response_model=TicketView)
def take_ticket(body: TakeRequest, phone: Phone) -> TicketView:
    """A number in the same sequence as the kiosk's; its page is /t/{public_code}."""
    return phone.remote.take(
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
    phone: Phone,
) -> TicketView:
    """ "Tôi không đến được" on the ticket's page: whoever holds the page (its secret code) may give it up."""
    return phone.remote.cancel_by_citizen(public_code)


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


@pages.get("/p/poster/{office}", response_class=HTMLResponse)
def poster_page(office: OfficeCode, request: Request) -> HTMLResponse:
    """A printable A4 poster for the office's walls: QR codes to take a number and to book a time."""
    services: PhoneServices = request.app.state.phone
    facts = services.remote.poster(office)
    blocks = []
    if facts["take"]:
        blocks.append(_poster_block("Lấy số thứ tự bằng điện thoại", "Take a number by phone", facts["take"]))
    elif facts["hall_qr"]:
        blocks.append(
            '<section><h2>Lấy số thứ tự bằng điện thoại</h2><p class="how">Ông/Bà quét mã QR trên màn hình '
            'tại sảnh. <span lang="en">Scan the QR code on the hall\'s screen.</span></p></section>'
        )
    if facts["book"]:
        blocks.append(_poster_block("Đặt lịch hẹn trước", "Book a time before you come", facts["book"]))
    if not blocks:
        blocks.append('<p class="how">Đơn vị chưa nhận lấy số hay đặt lịch qua điện thoại.</p>')
    return HTMLResponse(
        POSTER.format(office=html.escape(facts["name_vi"]), blocks="\n".join(blocks)), headers=NO_CACHE
    )


def _poster_block(title_vi: str, title_en: str, url: str) -> str:
    return (
        f'<section><h2>{title_vi}</h2><p class="en" lang="en">{title_en}</p>'
        f'<img src="{_qr_data_url(url)}" alt="QR: {html.escape(url)}"><p class="url">{html.escape(url)}</p>'
        '<p class="how">Mở camera hoặc Zalo, quét mã QR. <span lang="en">Scan with the camera or Zalo.</span></p>'
        "</section>"
    )


POSTER = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{office} — lấy số, đặt lịch bằng điện thoại</title>
<style>
@page {{ size: A4; margin: 14mm; }}
body {{ font-family: "Noto Sans", "DejaVu Sans", sans-serif; color: #0b2545; text-align: center; margin: 0; }}
h1 {{ font-size: 30px; margin: 8px 0 18px; }}
main {{ display: flex; flex-wrap: wrap; justify-content: center; gap: 28px; }}
section {{ border: 3px solid #b3261e; border-radius: 16px; padding: 16px 20px; width: 300px; }}
h2 {{ font-size: 22px; margin: 0; }} .en {{ margin: 2px 0 8px; color: #52627a; }}
img {{ width: 260px; height: 260px; image-rendering: pixelated; }}
.url {{ font-size: 12px; word-break: break-all; color: #52627a; }} .how {{ font-size: 16px; }}
footer {{ margin-top: 22px; font-size: 15px; }}
</style></head>
<body><h1>{office}</h1><main>
{blocks}
</main>
<footer>Trang lấy số và đặt lịch không hỏi số căn cước. Ông/Bà được ưu tiên xin báo cán bộ tại quầy.</footer>
</body></html>
"""


@pages.get("/static/phone/{name}")
def static_file(name: Annotated[str, PathParam(pattern=r"^[a-z][a-z-]*\.(css|js)$")]) -> FileResponse:
    if not (STATIC / name).is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND)
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


class BookingView(BaseModel):
    """A booked time: its code, where and when (office's local time), and how to change it."""

    code: str
    office: str
    office_name_vi: str
    queue: str
    queue_name_vi: str
    slot_start: str
    local_time: str
    local_date: str
    status: str
    phone_last4: str | None = None
    manage_token: str | None = None


class ProcedureChoice(BaseModel):
    code: str
    name_vi: str
    name_en: str
    queue: str


class BookableView(BaseModel):
    """What an office takes bookings for, and the days open to booking (the office's calendar)."""

    office: str
    name_vi: str
    days: list[str] = Field(description="YYYY-MM-DD, from today")
    procedures: list[ProcedureChoice]


def _booking(phone: Phone) -> BookingService:
    return phone.booking  # rate limited per address, like every public phone call


Booking = Annotated[BookingService, Depends(_booking)]


@booking_api.get("/{office}", response_model=BookableView)
def bookable(office: OfficeCode, booking: Booking) -> dict[str, Any]:
    """Procedures that take bookings and the days that can be booked."""
    return booking.procedures(office)


@booking_api.get("/{office}/slots", response_model=list[SlotView])
def free_slots(
    office: OfficeCode, procedure: Annotated[str, Query(max_length=24)], day: date, booking: Booking
) -> list[dict[str, Any]]:
    return booking.slots(office=office, procedure=procedure, day=day)


@booking_api.post("", status_code=status.HTTP_201_CREATED, response_model=BookingView)
def book(body: BookRequest, booking: Booking) -> dict[str, Any]:
    return booking.book(**body.model_dump())


# The booking's own page (the secret link): see it, cancel it, move it — each one call of the service.
@booking_api.get("/manage/{token}", response_model=BookingView)
def show_booking(token: Token, booking: Booking) -> dict[str, Any]:
    return booking.show(token)


@booking_api.post("/manage/{token}/cancel", response_model=BookingView)
def cancel_booking(token: Token, booking: Booking) -> dict[str, Any]:
    return booking.cancel(token)


@booking_api.post("/manage/{token}/move", response_model=BookingView)
def move_booking(token: Token, body: MoveRequest, booking: Booking) -> dict[str, Any]:
    return booking.move(token, slot_start=body.slot_start)


@booking_api.get(
    "/manage/{token}/qr.png", response_class=Response, responses=file_answer("the booking's QR", "image/png")
)
def booking_qr(token: Token, booking: Booking) -> Response:
    return Response(booking.qr_png(token), media_type="image/png", headers=NO_CACHE)


def _staff_booking(request: Request) -> BookingService:
    services: PhoneServices = request.app.state.phone  # signed in: not limited per address
    return services.booking


StaffBooking = Annotated[BookingService, Depends(_staff_booking)]
StaffOffice = Annotated[
    str | None,
    Query(max_length=16, description="default: the staff member's office; only one in their scope"),
]


@staff_booking.get("/for-citizen/options", response_model=BookableView)
def staff_bookable(actor: People, booking: StaffBooking, office: StaffOffice = None) -> dict[str, Any]:
    """The console's booking dialog: the procedures that take bookings and the days open to booking."""
    return booking.procedures(acting_office(booking.ctx.config, actor, office))


@staff_booking.get("/for-citizen/slots", response_model=list[SlotView])
def staff_free_slots(
    actor: People,
    booking: StaffBooking,
    procedure: Annotated[str, Query(max_length=24)],
    day: date,
    office: StaffOffice = None,
) -> list[dict[str, Any]]:
    return booking.slots(
        office=acting_office(booking.ctx.config, actor, office), procedure=procedure, day=day
    )


@staff_booking.post("/for-citizen", status_code=status.HTTP_201_CREATED, response_model=BookingView)
def book_for_citizen(body: BookRequest, actor: People, booking: StaffBooking) -> dict[str, Any]:
    """Staff book for a citizen (at the counter or on the phone): the same slots and rules, only in the
    offices the actor works in (staff: their own; a supervisor: their subtree) — else 403, audited."""
    office = acting_office(booking.ctx.config, actor, body.office)
    return booking.book(**body.model_dump(exclude={"office"}), office=office, booked_by=actor.label)


@pages.get("/p/hen/{office}")
def booking_page(office: OfficeCode) -> FileResponse:
    return FileResponse(STATIC / "book.html", headers=NO_CACHE)


@pages.get("/p/booking/{token}")
def manage_page(token: Token) -> FileResponse:
    return FileResponse(STATIC / "manage.html", headers=NO_CACHE)
