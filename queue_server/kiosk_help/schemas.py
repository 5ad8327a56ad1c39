"""What the API says about kiosks' calls for help."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class HelpCallView(BaseModel):
    id: int
    office: str
    kiosk: str = Field(description="the kiosk's device name")
    requested_at: datetime
    alerted_at: datetime = Field(description="when the staff were last told (again after a late press)")
    presses: int
    answered_at: datetime | None
    staff: str | None = Field(description="who went (username); hidden from devices")
    staff_name: str | None
    withdrawn_at: datetime | None = Field(
        default=None, description="closed without anyone going (the citizen left the kiosk)"
    )
    withdrawn_reason: Literal["citizen_left"] | None = None
    withdrawn_words: str | None = Field(
        default=None, description='the reason in words: "Người dân đã rời đi"'
    )
    waited_s: float | None = Field(
        default=None,
        description="in the list of open calls: seconds since the kiosk called (the server's clock)",
    )
    outcome: str | None = Field(
        default=None, description="for a press: new, remind (staff told again) or absorbed (just told)"
    )


class WithdrawHelp(BaseModel):
    """Why the kiosk closes its call (today one reason: its citizen left before anyone came)."""

    reason: Literal["citizen_left"] = "citizen_left"
