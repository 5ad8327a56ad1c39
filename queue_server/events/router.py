"""The event stream: WebSocket with catch-up from a seq, and the same log over plain HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from queue_server.api.deps import Readers, ServicesDep, websocket_principal
from queue_server.auth.principal import DEVICES, Principal, Role
from queue_server.auth.scope import OutOfScope, acting_office, offices_in_scope, record_refusal
from queue_server.config import SystemConfig
from queue_server.domain.errors import DomainError
from queue_server.events.outbox import events_since
from queue_server.events.schemas import EventView
from queue_server.services import Services

router = APIRouter(prefix="/api/v1", tags=["events"])
STREAM_ROLES = frozenset({Role.DISPLAY, Role.KIOSK, Role.STAFF, Role.SUPERVISOR, Role.ADMIN})
# Who did it (usernames, staff names) is for people of the office, not for the screens in the hall.
PEOPLE_FIELDS = frozenset({"by", "actor", "staff", "staff_name", "staff_id", "username"})
MAX_SEQ = 2**31 - 1


def without_people(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_people(v) for k, v in value.items() if k not in PEOPLE_FIELDS}
    if isinstance(value, list):
        return [without_people(item) for item in value]
    return value


def shown_to(principal: Principal, event: dict[str, Any]) -> dict[str, Any]:
    return without_people(event) if principal.role in DEVICES else event


Offices = frozenset[str] | None  # None: every office


def read_log(services: Services, since: int, office: Offices, limit: int = 5000) -> list[dict[str, Any]]:
    with services.ctx.db.read() as session:
        return events_since(session, since, office=office, limit=limit)


@router.get("/events", response_model=list[EventView])
def get_events(
    services: ServicesDep,
    actor: Readers,
    since: Annotated[int, Query(ge=0, le=MAX_SEQ)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    office: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    """Events after `since`, oldest first (what a reconnecting client missed), of the offices the asker may see."""
    offices = stream_offices(services.ctx.config, actor, office)
    return [shown_to(actor, event) for event in read_log(services, since, offices, limit)]


def stream_offices(config: SystemConfig, actor: Principal, office: str | None) -> Offices:
    """The office asked for (refused outside the asker's scope), else every office of the scope."""
    if office:
        return frozenset({acting_office(config, actor, office)})
    scope = offices_in_scope(config, actor)
    return None if scope == frozenset(config.offices) else scope


@router.websocket("/events")
async def event_stream(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    try:
        principal = await run_in_threadpool(websocket_principal, websocket, services)
    except DomainError:
        principal = None
    except OperationalError:
        # The database refused a connection for a moment (all taken, a restart): "try again later" (1013)
        # tells the client to reconnect with its last seq, where an HTTP 500 only says the handshake failed.
        await websocket.accept()
        await websocket.close(code=1013, reason="the server is busy; reconnect with since")
        return
    if principal is None or principal.role not in STREAM_ROLES:
        await websocket.close(code=4401, reason="a device key (key=…) or a token (token=…) is needed")
        return
    since_text = websocket.query_params.get("since")
    try:
        since = int(since_text) if since_text else None
    except ValueError:
        since = -1
    if since is not None and not 0 <= since <= MAX_SEQ:
        await websocket.accept()  # so the client reads why (a close before accepting is only an HTTP 403)
        await websocket.close(code=4400, reason=f"since must be a whole number from 0 to {MAX_SEQ}")
        return
    try:
        office = stream_offices(services.ctx.config, principal, websocket.query_params.get("office"))
    except OutOfScope as refusal:
        await run_in_threadpool(record_refusal, services.ctx, refusal, "WS /api/v1/events")
        await websocket.close(code=4403, reason=f"office {refusal.office} is outside this account's offices")
        return
    await websocket.accept()
    subscription = services.ctx.hub.subscribe(offices=office)
    heard = _heartbeats(services, principal)
    try:
        last_sent = since if since is not None else -1
        if since is not None:
            last_sent = await _send_backlog(websocket, services, since, office, principal)
        await _send_live(websocket, subscription.queue, last_sent, subscription, principal, heard)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        subscription.close()


async def _send_backlog(
    websocket: WebSocket, services: Services, since: int, office: Offices, principal: Principal
) -> int:
    last = since
    while True:
        batch = await run_in_threadpool(read_log, services, last, office)
        for event in batch:
            await websocket.send_json(shown_to(principal, event))
            last = event["seq"]
        if len(batch) < 5000:
            return last


def _heartbeats(services: Services, principal: Principal) -> Callable[[str], None]:
    """What a message from the client does: an officer's console page says its script is alive
    (counters/presence.py), timed by the server's clock; anything else, and any device's message, is ignored."""
    if principal.kind != "user":
        return lambda _: None
    presence, clock, staff_id = services.counters.presence, services.ctx.clock, principal.id

    def heard(text: str) -> None:
        presence.hear(staff_id, text, clock())

    return heard


async def _send_live(
    websocket: WebSocket,
    queue: asyncio.Queue[Any],
    last_sent: int,
    subscription: Any,
    principal: Principal,
    heard: Callable[[str], None],
) -> None:
    receiver = asyncio.ensure_future(_drain_incoming(websocket, heard))
    # A client that leaves wakes its sender with None: no asyncio.wait per event (it costs at 200 boards).
    receiver.add_done_callback(lambda _: _wake(queue))
    try:
        while not receiver.done():
            event = await queue.get()
            if subscription.overflowed:
                await websocket.close(code=4008, reason="too slow; reconnect with since")
                return
            if event is not None and event["seq"] > last_sent:
                await websocket.send_json(shown_to(principal, event))
                last_sent = event["seq"]
    finally:
        receiver.cancel()


def _wake(queue: asyncio.Queue[Any]) -> None:
    with contextlib.suppress(asyncio.QueueFull):  # a full queue wakes the sender anyway
        queue.put_nowait(None)


async def _drain_incoming(websocket: WebSocket, heard: Callable[[str], None]) -> None:
    """Clients listen; the only thing they say is a console's heartbeat. Reading notices when they leave."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        heard(message.get("text") or "")
