"""What the phone pages' API says: the office's queues, a sent code, the hall's QR, bookable times, a booking."""

from __future__ import annotations

from pydantic import BaseModel, Field

from queue_server.answers import Answer


class RemoteQueue(Answer):
    code: str
    name_vi: str
    name_en: str
    waiting: int
    estimated_wait_s: int | None
    remote: bool = Field(description="the office gives numbers of this queue to phones")
    open: bool
    reason_vi: str | None = Field(description="why a number cannot be taken now")
    reason_en: str | None
    appointments: bool


class PhoneOffice(Answer):
    office: str
    name_vi: str
    name_en: str
    confirm: str = Field(
        description="how a phone proves it is in the hall: a code sent to it, or the hall's QR"
    )
    messages: bool
    queues: list[RemoteQueue]


class CodeSent(Answer):
    sent: bool
    expires_in_s: int


class TicketOffice(Answer):
    name_vi: str
    time_zone: str


class HallQr(Answer):
    enabled: bool
    url: str | None = None
    image: str | None = Field(default=None, description="the QR as a PNG data URL")
    refresh_s: int


class BookableProcedure(Answer):
    code: str
    name_vi: str
    name_en: str
    queue: str


class Bookable(Answer):
    office: str
    name_vi: str
    days: list[str] = Field(description="ISO dates that can be booked")
    procedures: list[BookableProcedure]


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
