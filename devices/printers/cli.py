"""`motcua print-test` and `motcua devices`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

DEFAULT_DEVICES_CONFIG = "config/demo/devices.toml"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    test = subparsers.add_parser(
        "print-test",
        help="in thử một số thứ tự mẫu / print a sample ticket",
        description="Print a sample Vietnamese ticket (Công an xã Tân Phú, A023, Cư trú) on a printer URL.",
    )
    test.add_argument(
        "--printer",
        required=True,
        metavar="URL",
        help="usb://VID:PID, tcp://HOST:9100, serial:///dev/ttyUSB0?baudrate=19200, file:///tmp/t.bin, "
        "dummy:// or fake://",
    )
    test.add_argument("--paper", choices=("80mm", "58mm"), default="80mm")
    test.add_argument("--preview", type=Path, metavar="PNG", help="also write a picture of the printed paper")
    test.add_argument("--receipt", action="store_true", help="print the sample dossier receipt too")
    test.add_argument("--priority", action="store_true", help="add a priority label to the ticket")
    test.set_defaults(handler=print_test)

    devices = subparsers.add_parser(
        "devices",
        help="liệt kê thiết bị và trạng thái / list configured devices and their status",
    )
    devices.add_argument("--config", type=Path, default=Path(DEFAULT_DEVICES_CONFIG), metavar="TOML")
    devices.add_argument("--json", action="store_true", help="machine-readable output")
    devices.add_argument("--check", action="store_true", help="exit 1 when any device is offline")
    devices.set_defaults(handler=list_devices)


def _error(message: str) -> None:
    print(f"motcua: {message}", file=sys.stderr)


def _quiet_device_logs() -> None:
    """The command prints each problem itself; keep the adapters' warnings for the kiosk's logs."""
    logging.getLogger("devices").setLevel(logging.ERROR)


def print_test(args: argparse.Namespace) -> int:
    from devices.printers import PrinterError, PrinterUrlError, open_printer
    from devices.printers.sample import sample_receipt, sample_ticket
    from devices.status import DeviceState

    _quiet_device_logs()
    try:
        printer = open_printer(args.printer, args.paper)
    except PrinterUrlError as error:
        _error(f"địa chỉ máy in không hợp lệ / bad printer URL: {error}")
        return 2
    try:
        status = printer.status()
        if status.state is DeviceState.OFFLINE:
            _error(f"{status.message_vi} / {status.message_en} [{status.reason}]")
            return 1
        if status.state is DeviceState.DEGRADED:
            print(f"Cảnh báo / Warning: {status.message_vi} / {status.message_en}")
        jobs = bytearray()
        printer.print_ticket(sample_ticket(priority=args.priority))
        jobs += getattr(printer, "last_job", b"")
        if args.receipt:
            printer.print_receipt(sample_receipt())
            jobs += getattr(printer, "last_job", b"")
    except PrinterError as error:
        _error(str(error))
        return 1
    finally:
        printer.close()
    print(f"Đã in số A023 / Printed ticket A023 on {args.printer} ({args.paper})")
    if args.preview:
        _write_preview(bytes(jobs), args.preview, args.paper)
    return 0


def _write_preview(data: bytes, path: Path, paper: str) -> None:
    from devices.printers.preview import save_preview

    save_preview(data, path, paper)
    print(f"Ảnh xem trước / Preview: {path}")


def list_devices(args: argparse.Namespace) -> int:
    from devices.config import DevicesConfigError, load_devices_config
    from devices.registry import open_devices

    _quiet_device_logs()
    try:
        config = load_devices_config(args.config)
    except DevicesConfigError as error:
        _error(str(error))
        return 2
    registry = open_devices(config)
    try:
        rows = [device.as_dict() for device in registry.devices]
    finally:
        registry.close()
    if args.json:
        print(json.dumps({"config": str(args.config), "devices": rows}, ensure_ascii=False, indent=2))
    else:
        _print_table(rows, args.config)
    offline = [row for row in rows if row["status"]["state"] == "offline"]
    return 1 if args.check and offline else 0


def _print_table(rows: list[dict[str, Any]], config: Path) -> None:
    if not rows:
        print(f"{config}: chưa cấu hình thiết bị nào / no devices configured")
        return
    header = ("KIND", "NAME", "STATE", "URL")
    table = [(row["kind"], row["name"], row["status"]["state"], row["url"]) for row in rows]
    widths = [max(len(line[column]) for line in [header, *table]) for column in range(len(header))]
    for line, row in zip([header, *table], [None, *rows], strict=True):
        text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        if row is not None and row["status"]["reason"]:
            status = row["status"]
            text += f"  {status['reason']}: {status['message_vi']} / {status['message_en']}"
        print(text)
