"""What an uploaded file really is, from its bytes: JPEG, PNG or PDF, fully decoded or parsed — or refused.

The name and the Content-Type a client sends are only claims: a claim that disagrees with the bytes is
refused (a PNG named .jpg is not what it says it is), and a file with no claim is judged by its bytes.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from queue_server.domain.errors import DomainError

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
ALLOWED = (JPEG, PNG, PDF)
MAX_PIXELS = 60_000_000  # a 48 MP phone photo passes; a decompression bomb does not
_EXTENSIONS = {".jpg": JPEG, ".jpeg": JPEG, ".jpe": JPEG, ".png": PNG, ".pdf": PDF}
_CLAIMED_TYPES = {"image/jpeg": JPEG, "image/jpg": JPEG, "image/pjpeg": JPEG, "image/png": PNG, PDF: PDF}
_NAMES = {JPEG: "JPEG", PNG: "PNG", PDF: "PDF"}
# Signatures of things people (or attackers) upload instead, to say what the file really is.
_KNOWN_OTHERS: tuple[tuple[bytes, str, str], ...] = (
    (b"MZ", "chương trình Windows (.exe)", "a Windows program (.exe)"),
    (b"\x7fELF", "chương trình Linux", "a Linux program"),
    (b"PK\x03\x04", "tệp nén ZIP/Office", "a ZIP or Office file"),
    (b"GIF8", "ảnh GIF", "a GIF image"),
    (b"RIFF", "tệp RIFF (WebP/âm thanh)", "a RIFF file (WebP/audio)"),
    (b"\xd0\xcf\x11\xe0", "tài liệu Office cũ", "an old Office document"),
    (b"%!PS", "tệp PostScript", "a PostScript file"),
)
_MARKUP = re.compile(rb"^\s*(<!doctype|<html|<\?xml|<svg|<script|<head|<body)", re.IGNORECASE)
_PDF_HEADER = re.compile(rb"^%PDF-[12]\.\d")
# What makes a PDF act rather than show: scripts, actions run on opening or on events, launching programs,
# submitting or importing data, attached files, rich media, XML forms. Checked on the parsed objects, where
# names are decoded (/Java#53cript is /JavaScript), never on the raw bytes.
_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",
        "/RichMedia",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/XFA",
    }
)
_ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/Hide",
        "/SetOCGState",
        "/Trans",
        "/GoTo3DView",
    }
)
_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/RichMedia", "/FileAttachment", "/Screen", "/Movie", "/3D"})
MAX_PDF_OBJECTS = 200_000  # a walk bound: more objects than any scanned paper has


class FileRejected(DomainError):
    """An uploaded file that is refused; status_code says which HTTP answer fits."""

    def __init__(self, code: str, status_code: int, vi: str, en: str, **details: object) -> None:
        super().__init__(code, vi, en, **details)
        self.status_code = status_code


@dataclass(frozen=True)
class CheckedFile:
    media_type: str
    size: int
    pages: int  # 1 for an image; the page count of a PDF


def check_file(
    data: bytes,
    *,
    name: str,
    claimed_type: str | None,
    max_bytes: int,
    max_pixels: int = MAX_PIXELS,
    index: int = 0,
) -> CheckedFile:
    """Refuse anything but a complete, decodable JPEG, PNG or PDF of at most `max_bytes`."""
    where = {"file": name, "index": index}
    shown = name or f"#{index + 1}"
    if not data:
        raise FileRejected(
            "file_empty", 422, f"Tệp '{shown}' trống.", f"The file '{shown}' is empty.", **where
        )
    if len(data) > max_bytes:
        mb = max_bytes / 1024 / 1024
        raise FileRejected(
            "file_too_large",
            413,
            f"Tệp '{shown}' quá lớn (tối đa {mb:.3g} MB).",
            f"The file '{shown}' is too large (at most {mb:.3g} MB).",
            **where,
        )
    actual = sniff(data)
    if actual is None:
        vi, en = describe_other(data)
        raise FileRejected(
            "file_type_not_allowed",
            415,
            f"Tệp '{shown}' không phải ảnh JPEG, PNG hay tệp PDF (đây là {vi}).",
            f"The file '{shown}' is not a JPEG, PNG or PDF (it is {en}).",
            **where,
        )
    _check_claims(actual, name, claimed_type, shown, where)
    if actual == PDF:
        pages = _parse_pdf(data, shown, where)
    else:
        _decode_image(data, actual, shown, max_pixels, where)
        pages = 1
    return CheckedFile(actual, len(data), pages)


def sniff(data: bytes) -> str | None:
    """The allowed type the magic number says, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if _PDF_HEADER.match(data):
        return PDF
    return None


def describe_other(data: bytes) -> tuple[str, str]:
    for magic, vi, en in _KNOWN_OTHERS:
        if data.startswith(magic):
            return vi, en
    if _MARKUP.match(data[:512]):
        return "trang web/HTML", "a web page (HTML)"
    try:
        data[:4096].decode("utf-8")
        return "tệp văn bản", "a text file"
    except UnicodeDecodeError:
        return "tệp không rõ loại", "a file of unknown type"


