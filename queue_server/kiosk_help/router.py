"""Kiosks' calls for help: the kiosk presses (its device key), staff list and answer (their offices)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status

from queue_server.api.deps import People, ServicesDep, require
from queue_server.api.params import RowId
from queue_server.auth.principal import Principal, Role
from queue_server.auth.scope import acting_office, home_office, offices_in_scope
from queue_server.domain.help_calls import Withdrawal
from queue_server.kiosk_help.schemas import HelpCallView, WithdrawHelp
from queue_server.services import Services

router = APIRouter(prefix="/api/v1", tags=["kiosk help"])
Kiosk = Annotated[Principal, Depends(require(Role.KIOSK))]
Office = Annotated[str | None, Query(max_length=16)]


def _offices(services: Services, actor: Principal, office: str | None) -> frozenset[str]:
    config = services.ctx.config
    if office:
        return frozenset({acting_office(config, actor, office)})
    return offices_in_scope(config, actor)


@router.post("/kiosk/help", response_model=HelpCallView)
async def call_for_help(services: ServicesDep, device: Kiosk) -> dict[str, Any]:
    """ "Gọi cán bộ hỗ trợ" at this kiosk: opens its call, or counts the press on the one still open."""
    office = home_office(services.ctx.config, device)
    return await services.writes.run(services.kiosk_help.call, device=device, office=office)


@router.get(
    "/kiosk/help",
    response_model=HelpCallView,
    responses={204: {"description": "this kiosk never called for help"}},
)
def my_call(services: ServicesDep, device: Kiosk) -> dict[str, Any] | Response:
    """This kiosk's latest call: answered_at tells it someone went."""
    call = services.kiosk_help.of_kiosk(device=device)
    if call is None:
        return Response(status_code=status.HTTP_204_NO_CONTENT, headers={"Cache-Control": "no-store"})
    return {**call, "staff": None, "staff_name": None}  # who went is for the office, not the hall


@router.post("/kiosk/help/{call_id}/withdraw", response_model=HelpCallView)
async def withdraw_call(
    call_id: RowId, body: WithdrawHelp, services: ServicesDep, device: Kiosk
) -> dict[str, Any]:
    """The citizen who called left the kiosk before anyone came: the call closes, with the reason."""
    closed = await services.writes.run(
        services.kiosk_help.withdraw, call_id=call_id, device=device, reason=Withdrawal(body.reason)
    )
    return {**closed, "staff": None, "staff_name": None}


@router.get("/kiosk-help", response_model=list[HelpCallView])
def open_calls(services: ServicesDep, actor: People, office: Office = None) -> list[dict[str, Any]]:
    """The calls for help nobody has answered yet, of the offices one works in, oldest first."""
    return services.kiosk_help.open_calls(offices=_offices(services, actor, office))


@router.post("/kiosk-help/{call_id}/answer", response_model=HelpCallView)
async def answer_call(call_id: RowId, services: ServicesDep, actor: People) -> dict[str, Any]:
    """ "Đã đến hỗ trợ": someone went to the kiosk; the call leaves every console and dashboard."""
    offices = offices_in_scope(services.ctx.config, actor)
    return await services.writes.run(
        services.kiosk_help.answer, call_id=call_id, actor=actor, offices=offices
    )
