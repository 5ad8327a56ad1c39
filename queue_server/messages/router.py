"""Staff and kiosks: attach a consenting citizen's phone to a ticket; staff: see its messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from queue_server.api.deps import Issuers, People
from queue_server.messages.service import MessageService

router = APIRouter(prefix="/api/v1/tickets", tags=["messages"])
zns_webhook = APIRouter(prefix="/api/v1/public/zns", tags=["messages"])
TicketId = Annotated[int, Path(ge=1)]


class ContactRequest(BaseModel):
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)
    consent: bool = Field(description="the citizen ticked 'I agree to keep my number for messages'")


class ContactAnswer(BaseModel):
    ticket_id: int
    kind: str = Field(description="phone or email")
    contact: str = Field(description="masked")


class MessageView(BaseModel):
    id: int
    kind: str
    status: str
    channel: str | None
    to: str
    attempts: int
    created_at: str
    sent_at: str | None
    delivered_at: str | None
    last_error: str | None
    text: str | None
    time_zone: str = Field(description="the office's time zone (IANA): show the times in it")


def _service(request: Request) -> MessageService:
    service: MessageService = request.app.state.phone.messages
    return service


@router.post("/{ticket_id}/contact", status_code=status.HTTP_201_CREATED, response_model=ContactAnswer)
def add_contact(
    ticket_id: TicketId, body: ContactRequest, actor: Issuers, request: Request
) -> dict[str, Any]:
    return _service(request).add_ticket_contact(
        ticket_id=ticket_id, phone=body.phone, email=body.email, consent=body.consent
    )


@router.get("/{ticket_id}/messages", response_model=list[MessageView])
def ticket_messages(ticket_id: TicketId, actor: People, request: Request) -> list[dict[str, Any]]:
    """The messages planned for this ticket and how each fared (sent, delivered, failed …)."""
    return _service(request).ticket_messages(ticket_id=ticket_id)


class ZnsEventAnswer(BaseModel):
    event: str
    matched: bool = Field(description="the event named one of this server's messages")
    status: str | None = Field(description="that message's status now (delivered: 'đã nhận')")


@zns_webhook.post("/events", response_model=ZnsEventAnswer)
async def zns_event(
    request: Request,
    signature: Annotated[str | None, Header(alias="X-ZEvent-Signature", max_length=200)] = None,
) -> dict[str, Any]:
    """Zalo's webhook (set it as the app's webhook URL): delivery reports of ZNS messages. Signed with
    the office's OA secret key (phone.toml `zns_app_id`, `zns_oa_secret_key`); 400 for a body that is
    not a JSON event, 401 for a missing or wrong signature or a `timestamp` more than 5 minutes from the
    server's clock (a replay), 422 for a report without its fields. A report already applied changes nothing."""
    raw = await request.body()
    return await run_in_threadpool(_service(request).zns_event, raw, signature)
