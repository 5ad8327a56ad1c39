"""What every `motcua` command of the server needs: its settings from the command line over the
environment, and the server's context, with configuration mistakes told plainly instead of a traceback."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from queue_server.bootstrap import build_context, settings_with
from queue_server.context import ServerContext
from queue_server.services import Services, build_services
from queue_server.settings import ServerSettings, get_settings


def command_settings(args: argparse.Namespace, **overrides: Any) -> ServerSettings:
    """--host, --port, --database-url and --config when given, over the environment's settings.

    A command is a program start: it reads the environment as it is now (a test that runs several
    commands in one process with different environments gets each one's own)."""
    get_settings.cache_clear()
    given = {key: getattr(args, key, None) for key in ("host", "port", "database_url")}
    given["config_dir"] = getattr(args, "config", None) or None
    return settings_with(**{**given, **overrides})


def command_context(settings: ServerSettings) -> ServerContext:
    from queue_server.config import ConfigError
    from queue_server.procedures.catalogue import load_catalogue

    try:
        ctx = build_context(settings)
        load_catalogue(ctx.config)  # procedures.toml and ratings.toml: report mistakes here
        return ctx
    except ConfigError as error:
        print("motcua: the configuration has problems:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        raise SystemExit(2) from None


def command_services(args: argparse.Namespace) -> Services:
    return build_services(command_context(command_settings(args)))
