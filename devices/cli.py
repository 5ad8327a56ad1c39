"""`motcua scan`, `motcua document`, `motcua print-test`, `motcua devices`, `motcua chip`: registered by the device packages."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    from devices.chip import cli as chip_cli
    from devices.printers import cli as printer_cli
    from devices.scanners import cli as scanner_cli
    from devices.scanners.document import cli as document_cli

    printer_cli.register(subparsers)
    scanner_cli.register(subparsers)
    document_cli.register(subparsers)
    chip_cli.register(subparsers)
