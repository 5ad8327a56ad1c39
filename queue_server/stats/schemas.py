"""What the API says about a business day's figures."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WaitFigures(BaseModel):
    mean: float | None
    p50: float | None
    p90: float | None
    max: float | None


class ServiceFigures(BaseModel):
    mean: float | None
    p90: float | None


class DayFigures(BaseModel):
    issued: int
    served: int
    no_show: int
    cancelled: int
    waiting: int
    wait_s: WaitFigures = Field(description="issue to first call, seconds")
    service_s: ServiceFigures = Field(description="first call to the end, seconds")
    share_wait_within_target: float | None


class DayStats(BaseModel):
    office: str
    day: str = Field(description="the business day, YYYY-MM-DD")
    wait_target_s: float
    total: DayFigures
    queues: dict[str, DayFigures] = Field(description="by queue code")
    counters: dict[str, DayFigures] = Field(description="by desk number")
