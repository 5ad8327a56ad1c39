"""Ticket endpoints: translate HTTP to the ticket service and back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request, Response, status

from queue_server.api.deps import Issuers, People, ServicesDep
from queue_server.api.params import RowId
from queue_server.auth.scope import acting_office, check_office
from queue_server.domain.tickets import TicketAction
from queue_server.services import Services
from queue_server.tickets.schemas import (
    FinishRequest,
    IssueTicketRequest,
    PublicTicketView,
    ReasonRequest,
    TicketView,
    TransferRequest,
)
from queue_server.tickets.service import ActOptions

router = APIRouter(prefix="/api/v1/tickets", tags=["tickets"])
TicketId = RowId


@router.post("", status_code=status.HTTP_201_CREATED, response_model=TicketView)
async def issue_ticket(
    body: IssueTicketRequest, actor: Issuers, request: Request, response: Response
) -> TicketView:
    """Issue a number. Retrying with the same idempotency key answers the same ticket, never a second one."""
    services: Services = request.app.state.services  # not a dependency: the busiest path, one level less
    ticket, created = await services.writes.run(
        services.tickets.issue,
        actor=actor,
        queue=body.queue,
        priority=body.priority,
        idempotency_key=body.idempotency_key,
        office=acting_office(services.ctx.config, actor, body.office),
        birth_date=body.birth_date,
    )
    if not created:
        response.headers["Idempotent-Replayed"] = "true"
    return ticket


@router.get("/{ticket_id}", response_model=TicketView)
def get_ticket(ticket_id: TicketId, services: ServicesDep, actor: Issuers) -> TicketView:
    ticket = services.tickets.get(ticket_id)
    check_office(services.ctx.config, actor, ticket.office)
    return ticket


async def _act(
    services: ServicesDep, ticket_id: int, action: TicketAction, actor: People, options: ActOptions
) -> TicketView:
    return await services.writes.run(services.tickets.act, ticket_id, action, actor=actor, options=options)


@router.post("/{ticket_id}/recall", response_model=TicketView)
async def recall(ticket_id: TicketId, services: ServicesDep, actor: People) -> TicketView:
    return await _act(services, ticket_id, TicketAction.RECALL, actor, ActOptions())


@router.post("/{ticket_id}/start", response_model=TicketView)
async def start(ticket_id: TicketId, services: ServicesDep, actor: People) -> TicketView:
    return await _act(services, ticket_id, TicketAction.START, actor, ActOptions())


@router.post("/{ticket_id}/finish", response_model=TicketView)
async def finish(
    ticket_id: TicketId,
    services: ServicesDep,
    actor: People,
    body: Annotated[FinishRequest | None, Body()] = None,
) -> TicketView:
    return await _act(
        services, ticket_id, TicketAction.FINISH, actor, ActOptions(outcome=body.outcome if body else None)
    )


@router.post("/{ticket_id}/no-show", response_model=TicketView)
async def no_show(ticket_id: TicketId, services: ServicesDep, actor: People) -> TicketView:
    return await _act(services, ticket_id, TicketAction.NO_SHOW, actor, ActOptions())


@router.post("/{ticket_id}/hold", response_model=TicketView)
async def hold(
    ticket_id: TicketId,
    services: ServicesDep,
    actor: People,
    body: Annotated[ReasonRequest | None, Body()] = None,
) -> TicketView:
    return await _act(
        services, ticket_id, TicketAction.HOLD, actor, ActOptions(reason=body.reason if body else None)
    )


@router.post("/{ticket_id}/resume", response_model=TicketView)
async def resume(ticket_id: TicketId, services: ServicesDep, actor: People) -> TicketView:
    """Call a held ticket back to the counter that holds it."""
    return await _act(services, ticket_id, TicketAction.RESUME, actor, ActOptions())


@router.post("/{ticket_id}/transfer", response_model=TicketView)
async def transfer(
    ticket_id: TicketId, body: TransferRequest, services: ServicesDep, actor: People
) -> TicketView:
    options = ActOptions(
        to_queue=body.queue, to_back=body.to == "back", to_counter=body.counter, reason=body.reason
    )
    return await _act(services, ticket_id, TicketAction.TRANSFER, actor, options)


@router.post("/{ticket_id}/cancel", response_model=TicketView)
async def cancel(
    ticket_id: TicketId,
    services: ServicesDep,
    actor: People,
    body: Annotated[ReasonRequest | None, Body()] = None,
) -> TicketView:
    return await _act(
        services, ticket_id, TicketAction.CANCEL, actor, ActOptions(reason=body.reason if body else None)
    )


@router.post("/{ticket_id}/reactivate", response_model=TicketView)
async def reactivate(ticket_id: TicketId, services: ServicesDep, actor: People) -> TicketView:
    return await _act(services, ticket_id, TicketAction.REACTIVATE, actor, ActOptions())


public_router = APIRouter(prefix="/api/v1/public", tags=["public"])


@public_router.get("/tickets/{public_code}", response_model=PublicTicketView)
def public_ticket(
    public_code: Annotated[str, Path(min_length=8, max_length=32)], services: ServicesDep
) -> PublicTicketView:
    """What the citizen's phone may know about one ticket: no name, no ID number, no internal id."""
    return PublicTicketView.of(services.tickets.get_public(public_code))
