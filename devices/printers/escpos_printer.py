"""`EscposTicketPrinter`: the TicketPrinter port over python-escpos transports.

Draws the document, encodes it once (encoding.document_bytes) and sends the bytes through a Connection.
Before each job a bidirectional printer is asked for its real-time status, so paper out or an open cover
refuses the job with a clear PrinterError instead of losing the ticket in the printer's buffer. A dropped
transport is reopened with capped backoff on the next status() or print; nothing here raises anything but
PrinterError to the caller.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PIL import Image

from devices.backoff import Backoff
from devices.printers.connections import Connection, DriverMissingError
from devices.printers.encoding import document_bytes
from devices.printers.errors import PrinterError, status_for
from devices.printers.layout import render_receipt, render_ticket
from devices.printers.port import ReceiptPrint, TicketPrint, check_paper
from devices.printers.realtime import read_status
from devices.status import DeviceState, DeviceStatus

log = logging.getLogger(__name__)


class EscposTicketPrinter:
    def __init__(
        self,
        connection: Connection,
        paper: str = "80mm",
        *,
        query_status: bool = True,
        status_timeout_s: float = 0.5,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_paper(paper)
        self.paper = paper
        self.connection = connection
        self.query_status = query_status and connection.bidirectional
        self.status_timeout_s = status_timeout_s
        self.backoff = backoff or Backoff()
        self.clock = clock
        self._lock = threading.Lock()
        self._connected = False
        self._closed = False
        self._retry_at = 0.0
        self._last = status_for("unplugged", "not connected yet")
        self.last_job = b""  # bytes of the last job sent, for previews
        with self._lock:
            self._connect()

    def __repr__(self) -> str:
        return f"EscposTicketPrinter({self.connection.describe()}, paper={self.paper!r})"

    # -- the port ---------------------------------------------------------------------------------------

    def print_ticket(self, ticket: TicketPrint) -> None:
        self.print_image(render_ticket(ticket, self.paper))

    def print_receipt(self, receipt: ReceiptPrint) -> None:
        self.print_image(render_receipt(receipt, self.paper))

    def status(self) -> DeviceStatus:
        with self._lock:
            return self._refresh()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._disconnect()
            self._last = status_for("closed")

    # -- jobs -------------------------------------------------------------------------------------------

    def print_image(self, image: Image.Image) -> None:
        """Print an already drawn 1-bit image, then cut."""
        data = document_bytes(image, self.paper)
        with self._lock:
            status = self._refresh()
            if status.state is DeviceState.OFFLINE:
                raise PrinterError.from_status(status)
            try:
                self.connection.begin_job()
                self.connection.write(data)
                self.connection.end_job()
                self.last_job = data
            except Exception as error:
                raise PrinterError.from_status(self._drop(error)) from error

    # -- connection state (call with the lock held) ------------------------------------------------------

    def _refresh(self) -> DeviceStatus:
        if self._closed:
            return self._last
        if not self._connected and not self._connect():
            return self._last
        try:
            self._last = self._current_status()
        except Exception as error:
            self._drop(error)
        return self._last

    def _current_status(self) -> DeviceStatus:
        problem = self.connection.health()
        if problem is not None:
            return problem
        if not self.query_status:
            return DeviceStatus(DeviceState.READY)
        timeout = self.status_timeout_s
        return read_status(lambda n: self.connection.ask(n, timeout))

    def _connect(self) -> bool:
        if self.clock() < self._retry_at:
            return False
        try:
            self.connection.open()
        except DriverMissingError as error:
            self._drop(error, reason="driver_missing")
            return False
        except Exception as error:
            self._drop(error)
            return False
        self._connected = True
        self.backoff.reset()
        self._retry_at = 0.0
        log.info("printer connected: %s", self.connection.describe())
        return True

    def _drop(self, error: BaseException, reason: str = "unplugged") -> DeviceStatus:
        """Forget the transport and wait a growing, capped delay before the next attempt."""
        self._disconnect()
        delay = self.backoff.next_delay()
        self._retry_at = self.clock() + delay
        detail = f"{self.connection.describe()}: {error}".replace("\n", " ")
        log.warning("printer unavailable (%s), retry in %.1f s", detail, delay)
        self._last = self.connection.health() or status_for(reason, detail)
        return self._last

    def _disconnect(self) -> None:
        self._connected = False
        try:
            self.connection.close()
        except Exception as error:
            log.debug("closing %s failed: %s", self.connection.describe(), error)