def _claimed(name: str, claimed_type: str | None) -> list[str]:
    claims = []
    extension = PurePath(name).suffix.lower() if name else ""
    if extension:
        claims.append(_EXTENSIONS.get(extension, f"extension {extension}"))
    base_type = (claimed_type or "").split(";")[0].strip().lower()
    if base_type and base_type not in ("application/octet-stream", "binary/octet-stream"):
        claims.append(_CLAIMED_TYPES.get(base_type, base_type))
    return claims


def _check_claims(
    actual: str, name: str, claimed_type: str | None, shown: str, where: dict[str, object]
) -> None:
    for claim in _claimed(name, claimed_type):
        if claim != actual:
            said = _NAMES.get(claim, claim)
            raise FileRejected(
                "file_type_mismatch",
                415,
                f"Tệp '{shown}' ghi là {said} nhưng thực chất là {_NAMES[actual]}.",
                f"The file '{shown}' claims to be {said} but is really {_NAMES[actual]}.",
                **where,
            )


def _damaged(shown: str, where: dict[str, object], why_en: str) -> FileRejected:
    return FileRejected(
        "file_damaged",
        422,
        f"Tệp '{shown}' bị hỏng hoặc không đầy đủ, không đọc được.",
        f"The file '{shown}' is damaged or incomplete ({why_en}).",
        **where,
    )


def _decode_image(
    data: bytes, media_type: str, shown: str, max_pixels: int, where: dict[str, object]
) -> None:
    from PIL import Image

    if media_type == JPEG and not data.rfind(b"\xff\xd9") > data.rfind(b"\xff\xda") > 0:
        # Entropy-coded data never holds FF D9: a complete JPEG ends its last scan with an EOI marker.
        raise _damaged(shown, where, "no end-of-image marker after the last scan")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we judge the size ourselves
            image = Image.open(io.BytesIO(data))
        with image:
            width, height = image.size
            if width * height > max_pixels:
                millions = max_pixels // 1_000_000
                raise FileRejected(
                    "image_too_large",
                    422,
                    f"Ảnh '{shown}' quá lớn ({width}×{height} điểm ảnh, tối đa {millions} triệu).",
                    f"The image '{shown}' is too large ({width}x{height} pixels, at most {millions} million).",
                    **where,
                )
            image.load()  # a full decode: a truncated or corrupt stream fails here
    except FileRejected:
        raise
    except Image.DecompressionBombError:  # far beyond any camera: PIL refuses even to read the header
        raise FileRejected(
            "image_too_large",
            422,
            f"Ảnh '{shown}' quá lớn.",
            f"The image '{shown}' is far too large.",
            **where,
        ) from None
    except (OSError, ValueError, SyntaxError) as error:
        raise _damaged(shown, where, str(error) or type(error).__name__) from None


def _parse_pdf(data: bytes, shown: str, where: dict[str, object]) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if b"%%EOF" not in data[-1024:]:
        raise _damaged(shown, where, "no %%EOF at the end")
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise FileRejected(
                "pdf_encrypted",
                422,
                f"Tệp PDF '{shown}' có mật khẩu.",
                f"The PDF '{shown}' is password-protected.",
                **where,
            )
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 — touching each page parses its dictionary
        _refuse_active(reader, shown, where)
    except FileRejected:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        # A viewer repairs what strict parsing refuses: say so if the repaired file would act.
        _refuse_active_leniently(data, shown, where)
        raise _damaged(shown, where, str(error) or type(error).__name__) from None
    if pages < 1:
        raise _damaged(shown, where, "the PDF has no page")
    return pages


def _refuse_active(reader: object, shown: str, where: dict[str, object]) -> None:
    active = _active_content(reader)
    if active is not None:
        raise FileRejected(
            "pdf_active_content",
            422,
            f"Tệp PDF '{shown}' chứa mã lệnh hoặc tệp đính kèm; hãy quét lại thành ảnh hoặc PDF thường.",
            f"The PDF '{shown}' holds scripts, actions or attachments ({active}); scan it again as an "
            "image or a plain PDF.",
            found=active,
            **where,
        )


def _refuse_active_leniently(data: bytes, shown: str, where: dict[str, object]) -> None:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        active = _active_content(reader)
    except Exception:  # beyond repair: it is refused as damaged anyway
        return
    if active is not None:
        _refuse_active(reader, shown, where)


def _active_content(reader: object) -> str | None:
    """The first active thing reachable from the trailer (what a viewer would act on), or None."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    seen: set[tuple[int, int]] = set()
    pending: list[object] = [reader.trailer]  # type: ignore[attr-defined]
    visited = 0
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        visited += 1
        if visited > MAX_PDF_OBJECTS:
            return "too many objects to check"
        if isinstance(item, DictionaryObject):
            found = _active_in(item)
            if found is not None:
                return found
            pending.extend(value for key, value in item.items() if key != "/Parent")
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return None


def _active_in(dictionary: dict[str, object]) -> str | None:
    for key in dictionary:
        if key in _ACTIVE_KEYS:
            return str(key)
    for key, names in (("/S", _ACTIVE_ACTIONS), ("/Type", _ACTIVE_TYPES), ("/Subtype", _ACTIVE_TYPES)):
        value = dictionary.get(key)
        if isinstance(value, str) and value in names:
            return f"{key} {value}"
    return None
