"""What the phone pages' API says: the office's queues, a sent code, the hall's QR, bookable times, a booking."""

from __future__ import annotations

from pydantic import Field

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
