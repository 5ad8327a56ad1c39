"""`motcua document PHOTO… [-o hoso.pdf]`: straighten and judge photos of papers, put the good ones in a PDF.

One line per photo: "ok" with the paper size, or the reasons it is not good enough (Vietnamese / English).
With --json, one JSON object per line instead. Folders are read in name order (JPEG and PNG files).
Exit code 0 when every photo was good, 1 when some photo was unreadable or not good enough (the good ones
still go into the PDF), 2 for bad usage.

OpenCV is imported only when the command runs: `motcua` imports this module at start-up.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devices.scanners.document.model import ProcessedPage

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    command = subparsers.add_parser(
        "document",
        help="làm phẳng, kiểm tra ảnh chụp giấy tờ, ghép PDF / straighten and check photos of papers, make a PDF",
        description="Find the page in each photo, straighten it, even the light and judge it (no page, cut, "
        "too small, too dark, blurred, glare). The good pages go into one PDF with -o.",
    )
    _add_arguments(command)
    command.set_defaults(handler=document_command)


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PHOTO", help="JPEG/PNG photo or folder of them"
    )
    parser.add_argument("-o", "--output", type=Path, metavar="PDF", help="write the pages to this PDF")
    parser.add_argument("--save-pages", type=Path, metavar="DIR", help="also write each page as a JPEG here")
    parser.add_argument("--light", choices=("color", "gray", "none"), default="color", help="light evening")
    parser.add_argument("--long-side", type=int, default=2000, metavar="PX", help="page size (default 2000)")
    parser.add_argument("--dpi", type=float, default=None, help="PDF resolution (default: 2000 px = 297 mm)")
    parser.add_argument("--keep-flawed", action="store_true", help="put pages with reasons in the PDF too")
    parser.add_argument("--json", action="store_true", help="one JSON object per photo")


def _photo_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.suffix.lower() in PHOTO_SUFFIXES and p.is_file()
            )
        else:
            yield path


def document_command(args: argparse.Namespace) -> int:
    from devices.scanners.document.model import DEFAULT_PDF_DPI, DocumentPhotoError
    from devices.scanners.document.pdf import pages_to_pdf
    from devices.scanners.document.pipeline import process_photo

    failed = False
    keep: list[ProcessedPage] = []
    for path in _photo_files(args.paths):
        try:
            result = process_photo(path.read_bytes(), long_side=args.long_side, light=args.light)
        except OSError as error:
            failed = True
            _report(args, path, error=f"Không đọc được tệp / cannot read the file: {error.strerror or error}")
            continue
        except DocumentPhotoError as error:
            failed = True
            _report(args, path, error=str(error))
            continue
        failed = failed or not result.quality.ok
        _report(args, path, result=result)
        if result.page is not None and (result.quality.ok or args.keep_flawed):
            keep.append(result)
            if args.save_pages:
                _save_page(args.save_pages, path, result)
    if args.output:
        if not keep:
            print("Không có trang nào đạt để ghép PDF / no good page to put in the PDF", file=sys.stderr)
            return 1
        args.output.write_bytes(pages_to_pdf(keep, dpi=args.dpi or DEFAULT_PDF_DPI))
        if not args.json:
            print(f"{args.output}: {len(keep)} trang / pages")
    return 1 if failed else 0


def _save_page(folder: Path, photo: Path, result: ProcessedPage) -> None:
    import cv2

    assert result.page is not None
    folder.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(folder / f"{photo.stem}.page.jpg"), result.page, [cv2.IMWRITE_JPEG_QUALITY, 90])


def _report(
    args: argparse.Namespace, path: Path, *, result: ProcessedPage | None = None, error: str | None = None
) -> None:
    if args.json:
        print(json.dumps(_as_record(path, result, error), ensure_ascii=False))
    elif error is not None:
        print(f"{path}: {error}")
    elif result is not None and result.quality.ok:
        assert result.page is not None
        height, width = result.page.shape[:2]
        print(f"{path}: tốt / ok ({result.paper or 'khổ khác / other size'}, {width}x{height})")
    elif result is not None:
        reasons = "; ".join(f"{r.message_vi} / {r.message_en}" for r in result.quality.reasons)
        print(f"{path}: {reasons}")


def _as_record(path: Path, result: ProcessedPage | None, error: str | None) -> dict[str, Any]:
    record: dict[str, Any] = {"path": str(path), "ok": False, "error": error}
    if result is None:
        return record
    record["ok"] = result.quality.ok
    record["paper"] = result.paper
    record["size"] = None if result.page is None else [result.page.shape[1], result.page.shape[0]]
    record["corners"] = (
        None if result.quad is None else [[round(float(v), 1) for v in p] for p in result.quad.corners]
    )
    record["cut_sides"] = [] if result.quad is None else list(result.quad.cut_sides)
    record["reasons"] = [
        {"code": r.code.value, "message_vi": r.message_vi, "message_en": r.message_en}
        for r in result.quality.reasons
    ]
    record["measures"] = {
        k: round(v, 4) for k, v in result.quality.measures.items() if v == v
    }  # no NaN in JSON
    return record


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devices.scanners.document.cli", description=__doc__)
    _add_arguments(parser)
    return document_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
