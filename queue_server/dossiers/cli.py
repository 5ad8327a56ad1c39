"""`motcua purge --older-than DAYS` and `motcua receipt CODE` (registered by queue_server.cli)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    purge = subparsers.add_parser(
        "purge", help="remove personal data of cases past the retention period (keeps anonymous counts)"
    )
    purge.add_argument(
        "--older-than",
        type=int,
        metavar="DAYS",
        default=None,
        help="days since a case last changed (default: [dossiers] retention_days of procedures.toml)",
    )
    purge.add_argument("--dry-run", action="store_true", help="count what would be removed, change nothing")
    _server_options(purge)
    purge.set_defaults(handler=_purge)

    receipt = subparsers.add_parser(
        "receipt", help="print a received dossier's receipt (thermal and/or A4 PDF)"
    )
    receipt.add_argument("code", help="dossier code, e.g. CAXTP-260310-0001")
    receipt.add_argument(
        "--printer", help="printer URL, e.g. file://var/counter/receipt.bin or usb://04b8:0e15"
    )
    receipt.add_argument("--paper", default="80mm", choices=("80mm", "58mm"))
    receipt.add_argument("--pdf", type=Path, help="also write the A4 PDF to this file")
    _server_options(receipt)
    receipt.set_defaults(handler=_receipt)


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", default=None, help="config folder (default: MOTCUA_CONFIG_DIR or config/demo)"
    )
    parser.add_argument("--database-url", default=None, help="default: MOTCUA_DATABASE_URL")


def _services(args: argparse.Namespace) -> Any:
    from queue_server.commands import command_services

    return command_services(args)


def _purge(args: argparse.Namespace) -> int:
    services = _services(args)
    days = services.cases.catalogue.settings.retention_days if args.older_than is None else args.older_than
    if days < 1:
        print("motcua: --older-than must be at least 1 day", file=sys.stderr)
        return 2
    report = services.cases.purge.purge(older_than_days=days, dry_run=args.dry_run)
    verb = "would remove" if report.dry_run else "removed"
    print(
        f"{verb} personal data of cases unchanged since {report.cutoff:%Y-%m-%d %H:%M} UTC ({days} days): "
        f"{report.dossiers} dossier(s), {report.documents} document(s), {report.citizens} citizen(s), "
        f"{report.rating_comments} rating comment(s), {report.files} file(s); anonymous counts kept"
    )
    return 0


def _receipt(args: argparse.Namespace) -> int:
    from queue_server.auth.principal import Principal, Role
    from queue_server.domain.errors import DomainError
    from queue_server.dossiers.receipt import receipt_pdf, receipt_print

    if not args.printer and not args.pdf:
        print("motcua: give --printer URL and/or --pdf FILE", file=sys.stderr)
        return 2
    services = _services(args)
    operator = Principal("user", 0, "cli", Role.ADMIN)
    try:
        data = services.cases.reports.receipt(args.code, actor=operator)
    except DomainError as error:
        print(f"motcua: {error.message_en} / {error.message_vi}", file=sys.stderr)
        return 1
    if args.pdf:
        args.pdf.write_bytes(receipt_pdf(data))
        print(f"wrote {args.pdf}")
    if args.printer:
        return _print_thermal(args.printer, args.paper, receipt_print(data))
    return 0


def _print_thermal(url: str, paper: str, receipt: Any) -> int:
    from devices.printers import PrinterError, PrinterUrlError, open_printer

    try:
        printer = open_printer(url, paper=paper)
    except PrinterUrlError as error:
        print(f"motcua: {error}", file=sys.stderr)
        return 2
    try:
        printer.print_receipt(receipt)
    except PrinterError as error:
        print(f"motcua: printing failed: {error}", file=sys.stderr)
        return 1
    finally:
        printer.close()
    print(f"printed receipt {receipt.dossier_code} on {url}")
    return 0
