"""The server's composition root: settings → config → database → services → FastAPI app.

The one module that knows every program served by this app: it includes the server's routers and the
web parts of the lobby board and counter console (display_board) and of the dashboard (analytics).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from queue_server.api.edge import install_edge
from queue_server.api.errors import install_error_handlers
from queue_server.bootstrap import build_context
from queue_server.context import ServerContext
from queue_server.parts import WebPart
from queue_server.services import Services, build_services

if TYPE_CHECKING:
    from queue_server.events.pg_listener import PostgresListener

__all__ = ["build_context", "create_app"]

log = logging.getLogger(__name__)
DAY_END_CHECK_S = 60.0


def create_app(ctx: ServerContext | None = None) -> FastAPI:
    ctx = ctx or build_context()
    services = build_services(ctx)
    parts = _web_parts(services)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        ctx.hub.bind_loop(loop)
        ctx.hub.set_reader(services.events.since)
        ctx.hub.start_from(services.events.last_seq())
        ctx.db.checkpoint_in_background()
        tasks = [asyncio.create_task(_day_end_loop(services)), asyncio.create_task(_presence_loop(services))]
        tasks += [asyncio.create_task(job()) for part in parts for job in part.background]
        listener = _start_fanout(ctx)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if listener is not None:
                listener.stop()
            ctx.db.stop_background_checkpoints()

    app = FastAPI(
        title="motcua — Bộ phận Một cửa",
        version="1.0",
        description="Queue server: tickets, counters, fair calling, appointments, waits, event stream.",
        lifespan=lifespan,
    )
    app.state.services = services
    install_error_handlers(app)
    install_edge(app)
    _include_routers(app)
    for part in parts:
        _include_part(app, part)
    _document_credentials(app)
    return app


def _document_credentials(app: FastAPI) -> None:
    """Describe the credentials every endpoint reads (api/deps.py) and the error body of every 4xx
    answer (api/openapi.py) once, for /docs and /openapi.json."""
    from fastapi.openapi.utils import get_openapi

    from queue_server.api.deps import SECURITY_SCHEMES
    from queue_server.api.openapi import describe_errors, describe_links

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            # Any one of them, or none: public paths answer without, the others say 401 and why.
            schema["security"] = [{name: []} for name in SECURITY_SCHEMES] + [{}]
            app.openapi_schema = describe_links(describe_errors(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _include_routers(app: FastAPI) -> None:
    from queue_server.appointments.router import router as appointments
    from queue_server.auth.router import router as auth
    from queue_server.counters.router import router as counters
    from queue_server.events.router import router as events
    from queue_server.kiosk_help.router import router as kiosk_help
    from queue_server.queues.router import router as queues
    from queue_server.stats.router import router as stats
    from queue_server.tickets.router import public_router
    from queue_server.tickets.router import router as tickets

    # Matched in this order: the busiest path (issuing tickets) first.
    for router in (tickets, queues, auth, public_router, counters, appointments, stats, events, kiosk_help):
        app.include_router(router)
    for router in _case_routers():
        app.include_router(router)


def _case_routers() -> list[APIRouter]:
    """Procedures, citizens, documents, dossiers, lookup and ratings (issue 4)."""
    from queue_server.citizens.router import router as citizens
    from queue_server.documents.router import router as documents
    from queue_server.dossiers.router import public_router as dossier_lookup
    from queue_server.dossiers.router import router as dossiers
    from queue_server.procedures.router import router as procedures
    from queue_server.ratings.router import page_router as rating_page
    from queue_server.ratings.router import router as ratings

    return [procedures, citizens, documents, dossiers, dossier_lookup, ratings, rating_page]


def _web_parts(services: Services) -> list[WebPart]:
    """The board and console pages (display_board) and the dashboard with its API (analytics)."""
    try:
        from analytics.web import dashboard_part
        from display_board.web import board_part
    except ModuleNotFoundError as error:
        raise RuntimeError(
            f"motcua: the server's pages need the Python package '{error.name}', which is not installed; "
            "install the server's dependencies: pip install 'motcua[server]'"
        ) from error
    from queue_server.phone.router import phone_part

    # The citizen's phone (issue 16): public pages and APIs, contacts, the message sender in the background.
    return [board_part(services), dashboard_part(services), phone_part(services)]


def _include_part(app: FastAPI, part: WebPart) -> None:
    for router in part.routers:
        app.include_router(router)
    for static in part.static:
        app.mount(static.url, StaticFiles(directory=static.folder), name=static.name)
    setattr(app.state, part.name, part.state)


async def _day_end_loop(services: Services) -> None:
    """At start and then every minute: expire open tickets of past business days, and delete uploads no
    case used and claims no case holds once they are too old (dossiers/purge.py `expire_leftovers`)."""
    while True:
        for office in services.ctx.config.offices:
            try:
                await asyncio.to_thread(services.tickets.expire_stale, office=office)
            except Exception:
                log.exception("day-end expiry failed for %s", office)
        try:
            await asyncio.to_thread(services.cases.purge.expire_leftovers)
        except Exception:
            log.exception("expiring unattached uploads and claims failed")
        await asyncio.sleep(DAY_END_CHECK_S)


async def _presence_loop(services: Services) -> None:
    """Pause the counters whose console has sent no heartbeat for too long ("mất kết nối", counters/presence.py)."""
    counters = services.counters
    while True:
        try:
            await asyncio.to_thread(counters.sweep_consoles, counters.presence.beats())
        except Exception:
            log.exception("the console presence sweep failed")
        await asyncio.sleep(services.ctx.settings.presence_check_s)


def _start_fanout(ctx: ServerContext) -> PostgresListener | None:
    if ctx.settings.event_fanout == "postgres" and not ctx.db.is_sqlite:
        from queue_server.events.pg_listener import PostgresListener

        listener = PostgresListener(ctx.settings.database_url, ctx.hub.wake)
        listener.start()
        return listener
    return None
