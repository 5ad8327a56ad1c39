"""`motcua chip read [--can N | --mrz DOC,YYMMDD,YYMMDD] [--json]`: read an ID card's chip and say if it is genuine.

The ID numbers are shown masked. Exit codes: 0 genuine, 3 not verifiable (no CSCA installed for it),
4 altered, 1 the card could not be read (the message says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from devices.chip.opening import open_chip_reader
from devices.chip.ports import VERDICT_LABELS, ChipError, ChipReadResult, MrzKey, Verdict

EXIT_CODES = {Verdict.GENUINE: 0, Verdict.NOT_VERIFIABLE: 3, Verdict.ALTERED: 4}
FIELD_LABELS = (
    ("id_number", "Số định danh"),
    ("full_name", "Họ và tên"),
    ("birth_date", "Ngày sinh"),
    ("sex", "Giới tính"),
    ("nationality", "Quốc tịch"),
    ("ethnicity", "Dân tộc"),
    ("religion", "Tôn giáo"),
    ("home_town", "Quê quán"),
    ("residence", "Nơi thường trú"),
    ("identifying_marks", "Đặc điểm nhận dạng"),
    ("issue_date", "Ngày cấp"),
    ("expiry_date", "Có giá trị đến"),
    ("father_name", "Họ tên cha"),
    ("mother_name", "Họ tên mẹ"),
    ("old_id_number", "Số CMND cũ"),
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    chip = subparsers.add_parser(
        "chip",
        help="đọc chip thẻ căn cước / read the chip of an ID card",
        description="Read the chip of a chip ID card (CCCD) through a contactless reader.",
    )
    actions = chip.add_subparsers(dest="chip_command", metavar="ACTION", required=True)
    read = actions.add_parser("read", help="read the card on the reader and check it is genuine")
    key = read.add_mutually_exclusive_group()
    key.add_argument("--can", metavar="N", help="the 6-digit CAN printed on the card")
    key.add_argument("--mrz", metavar="DOC,YYMMDD,YYMMDD", help="document number, birth date, expiry (BAC)")
    read.add_argument("--url", default="", help="chip reader URL (default: from --devices, else pcsc://)")
    read.add_argument(
        "--devices", type=Path, help="a devices.toml naming the chip reader and its CSCA folder"
    )
    read.add_argument("--csca", type=Path, help="folder of country signing (CSCA) certificates")
    read.add_argument("--no-face", action="store_true", help="skip the face image (DG2): a faster read")
    read.add_argument("--save-face", type=Path, metavar="FILE", help="write the face image to this file")
    read.add_argument("--json", action="store_true", help="one JSON object")
    read.set_defaults(handler=read_command)


def read_command(args: argparse.Namespace) -> int:
    try:
        if args.can is not None and not (args.can.isdigit() and len(args.can) == 6):
            raise ValueError("--can takes the 6 digits printed on the card (CAN)")
        mrz = MrzKey.parse(args.mrz) if args.mrz else None
        url, csca_dir = _reader_settings(args)
        reader = open_chip_reader(url, csca_dir)
    except ValueError as error:
        print(f"motcua chip read: {error}", file=sys.stderr)
        return 2
    try:
        result = reader.read_card(can=args.can, mrz=mrz, read_face=not args.no_face)
    except ChipError as error:
        if args.json:
            print(json.dumps({"error": error.as_dict()}, ensure_ascii=False))
        print(f"motcua chip read: {error.message_vi} / {error}", file=sys.stderr)
        return 1
    finally:
        reader.close()
    if args.save_face and result.face_image:
        args.save_face.write_bytes(result.face_image)
    _utf8_stdout()
    print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) if args.json else describe(result))
    return EXIT_CODES[result.verdict]


def _reader_settings(args: argparse.Namespace) -> tuple[str, str | None]:
    url, csca = args.url, str(args.csca) if args.csca else None
    if args.devices:
        from devices.config import load_devices_config

        config = load_devices_config(args.devices)
        if config.chip_readers:
            first = next(iter(config.chip_readers.values()))
            url = url or first.url
            csca = csca or first.csca_dir
    return url or "pcsc://", csca


def describe(result: ChipReadResult) -> str:
    vi, en = VERDICT_LABELS[result.verdict]
    lines = [f"{vi} / {en}"]
    lines += [f"  - {reason}" for reason in result.reasons]
    if result.citizen is not None:
        fields = result.citizen.as_dict(mask=True)
        lines += [f"{label}: {fields[name]}" for name, label in FIELD_LABELS if fields[name]]
        lines += [
            f"Trường {number} (chưa rõ tên): {' | '.join(values)}" for number, values in fields["raw"].items()
        ]
    if result.face_image:
        lines.append(f"Ảnh chân dung: {result.face_format}, {len(result.face_image)} bytes")
    lines.append(f"Truy cập / access: {result.access}; đọc trong {result.read_seconds:.2f} s")
    return "\n".join(lines)


def _utf8_stdout() -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8")
