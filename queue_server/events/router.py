"""The event stream: WebSocket with catch-up from a seq, and the same log over plain HTTP."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from queue_server.api.deps import Readers, ServicesDep, websocket_principal
from queue_server.auth.principal import Role
from queue_server.domain.errors import DomainError
from queue_server.events.outbox import events_since
from queue_server.events.schemas import EventView
from queue_server.services import Services

router = APIRouter(prefix="/api/v1", tags=["events"])
STREAM_ROLES = frozenset({Role.DISPLAY, Role.KIOSK, Role.STAFF, Role.SUPERVISOR, Role.ADMIN})


def read_log(services: Services, since: int, office: str | None, limit: int = 5000) -> list[dict[str, Any]]:
    with services.ctx.db.read() as session:
        return events_since(session, since, office=office, limit=limit)


@router.get("/events", response_model=list[EventView])
def get_events(
    services: ServicesDep,
    actor: Readers,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
    office: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    """Events after `since`, oldest first (what a reconnecting client missed)."""
    return read_log(services, since, office, limit)


@router.websocket("/events")
async def event_stream(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    try:
        principal = await run_in_threadpool(websocket_principal, websocket, services)
    except DomainError:
        principal = None
    if principal is None or principal.role not in STREAM_ROLES:
        await websocket.close(code=4401, reason="a device key (key=…) or a token (token=…) is needed")
        return
    since_text = websocket.query_params.get("since")
    office = websocket.query_params.get("office")
    try:
        since = int(since_text) if since_text else None
    except ValueError:
        await websocket.close(code=4400, reason="since must be a whole number")
        return
    await websocket.accept()
    subscription = services.ctx.hub.subscribe(office=office)
    try:
        last_sent = since if since is not None else -1
        if since is not None:
            last_sent = await _send_backlog(websocket, services, since, office)
        await _send_live(websocket, subscription.queue, last_sent, subscription)
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        subscription.close()


async def _send_backlog(websocket: WebSocket, services: Services, since: int, office: str | None) -> int:
    last = since
    while True:
        batch = await run_in_threadpool(read_log, services, last, office)
        for event in batch:
            await websocket.send_json(event)
            last = event["seq"]
        if len(batch) < 5000:
            return last


async def _send_live(
    websocket: WebSocket, queue: asyncio.Queue[Any], last_sent: int, subscription: Any
) -> None:
    receiver = asyncio.ensure_future(_drain_incoming(websocket))
    # A client that leaves wakes its sender with None: no asyncio.wait per event (it costs at 200 boards).
    receiver.add_done_callback(lambda _: _wake(queue))
    try:
        while not receiver.done():
            event = await queue.get()
            if subscription.overflowed:
                await websocket.close(code=4008, reason="too slow; reconnect with since")
                return
            if event is not None and event["seq"] > last_sent:
                await websocket.send_json(event)
                last_sent = event["seq"]
    finally:
        receiver.cancel()


def _wake(queue: asyncio.Queue[Any]) -> None:
    with contextlib.suppress(asyncio.QueueFull):  # a full queue wakes the sender anyway
        queue.put_nowait(None)


async def _drain_incoming(websocket: WebSocket) -> None:
    """Clients only listen; reading notices when they leave."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
