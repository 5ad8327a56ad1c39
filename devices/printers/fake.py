"""`FakeTicketPrinter`: the TicketPrinter port in memory, with fault injection.

It draws and encodes each job exactly as the real adapter does and keeps the image and the bytes, so
tests and demos can look at what would have come out of the printer.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from PIL import Image

from devices.printers.encoding import document_bytes
from devices.printers.errors import PrinterError, status_for
from devices.printers.layout import render_receipt, render_ticket
from devices.printers.port import ReceiptPrint, TicketPrint, check_paper
from devices.status import DeviceState, DeviceStatus

# fault name -> reason code in errors.REASONS
FAULT_REASONS: dict[str, str] = {
    "paper_out": "paper_out",
    "cover_open": "cover_open",
    "unplugged": "unplugged",
    "near_end": "paper_near_end",
}


@dataclass(frozen=True)
class PrintedJob:
    kind: str  # "ticket" or "receipt"
    document: TicketPrint | ReceiptPrint
    image: Image.Image
    data: bytes


class FakeTicketPrinter:
    def __init__(self, paper: str = "80mm", fault: str | None = None) -> None:
        check_paper(paper)
        self.paper = paper
        self.jobs: list[PrintedJob] = []
        self._fault: str | None = None
        self._closed = False
        self._lock = threading.Lock()
        if fault:
            self.inject(fault)

    def inject(self, fault: str) -> None:
        """Make the printer fail like a real one: paper_out, cover_open, unplugged or near_end."""
        if fault not in FAULT_REASONS:
            raise ValueError(f"unknown fault {fault!r}; use one of {', '.join(FAULT_REASONS)}")
        self._fault = fault

    def clear_fault(self) -> None:
        self._fault = None

    @property
    def last_job(self) -> bytes:
        return self.jobs[-1].data if self.jobs else b""

    @property
    def output(self) -> bytes:
        """All bytes printed so far, as a file printer would hold them."""
        return b"".join(job.data for job in self.jobs)

    def print_ticket(self, ticket: TicketPrint) -> None:
        self._print("ticket", ticket, render_ticket(ticket, self.paper))

    def print_receipt(self, receipt: ReceiptPrint) -> None:
        self._print("receipt", receipt, render_receipt(receipt, self.paper))

    def _print(self, kind: str, document: TicketPrint | ReceiptPrint, image: Image.Image) -> None:
        status = self.status()
        if status.state is DeviceState.OFFLINE:
            raise PrinterError.from_status(status)
        data = document_bytes(image, self.paper)
        with self._lock:
            self.jobs.append(PrintedJob(kind, document, image, data))

    def status(self) -> DeviceStatus:
        if self._closed:
            return status_for("closed")
        if self._fault is not None:
            return status_for(FAULT_REASONS[self._fault], "injected fault")
        return DeviceStatus(DeviceState.READY)

    def close(self) -> None:
        self._closed = True

    def __repr__(self) -> str:
        return f"FakeTicketPrinter(paper={self.paper!r}, fault={self._fault!r}, jobs={len(self.jobs)})"
