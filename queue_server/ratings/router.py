"""Ratings: the public POST (the ticket's public code is the capability), the counter tablet, statistics."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, model_validator

from queue_server.api.deps import Displays, People, ServicesDep
from queue_server.api.edge import page_policy
from queue_server.ratings.schemas import RatingPrompt, RatingReasons, RatingStats, RatingView

router = APIRouter(prefix="/api/v1", tags=["ratings"])
page_router = APIRouter(tags=["ratings"])


class RatingRequest(BaseModel):
    ticket: str | None = Field(
        default=None, min_length=8, max_length=32, description="the ticket's public_code (printed on it)"
    )
    token: str | None = Field(
        default=None, min_length=3, max_length=64, description="the token the counter's tablet was given"
    )
    score: int = Field(ge=1, le=5)
    reasons: list[str] = Field(default_factory=list, max_length=10)
    comment: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_of(self) -> RatingRequest:
        if (self.ticket is None) == (self.token is None):
            raise ValueError("give either 'ticket' (the ticket's code) or 'token' (from the rating tablet)")
        return self


@router.get("/ratings/reasons", response_model=RatingReasons)
def rating_reasons(services: ServicesDep) -> dict[str, Any]:
    return services.cases.ratings.reasons()


@router.post("/ratings", status_code=status.HTTP_201_CREATED, response_model=RatingView)
def rate(body: RatingRequest, services: ServicesDep) -> dict[str, Any]:
    """Rate a finished visit once: 1–5, with reasons from the list when the score is low."""
    return services.cases.ratings.rate(
        public_code=body.ticket,
        token=body.token,
        score=body.score,
        reasons=body.reasons,
        comment=body.comment,
    )


@router.get("/ratings/stats", response_model=RatingStats)
def rating_stats(
    services: ServicesDep,
    actor: People,
    day: Annotated[date | None, Query()] = None,
    office: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    """The share of satisfied citizens (score ≥ 4) of a day, by counter, officer and procedure."""
    return services.cases.ratings.stats(day=day, office=office)


@router.get(
    "/public/counters/{number}/rating-prompt",
    response_model=RatingPrompt,
    responses={204: {"description": "nothing to rate at this counter now"}},
)
def rating_prompt(
    number: Annotated[int, Path(ge=1, le=999)], services: ServicesDep, device: Displays
) -> dict[str, Any] | Response:
    """The visit just finished at this counter of the device's office and not yet rated, with its one-time
    rating token, or 204. Only for a display (the counter's tablet): a kiosk or another office gets none."""
    prompt = services.cases.ratings.prompt(counter=number, office=device.office)
    if prompt is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"Cache-Control": "no-store"})
    return prompt


@page_router.get("/rate/{counter}", response_class=HTMLResponse, include_in_schema=False)
def rating_page(counter: Annotated[int, Path(ge=1, le=999)]) -> HTMLResponse:
    """The tablet facing the citizen at a counter: /rate/1?key=DEVICE_KEY."""
    html = resources.files("queue_server.ratings").joinpath("static", "rate.html").read_text(encoding="utf-8")
    html = html.replace("{{COUNTER}}", str(counter))
    return HTMLResponse(
        html, headers={"Cache-Control": "no-store", "Content-Security-Policy": page_policy(html)}
    )
