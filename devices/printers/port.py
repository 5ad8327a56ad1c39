"""The `TicketPrinter` port and the documents it prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from devices.id_mask import MAX_SHOWN_DIGITS, mask_id, shows_too_much
from devices.status import DeviceStatus

# Printable width in dots at 203 dpi.
PAPER_DOTS: dict[str, int] = {"80mm": 576, "58mm": 384}


def check_paper(paper: str) -> int:
    """The dot width of a paper name; a clear ValueError for anything else."""
    if paper not in PAPER_DOTS:
        raise ValueError(f"unknown paper {paper!r}: use one of {', '.join(PAPER_DOTS)}")
    return PAPER_DOTS[paper]


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}")


def _require_text(name: str, value: str) -> None:
    if not value.strip():
        raise ValueError(f"{name} must not be empty")


def mask_personal_id(personal_id: str) -> str:
    """Mask an ID number for print: "001099004567" -> "001******567" (devices/id_mask.py, the one format).

    Accepts a 12-digit CCCD or a 9-digit CMND, or text already masked with '*' that shows no more digits
    than a masked ID may; anything else is refused, so a receipt never carries a whole ID.
    """
    text = personal_id.strip()
    if "*" in text:
        if shows_too_much(text):
            raise ValueError(f"a masked ID number must not show more than {MAX_SHOWN_DIGITS} digits")
        return text
    if not text.isdigit() or len(text) not in (9, 12):
        raise ValueError("ID number must be 12 digits (CCCD) or 9 digits (CMND), or already masked with '*'")
    return mask_id(text)


@dataclass(frozen=True)
class TicketPrint:
    """A numbered ticket (số thứ tự) as printed at the kiosk."""

    office_name: str
    number: str  # e.g. "A023"
    queue_name_vi: str
    queue_name_en: str
    issued_at: datetime  # aware; printed in Asia/Ho_Chi_Minh time
    people_ahead: int
    estimated_wait_s: int | None = None
    qr_url: str | None = None
    dossier_code: str | None = None
    priority_label: str | None = None
    footer: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _require_text("office_name", self.office_name)
        _require_text("number", self.number)
        if len(self.number) > 8:
            raise ValueError(f"ticket number {self.number!r} is longer than 8 characters")
        _require_text("queue_name_vi", self.queue_name_vi)
        _require_aware("issued_at", self.issued_at)
        if self.people_ahead < 0:
            raise ValueError(f"people_ahead must be >= 0, got {self.people_ahead}")
        if self.estimated_wait_s is not None and self.estimated_wait_s < 0:
            raise ValueError(f"estimated_wait_s must be >= 0 or None, got {self.estimated_wait_s}")
        object.__setattr__(self, "footer", tuple(self.footer))


@dataclass(frozen=True)
class ReceiptPrint:
    """Giấy tiếp nhận hồ sơ và hẹn trả kết quả: proof that a dossier was received, with its due date.

    `citizen_id` is masked on construction, so the full ID never lives in this object.
    """

    office_name: str
    dossier_code: str
    citizen_name: str
    citizen_id: str
    procedure_name: str
    received_at: datetime
    due_date: date
    papers: tuple[tuple[str, str], ...] = ()  # (paper name, count / notes such as "1 bản chính")
    footer: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _require_text("office_name", self.office_name)
        _require_text("dossier_code", self.dossier_code)
        if not self.dossier_code.isascii():
            raise ValueError(
                f"dossier_code {self.dossier_code!r} must be ASCII to print as a CODE128 barcode"
            )
        _require_text("citizen_name", self.citizen_name)
        _require_text("procedure_name", self.procedure_name)
        _require_aware("received_at", self.received_at)
        if self.due_date < self.received_at.date():
            raise ValueError(f"due_date {self.due_date} is before received_at {self.received_at.date()}")
        object.__setattr__(self, "citizen_id", mask_personal_id(self.citizen_id))
        papers = tuple((str(name), str(notes)) for name, notes in self.papers)
        for index, (name, _notes) in enumerate(papers):
            _require_text(f"papers[{index}] name", name)
        object.__setattr__(self, "papers", papers)
        object.__setattr__(self, "footer", tuple(self.footer))


@runtime_checkable
class TicketPrinter(Protocol):
    """Prints tickets and receipts. Failures raise `PrinterError` and show in `status()`."""

    paper: str

    def print_ticket(self, ticket: TicketPrint) -> None: ...

    def print_receipt(self, receipt: ReceiptPrint) -> None: ...

    def status(self) -> DeviceStatus: ...

    def close(self) -> None: ...
