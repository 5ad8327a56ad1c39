"""What the API says about the event log."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class EventView(BaseModel):
    seq: int = Field(description="the log's order; a client resumes after the last seq it saw")
    type: str = Field(description="e.g. ticket.called, counter.opened, alert.wait_over_target")
    at: str = Field(description="when it happened, ISO 8601")
    office: str
    data: dict[str, Any]
