"""Staff and kiosks: attach a consenting citizen's phone to a ticket; staff: see its messages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, status
from pydantic import BaseModel, Field

from queue_server.api.deps import Issuers, People
from queue_server.messages.service import MessageService

router = APIRouter(prefix="/api/v1/tickets", tags=["messages"])
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
