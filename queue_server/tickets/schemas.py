"""What the API says about tickets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator


class IssueTicketRequest(BaseModel):
    queue: str = Field(min_length=1, max_length=8, description="queue code, e.g. 'A'")
    priority: str | None = Field(default=None, max_length=32, description="a priority group code from config")
    idempotency_key: str | None = Field(default=None, min_length=8, max_length=128)
    office: str | None = Field(default=None, max_length=16)
    birth_date: date | None = Field(
        default=None,
        description="the citizen's birth date as read or typed: an age priority group must fit it",
    )


class TicketView(BaseModel):
    id: int
    number: str
    queue: str
    queue_name_vi: str
    queue_name_en: str
    status: str
    office: str
    business_day: date
    priority: str | None
    position: int | None = Field(description="1 = next in its line; null when not waiting")
    people_ahead: int | None
    estimated_wait_s: int | None
    issued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    counter: int | None
    recall_count: int
    outcome: str | None
    public_code: str
    appointment_at: datetime | None
    dossier_code: str | None = Field(default=None, description="the case (hồ sơ) this visit is for, if any")


class FinishRequest(BaseModel):
    outcome: str | None = Field(default=None, max_length=64)


class ReasonRequest(BaseModel):
    reason: str | None = Field(default=None, max_length=200)


class TransferRequest(BaseModel):
    """To a queue, or to one counter (`counter`; `queue` then optional: the counter's queue)."""

    queue: str | None = Field(default=None, min_length=1, max_length=8)
    counter: int | None = Field(default=None, ge=1, le=999)
    to: Literal["keep", "back"] = "keep"
    reason: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _somewhere(self) -> TransferRequest:
        if self.queue is None and self.counter is None:
            raise ValueError("a queue or a counter is needed / cần chọn hàng đợi hoặc quầy")
        return self


class PublicTicketView(BaseModel):
    """What the citizen's phone may know about one ticket: no name, no ID number, no internal id."""

    number: str
    queue: str
    queue_name_vi: str
    queue_name_en: str
    status: str
    people_ahead: int | None
    estimated_wait_s: int | None
    counter: int | None
    issued_at: datetime
    called_at: datetime | None

    @classmethod
    def of(cls, view: TicketView) -> PublicTicketView:
        return cls.model_validate(view.model_dump(include=set(cls.model_fields)))
