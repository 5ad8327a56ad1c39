"""Counter endpoints: seat, pause, resume, close, call."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Response, status

from queue_server.api.deps import OptionalPrincipal, People, ServicesDep
from queue_server.api.params import RowId
from queue_server.auth.principal import PEOPLE, Principal
from queue_server.auth.scope import acting_office
from queue_server.counters.schemas import CounterView, CounterWaitingList
from queue_server.counters.waiting import DEFAULT_LIMIT, counter_waiting_list
from queue_server.services import Services
from queue_server.tickets.schemas import ReasonRequest, TicketView

router = APIRouter(prefix="/api/v1/counters", tags=["counters"])
Number = Annotated[int, Path(ge=1, le=999)]
Office = Annotated[str | None, Query(max_length=16)]


def _in_scope(services: Services, actor: Principal, office: str | None) -> str:
    """The office this person acts in: their own by default; another only within their scope (else 403)."""
    return acting_office(services.ctx.config, actor, office)


@router.get("", response_model=list[CounterView], response_model_exclude_unset=True)
def list_counters(
    services: ServicesDep, principal: OptionalPrincipal, office: Office = None
) -> list[dict[str, Any]]:
    counters = services.counters.list(office=office)
    if principal is None or principal.role not in PEOPLE:
        for counter in counters:  # boards and kiosks see desks, not who sits at them
            counter.pop("staff", None)
            counter.pop("staff_name", None)
    return counters


@router.post("/{number}/open", response_model=CounterView)
async def open_counter(
    number: Number, services: ServicesDep, actor: People, office: Office = None
) -> dict[str, Any]:
    """Seat the signed-in person at this counter; from then on they act here only."""
    return await services.writes.run(
        services.counters.open, number=number, actor=actor, office=_in_scope(services, actor, office)
    )


@router.post("/{number}/pause", response_model=CounterView)
async def pause_counter(
    number: Number,
    services: ServicesDep,
    actor: People,
    body: Annotated[ReasonRequest | None, Body()] = None,
    office: Office = None,
) -> dict[str, Any]:
    return await services.writes.run(
        services.counters.pause,
        number=number,
        actor=actor,
        reason=body.reason if body else None,
        office=_in_scope(services, actor, office),
    )


@router.post("/{number}/resume", response_model=CounterView)
async def resume_counter(
    number: Number, services: ServicesDep, actor: People, office: Office = None
) -> dict[str, Any]:
    return await services.writes.run(
        services.counters.resume, number=number, actor=actor, office=_in_scope(services, actor, office)
    )


@router.post("/{number}/close", response_model=CounterView)
async def close_counter(
    number: Number, services: ServicesDep, actor: People, office: Office = None
) -> dict[str, Any]:
    return await services.writes.run(
        services.counters.close, number=number, actor=actor, office=_in_scope(services, actor, office)
    )


@router.get("/{number}/waiting", response_model=CounterWaitingList)
def waiting_list(
    number: Number,
    services: ServicesDep,
    actor: People,
    office: Office = None,
    limit: Annotated[int, Query(ge=1, le=500)] = DEFAULT_LIMIT,
) -> dict[str, Any]:
    """The console's list: waiting tickets of this counter's queues (the next one marked) and its holds."""
    return counter_waiting_list(
        services.tickets, number=number, actor=actor, office=_in_scope(services, actor, office), limit=limit
    )


@router.post(
    "/{number}/call-next",
    response_model=TicketView,
    responses={204: {"description": "nobody is waiting for this counter"}},
)
async def call_next(number: Number, services: ServicesDep, actor: People, office: Office = None) -> Any:
    office = _in_scope(services, actor, office)
    ticket = await services.writes.run(services.tickets.call_next, counter=number, actor=actor, office=office)
    if ticket is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT)
    return ticket


@router.post("/{number}/call/{ticket_id}", response_model=TicketView)
async def call_ticket(number: Number, ticket_id: RowId, services: ServicesDep, actor: People) -> TicketView:
    return await services.writes.run(
        services.tickets.call_ticket, counter=number, ticket_id=ticket_id, actor=actor
    )
