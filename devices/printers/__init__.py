"""Thermal ticket printers: the `TicketPrinter` port, its ESC/POS adapter, a fake, layout and preview.

Open a printer by URL with `open_printer("usb://04b8:0e15")`; see devices.printers.urls for the schemes.
The fake is `devices.printers.fake.FakeTicketPrinter` (also opened by `fake://`).
"""

from devices.printers.errors import PrinterError, PrinterUrlError
from devices.printers.port import PAPER_DOTS, ReceiptPrint, TicketPrint, TicketPrinter, mask_personal_id
from devices.printers.urls import open_printer, parse_printer_url

__all__ = [
    "PAPER_DOTS",
    "PrinterError",
    "PrinterUrlError",
    "ReceiptPrint",
    "TicketPrint",
    "TicketPrinter",
    "mask_personal_id",
    "open_printer",
    "parse_printer_url",
]
