"""`motcua messages send [--once]`: the citizens' messages from a process of their own (the web server
processes then run with MOTCUA_SEND_MESSAGES=false); registered by queue_server.cli."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def register(subparsers: Any) -> None:
    messages = subparsers.add_parser("messages", help="the citizens' messages (SMS, Zalo, e-mail)")
    sub = messages.add_subparsers(dest="messages_command", required=True)
    send = sub.add_parser("send", help="send the message outbox (until stopped, or one pass with --once)")
    send.add_argument("--once", action="store_true", help="one pass, then exit")
    send.add_argument(
        "--config", default=None, help="config folder (default: MOTCUA_CONFIG_DIR or config/demo)"
    )
    send.add_argument("--database-url", default=None, help="default: MOTCUA_DATABASE_URL")
    send.set_defaults(handler=_send)


def _send(args: argparse.Namespace) -> int:
    from queue_server.commands import command_context, command_settings
    from queue_server.messages.dispatcher import MessageDispatcher

    dispatcher = MessageDispatcher(command_context(command_settings(args)))
    if not dispatcher.active:
        print("motcua: no office names a message gateway (phone.toml: sender)", file=sys.stderr)
        return 2
    try:
        while True:
            handed = dispatcher.run_once()
            print(f"handed {handed} message(s) to the gateways", flush=True) if handed else None
            if args.once:
                return 0
            if not handed:
                time.sleep(dispatcher.config.messages.poll_s)
    except KeyboardInterrupt:
        return 0
    finally:
        dispatcher.close()
