"""What the API says about appointment slots and bookings."""

from __future__ import annotations

from pydantic import BaseModel, Field


class SlotView(BaseModel):
    start: str = Field(description="ISO 8601, the office's local time")
    end: str
    free: int = Field(description="places left in this slot")


class AppointmentView(BaseModel):
    code: str = Field(description="what the citizen shows at the kiosk to check in")
    queue: str
    queue_name_vi: str
    slot_start: str
    slot_end: str
    status: str
    citizen_id_last4: str = Field(description="only the last four digits of the personal ID")
