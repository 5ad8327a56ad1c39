"""The `motcua` command line: one entry point, each program adds its own subcommands.

Each program package has a `cli` module with `register(subparsers)`. A program whose optional
dependencies are not installed is still listed, and its commands say which extra to install.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# (module, pip extra that provides its dependencies)
PROGRAM_CLIS: tuple[tuple[str, str], ...] = (
    ("queue_server.cli", "server"),
    ("devices.cli", "devices"),
    ("display_board.cli", "server"),
    ("kiosk.cli", "kiosk"),
    ("analytics.cli", "server"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua", description="motcua — Bộ phận Một cửa")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name, extra in PROGRAM_CLIS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue  # this program is not part of the tree
            print(
                f"motcua: {module_name} needs '{error.name}'; install it with: pip install 'motcua[{extra}]'",
                file=sys.stderr,
            )
            continue
        try:
            module.register(subparsers)
        except ImportError as error:  # a program half-installed must not take the others down
            print(f"motcua: commands of {module_name} unavailable: {error}", file=sys.stderr)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    result: int | None = args.handler(args)
    return result or 0


if __name__ == "__main__":
    raise SystemExit(main())
