"""The one way to build a server's context (settings → config → database at the current schema → clock,
hub) and its services; used by the app, the `motcua` commands of every program and the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from queue_server.clock import Clock, system_clock
from queue_server.config import load_config
from queue_server.context import ServerContext
from queue_server.db.engine import Database
from queue_server.db.migrate import upgrade
from queue_server.events.hub import EventHub
from queue_server.messages.planner import plan_messages
from queue_server.services import Services, build_services
from queue_server.settings import ServerSettings, get_settings


def settings_with(**overrides: Any) -> ServerSettings:
    """The settings of the environment (the cached getter), with the values a command line gave;
    a None override means "not given"."""
    given = {key: value for key, value in overrides.items() if value is not None}
    if not given:
        return get_settings()
    return ServerSettings.model_validate({**get_settings().model_dump(), **given})


def build_context(
    settings: ServerSettings | None = None, clock: Clock | None = None, *, migrate: bool = True
) -> ServerContext:
    """Read the config, open the database and bring it to the current schema (unless `migrate` is False:
    read-only commands on a database of unknown state say so themselves)."""
    settings = settings or get_settings()
    config = load_config(Path(settings.config_dir))
    db = Database(settings.database_url, pool=(settings.db_pool_size, settings.db_max_overflow))
    ctx = ServerContext(
        db=db,
        config=config,
        clock=clock or system_clock,
        hub=EventHub(),
        settings=settings,
        after_events=(plan_messages,),
    )
    if migrate:
        upgrade(db, ctx.ids)  # the keys seal clear ID numbers an older database may hold
    return ctx


def build_server(
    settings: ServerSettings | None = None, clock: Clock | None = None, *, migrate: bool = True
) -> Services:
    """The services of one server process, without a web app (commands, the simulator's replay)."""
    return build_services(build_context(settings, clock, migrate=migrate))
