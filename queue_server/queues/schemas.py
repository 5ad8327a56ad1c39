"""What the API says about the server's health, offices, queues and priority groups."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    """Without credentials only `status`; the rest for signed-in people and devices."""

    status: str = Field(description="'ok' when the database answers")
    database: str | None = Field(default=None, description="sqlite or postgresql")
    office: str | None = None
    office_name_vi: str | None = None
    time: str | None = Field(default=None, description="the server's clock, ISO 8601")
    demo: bool | None = None
    event_clients: int | None = None


class QueueView(BaseModel):
    code: str
    prefix: str
    name: str = Field(description="the Vietnamese name (older clients read this)")
    name_vi: str
    name_en: str
    office: str
    open: bool
    closed_reason: str | None
    waiting: int
    estimated_wait_s: int | None = Field(description="expected wait of a ticket issued now")
    counters: list[int] = Field(description="the desks that serve this queue")
    appointments: bool = Field(description="whether this queue takes appointments")


class OfficeView(BaseModel):
    code: str
    name_vi: str
    name_en: str
    parent: str | None
    time_zone: str
    notice_vi: str
    notice_en: str


class PriorityGroupView(BaseModel):
    code: str
    name_vi: str
    name_en: str
    min_age: int | None
    max_age: int | None = None
    by_age: bool = Field(default=False, description="granted from the birth date alone (min_age/max_age)")
    eligible: bool = Field(default=False, description="the birth date asked about fits this age group")
    suggested: bool = Field(default=False, description="the age group to offer for that birth date")
