"""The server's composition root: settings → config → database → services → FastAPI app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI

from queue_server.api.errors import install_error_handlers
from queue_server.clock import Clock, system_clock
from queue_server.config import load_config
from queue_server.context import ServerContext
from queue_server.db.engine import Database
from queue_server.db.migrate import upgrade
from queue_server.events.hub import EventHub
from queue_server.events.outbox import last_seq
from queue_server.services import Services, build_services
from queue_server.settings import ServerSettings, get_settings

log = logging.getLogger(__name__)
DAY_END_CHECK_S = 60.0


def build_context(settings: ServerSettings | None = None, clock: Clock | None = None) -> ServerContext:
    settings = settings or get_settings()
    config = load_config(Path(settings.config_dir))
    db = Database(settings.database_url)
    ctx = ServerContext(db=db, config=config, clock=clock or system_clock, hub=EventHub(), settings=settings)
    upgrade(db, ctx.ids)
    return ctx


def create_app(ctx: ServerContext | None = None) -> FastAPI:
    ctx = ctx or build_context()
    services = build_services(ctx)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        ctx.hub.bind_loop(loop)
        ctx.hub.set_reader(lambda seq: _read_events(services, seq))
        with ctx.db.read() as session:
            ctx.hub.start_from(last_seq(session))
        ctx.db.checkpoint_in_background()
        tasks = [asyncio.create_task(_day_end_loop(services))]
        listener = _start_fanout(ctx)
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
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
    _include_routers(app)
    _document_credentials(app)
    return app


def _document_credentials(app: FastAPI) -> None:
    """Describe the credentials every endpoint reads (api/deps.py) once, for /docs and /openapi.json."""
    from fastapi.openapi.utils import get_openapi

    from queue_server.api.deps import SECURITY_SCHEMES

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes
            )
            schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            # Any one of them, or none: public paths answer without, the others say 401 and why.
            schema["security"] = [{name: []} for name in SECURITY_SCHEMES] + [{}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _include_routers(app: FastAPI) -> None:
    from queue_server.appointments.router import router as appointments
    from queue_server.auth.router import router as auth
    from queue_server.counters.router import router as counters
    from queue_server.events.router import router as events
    from queue_server.queues.router import router as queues
    from queue_server.stats.router import router as stats
    from queue_server.tickets.router import public_router
    from queue_server.tickets.router import router as tickets

    # Matched in this order: the busiest path (issuing tickets) first.
    for router in (tickets, queues, auth, public_router, counters, appointments, stats, events):
        app.include_router(router)
    for router in _case_routers():
        app.include_router(router)
    for mount in _optional_mounts():
        mount(app)


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


def _optional_mounts() -> list[object]:
    """Web pages of other programs (board, console, dashboard) register themselves when present."""
    mounts = []
    for module_name in ("display_board.web", "analytics.web"):
        with contextlib.suppress(ModuleNotFoundError):
            module = __import__(module_name, fromlist=["mount"])
            mounts.append(module.mount)
    return mounts  # type: ignore[return-value]


def _read_events(services: Services, seq: int) -> list[dict[str, object]]:
    from queue_server.events.outbox import events_since

    with services.ctx.db.read() as session:
        return events_since(session, seq)


async def _day_end_loop(services: Services) -> None:
    """Expire open tickets of past business days, at start and then every minute."""
    while True:
        for office in services.ctx.config.offices:
            try:
                await asyncio.to_thread(services.tickets.expire_stale, office=office)
            except Exception:
                log.exception("day-end expiry failed for %s", office)
        await asyncio.sleep(DAY_END_CHECK_S)


def _start_fanout(ctx: ServerContext) -> object | None:
    if ctx.settings.event_fanout == "postgres" and not ctx.db.is_sqlite:
        from queue_server.events.pg_listener import PostgresListener

        listener = PostgresListener(ctx.settings.database_url, ctx.hub.wake)
        listener.start()
        return listener
    return None
