"""`motcua keys rotate`: the command line of the key rotation (`citizens/keys.py`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from queue_server.citizens.keys import rotate
from queue_server.commands import command_context, command_settings
from queue_server.settings import ServerSettings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    keys = subparsers.add_parser("keys", help="the keys that seal ID numbers (derived from MOTCUA_SECRET)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    rotate_cmd = keys_sub.add_parser(
        "rotate", help="re-seal every ID number under the current MOTCUA_SECRET (give the old secret)"
    )
    rotate_cmd.add_argument(
        "--old-secret",
        action="append",
        default=[],
        help="a secret rows may still be sealed with (repeat for several); default: MOTCUA_OLD_SECRETS",
    )
    rotate_cmd.add_argument("--config", default=None)
    rotate_cmd.add_argument("--database-url", default=None, help="default: MOTCUA_DATABASE_URL")
    rotate_cmd.set_defaults(handler=_rotate)


def _rotate(args: argparse.Namespace) -> int:
    base: ServerSettings = command_settings(args)
    settings = command_settings(args, old_secrets=[*args.old_secret, *base.old_secrets])
    ctx = command_context(settings)
    report = rotate(ctx, ctx.ids)
    print(
        f"motcua: re-sealed {report.citizens} ID numbers, {report.documents} paper codes and "
        f"{report.declarations} declarations "
        f"under key {report.key_id}",
        file=sys.stderr,
    )
    ctx.db.dispose()
    return 0
