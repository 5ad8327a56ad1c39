"""`motcua kiosk`: run the self-service kiosk full-screen (or in a window) against a queue server."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

DEFAULT_CONFIG = "config/demo/kiosk.toml"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "kiosk",
        help="run the self-service kiosk (Kivy)",
        description="The citizen's kiosk: take a number, submit a case, look up, rate. "
        "Devices come from the devices file named in the kiosk config; with none, they are emulated "
        "(camera from a folder of images, printer to a file). The device key may come from MOTCUA_KIOSK_KEY.",
    )
    parser.add_argument("--server", help="the queue server's URL (default: from the config)")
    parser.add_argument(
        "--config", default=DEFAULT_CONFIG, help=f"kiosk TOML file (default {DEFAULT_CONFIG})"
    )
    parser.add_argument("--windowed", action="store_true", help="a 1280x800 window instead of full screen")
    parser.add_argument("--devices", help="devices TOML file (overrides the config's `devices`)")
    parser.add_argument("--emulate", action="store_true", help="ignore configured devices: use emulated ones")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.config import KioskConfigError, load_kiosk_config

    overrides: dict[str, object] = {"server": args.server, "devices": args.devices}
    if args.emulate:
        overrides["devices"] = ""
    config_path = args.config if os.path.exists(args.config) or args.config != DEFAULT_CONFIG else None
    try:
        config = load_kiosk_config(config_path, overrides)
    except KioskConfigError as error:
        print(f"motcua kiosk: {error}", file=sys.stderr)
        return 2
    if not config.device_key:
        print(
            "motcua kiosk: no device key: set device_key in the config or MOTCUA_KIOSK_KEY", file=sys.stderr
        )
        return 2
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY") and sys.platform == "linux":
        print(
            "motcua kiosk: no display (DISPLAY is not set); run it on the kiosk's screen or under Xvfb",
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")  # one log, through Python's logging
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):  # one line per request is too much for a kiosk's log
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from devices.config import DevicesConfigError
    from kiosk.app import run_kiosk

    try:
        return run_kiosk(config, fullscreen=not args.windowed)
    except DevicesConfigError as error:
        print(f"motcua kiosk: {error}", file=sys.stderr)
        return 2
