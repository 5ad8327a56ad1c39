"""`motcua scan [--json] PATH…`: read the codes in images, videos and folders of them.

One result per image (per frame with codes for a video). A chip ID card payload is parsed and shown
with the ID number masked: the full number is never printed. Exit code 0 when everything could be read
(with or without codes), 1 when some path could not be read, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff", ".pgm", ".ppm", ".pbm")
VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    scan = subparsers.add_parser(
        "scan",
        help="đọc mã QR trong ảnh, video, thư mục / read QR codes in images, videos and folders",
        description="Read the codes in image files, video files and folders (recursively, in name order). "
        "A chip ID card (CCCD) QR is parsed; its ID number is shown masked.",
    )
    scan.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="image, video or folder")
    scan.add_argument("--json", action="store_true", help="one JSON object per line")
    scan.add_argument(
        "--formats",
        default="",
        metavar="LIST",
        help="barcode formats, e.g. QRCode,Code128 or 'all' (default: the QR family)",
    )
    scan.add_argument("--every", type=int, default=1, metavar="N", help="in videos, decode every Nth frame")
    scan.set_defaults(handler=scan_command)


@dataclass
class ScanResult:
    path: str
    codes: list[dict[str, Any]] = field(default_factory=list)
    cccd: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    frame: int | None = None

    def as_dict(self) -> dict[str, Any]:
        record: dict[str, Any] = {
            "path": self.path,
            "codes": self.codes,
            "cccd": self.cccd,
            "warnings": self.warnings,
            "error": self.error,
        }
        if self.frame is not None:
            record["frame"] = self.frame
        return record


def scan_command(args: argparse.Namespace) -> int:
    from devices.scanners.decode import QR_FORMATS, parse_formats

    formats = args.formats or QR_FORMATS
    try:
        parse_formats(formats)
    except ValueError as error:
        print(f"motcua scan: {error}", file=sys.stderr)
        return 2
    if args.every < 1:
        print("motcua scan: --every must be 1 or more", file=sys.stderr)
        return 2
    _utf8_stdout()
    all_read = True
    for path in args.paths:
        for result in scan_path(path, formats, args.every):
            all_read = all_read and result.error is None
            print(
                json.dumps(result.as_dict(), ensure_ascii=False) if args.json else human_line(result),
                flush=True,
            )
    return 0 if all_read else 1


def scan_path(path: Path, formats: str, every: int = 1) -> Iterator[ScanResult]:
    if not path.exists():
        yield ScanResult(str(path), error="không tìm thấy / not found")
    elif path.is_dir():
        yield from _scan_folder(path, formats, every)
    elif path.suffix.lower() in VIDEO_SUFFIXES:
        yield from _scan_video(path, formats, every)
    else:
        yield _scan_image(path, formats)


def _scan_folder(folder: Path, formats: str, every: int) -> Iterator[ScanResult]:
    from devices.scanners.camera import natural_key

    try:
        files = [
            p
            for p in folder.rglob("*")
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES + VIDEO_SUFFIXES
        ]
    except OSError as error:
        yield ScanResult(
            str(folder), error=f"không đọc được thư mục / cannot list the folder: {error.strerror}"
        )
        return
    if not files:
        yield ScanResult(
            str(folder), error="thư mục không có ảnh hay video / no images or videos in the folder"
        )
        return
    for file in sorted(files, key=lambda p: [natural_key(part) for part in p.relative_to(folder).parts]):
        if file.suffix.lower() in VIDEO_SUFFIXES:
            yield from _scan_video(file, formats, every)
        else:
            yield _scan_image(file, formats)


def _scan_image(path: Path, formats: str) -> ScanResult:
    from devices.scanners.decode import THOROUGH, ImageReadError, decode_file

    try:
        codes = decode_file(path, THOROUGH, formats)
    except ImageReadError as error:
        return ScanResult(str(path), error=f"{error.message_vi} / {error.message_en}")
    return describe_codes(str(path), [(code.format, code.text) for code in codes])


def _scan_video(path: Path, formats: str, every: int) -> Iterator[ScanResult]:
    import cv2
    import numpy as np

    from devices.scanners.decode import FAST, decode_image

    capture = cv2.VideoCapture(str(path))
    try:
        ok, frame = capture.read() if capture.isOpened() else (False, None)
        if not ok:
            yield ScanResult(
                str(path), error="không đọc được video (hỏng hoặc không hỗ trợ) / cannot read the video"
            )
            return
        found_any, number = False, 0
        while ok:
            if number % every == 0:
                codes = decode_image(np.asarray(frame), FAST, formats)
                if codes:
                    found_any = True
                    result = describe_codes(f"{path}#frame={number}", [(c.format, c.text) for c in codes])
                    result.frame = number
                    yield result
            ok, frame = capture.read()
            number += 1
        if not found_any:
            yield ScanResult(str(path))
    finally:
        capture.release()


def describe_codes(path: str, codes: list[tuple[str, str]]) -> ScanResult:
    """The result for one image: codes, and the first chip ID card among them parsed, ID masked."""
    from devices.scanners.cccd import CccdError, parse_cccd

    result = ScanResult(path)
    for code_format, text in codes:
        try:
            card = parse_cccd(text)
        except CccdError as error:
            if _looks_like_cccd(text):
                result.warnings.append(str(error))
            result.codes.append({"format": code_format, "text": _mask_id_field(text)})
            continue
        result.codes.append({"format": code_format, "text": _mask_id_field(text)})
        if result.cccd is None:
            result.cccd = card_fields(card)
            result.warnings.extend(str(warning) for warning in card.warnings)
    return result


def card_fields(card: Any) -> dict[str, Any]:
    from devices.scanners.cccd import masked_id

    return {
        "id_number_masked": card.id_number_masked,
        "old_id_masked": masked_id(card.old_id),
        "full_name": card.full_name,
        "birth_date": card.birth_date.isoformat(),
        "sex": card.sex,
        "address": card.address,
        "issue_date": card.issue_date.isoformat(),
        "province": card.province,
        "extra_fields": list(card.extra_fields),
    }


def _looks_like_cccd(text: str) -> bool:
    first = text.strip().split("|", 1)[0]
    return "|" in text and first.isdigit() and 9 <= len(first) <= 13


def _mask_id_field(text: str) -> str:
    """A payload shaped like an ID card's with its ID fields masked; any other text as it is."""
    from devices.scanners.cccd import masked_id

    if not _looks_like_cccd(text):
        return text
    fields = text.split("|")
    fields[0] = masked_id(fields[0].strip())
    if len(fields) > 1 and fields[1].strip().isdigit():
        fields[1] = masked_id(fields[1].strip())
    return "|".join(fields)


def human_line(result: ScanResult) -> str:
    """One readable line: the codes (an ID card summarised, its number masked), then any warnings."""
    if result.error:
        return f"{result.path}: LỖI / ERROR: {result.error}"
    if not result.codes:
        return f"{result.path}: không có mã / no code"
    parts = []
    for code in result.codes:
        if result.cccd and code["text"].startswith(result.cccd["id_number_masked"] + "|"):
            card = result.cccd
            parts.append(
                f"CCCD {card['id_number_masked']} · {card['full_name']} · sinh/born {card['birth_date']} · "
                f"{card['sex']} · cấp/issued {card['issue_date']}"
            )
        else:
            parts.append(f"{code['format']} {json.dumps(code['text'], ensure_ascii=False)}")
    warnings = "".join(f" [! {warning}]" for warning in result.warnings)
    return f"{result.path}: " + "; ".join(parts) + warnings


def _utf8_stdout() -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(encoding="utf-8", errors="replace")
