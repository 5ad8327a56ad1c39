"""What the API says about ratings."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class RatingReason(BaseModel):
    code: str
    label_vi: str
    label_en: str


class RatingReasons(BaseModel):
    ask_reasons_at_or_below: int = Field(description="a score at or below this asks for reasons")
    idle_seconds: int
    prompt_seconds: int
    reasons: list[RatingReason]


class RatingView(BaseModel):
    id: int
    score: int
    reasons: list[str]
    counter: int | None
    procedure: str | None
    created_at: datetime


class RatingPrompt(BaseModel):
    token: str = Field(description="the one-time token that rates this visit (not the ticket's public code)")
    number: str
    counter: int
    finished_at: datetime | None


class Shares(BaseModel):
    ratings: int
    satisfied: int = Field(description="scores of 4 or 5")
    share_satisfied: float | None


class CounterShares(Shares):
    counter: int | None


class ProcedureShares(Shares):
    procedure: str | None


class OfficerShares(Shares):
    officer: str | None


class RatingStats(Shares):
    day: date
    office: str
    mean: float | None
    by_score: dict[str, int]
    by_reason: dict[str, int]
    by_counter: list[CounterShares]
    by_procedure: list[ProcedureShares]
    by_officer: list[OfficerShares]
