from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field

from queue_server.api.deps import Issuers, ServicesDep
from queue_server.appointments.schemas import AppointmentView, SlotView
from queue_server.tickets.schemas import TicketView

router = APIRouter(prefix="/api/v1/appointments", tags=["appointments"])


class BookRequest(BaseModel):
    queue: str = Field(min_length=1, max_length=8)
    citizen_id: str = Field(min_length=12, max_length=12, description="the 12-digit personal ID number")
    slot_start: datetime = Field(
        description="start of the slot; a time without zone is the office's local time"
    )
    office: str | None = Field(default=None, max_length=16)


@router.get("/slots", response_model=list[SlotView])
def slots(
    services: ServicesDep,
    actor: Issuers,
    queue: Annotated[str, Query(max_length=8)],
    day: date,
    office: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    return services.appointments.slots(queue=queue, day=day, office=office)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=AppointmentView)
def book(body: BookRequest, services: ServicesDep, actor: Issuers) -> dict[str, Any]:
    return services.appointments.book(
        queue=body.queue,
        citizen_id=body.citizen_id,
        slot_start=body.slot_start,
        actor=actor,
        office=body.office,
    )


@router.post("/{code}/check-in", status_code=status.HTTP_201_CREATED, response_model=TicketView)
def check_in(
    code: Annotated[str, Path(min_length=4, max_length=12)], services: ServicesDep, actor: Issuers
) -> TicketView:
    return services.appointments.check_in(code=code, actor=actor)
