"""Real transports to emulated printers: a serial printer on a pseudo-terminal pair and a network printer
on 127.0.0.1. The emulated printer answers DLE EOT n from its status bytes and records everything else."""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.backoff import Backoff
from devices.printers import PrinterError, open_printer
from devices.printers.connections import NetworkConnection, SerialConnection
from devices.printers.encoding import document_bytes
from devices.printers.escpos_printer import EscposTicketPrinter
from devices.printers.layout import render_ticket
from devices.printers.realtime import request
from devices.printers.sample import sample_ticket
from devices.status import DeviceState

OK = 0x12
PAPER_NEAR_END, PAPER_OUT = OK | 0x0C, OK | 0x60
OFFLINE, COVER_OPEN = OK | 0x08, OK | 0x04


class EmulatedPrinter:
    """The printer's side of the wire."""

    def __init__(self) -> None:
        self.answers: dict[int, int] = {1: OK, 2: OK, 4: OK}
        self.mute = False
        self.received = bytearray()
        self._lock = threading.Lock()

    def feed(self, chunk: bytes) -> bytes:
        """Record `chunk`; the reply bytes for every DLE EOT n that completes in it."""
        with self._lock:
            start = max(0, len(self.received) - 2)
            self.received += chunk
            window = bytes(self.received[start:])
        replies = bytearray()
        for index in range(len(window) - 2):
            if (
                window[index : index + 2] == b"\x10\x04"
                and window[index + 2] in self.answers
                and not self.mute
            ):
                replies.append(self.answers[window[index + 2]])
        return bytes(replies)

    def wait_for(self, size: int, timeout_s: float = 10.0) -> bytes:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < size and time.monotonic() < deadline:
            time.sleep(0.01)
        return bytes(self.received)


class PtyPrinter(EmulatedPrinter):
    """A serial printer on the master end of a pty; the slave is reached through a symlink we control,
    so the printer can be unplugged and plugged back in (a new pty) under the same device path."""

    def __init__(self, link: Path) -> None:
        super().__init__()
        self.link = link
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.plug()

    def plug(self) -> None:
        self.master, self.slave = os.openpty()
        if self.link.is_symlink():
            self.link.unlink()
        self.link.symlink_to(os.ttyname(self.slave))
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            reply = self.feed(chunk)
            if reply:
                os.write(self.master, reply)

    def unplug(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        os.close(self.master)
        os.close(self.slave)
        self.link.unlink()


class TcpPrinter(EmulatedPrinter):
    """A network printer on 127.0.0.1 (raw port like 9100)."""

    def __init__(self, port: int = 0) -> None:
        super().__init__()
        self.server = socket.create_server(("127.0.0.1", port))  # SO_REUSEADDR on POSIX
        self.port = self.server.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.accepted = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _accept(self) -> None:
        self.server.settimeout(0.05)
        while not self._stop.is_set():
            try:
                client, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            self.accepted += 1
            self.connections.append(client)
            self._threads.append(threading.Thread(target=self._serve, args=(client,), daemon=True))
            self._threads[-1].start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(0.05)
        while not self._stop.is_set():
            try:
                chunk = client.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            reply = self.feed(chunk)
            if reply:
                client.sendall(reply)

    def stop(self) -> None:
        """Close like a printer switched off; the port is free again when this returns."""
        self._stop.set()
        for thread in self._threads:
            thread.join()
        for client in self.connections:
            client.close()
        self.server.close()


@pytest.fixture
def pty_printer(tmp_path: Path) -> Iterator[PtyPrinter]:
    printer = PtyPrinter(tmp_path / "ttyPRINTER")
    yield printer
    if printer.link.is_symlink():
        printer.unplug()


@pytest.fixture
def tcp_printer() -> Iterator[TcpPrinter]:
    printer = TcpPrinter()
    yield printer
    printer.stop()


def _job(paper: str = "80mm") -> bytes:
    return document_bytes(render_ticket(sample_ticket(), paper), paper)


# -- serial over a pty -----------------------------------------------------------------------------------


def test_serial_printer_receives_status_questions_then_exactly_the_job(pty_printer: PtyPrinter) -> None:
    printer = open_printer(f"serial://{pty_printer.link}?baudrate=19200", "58mm")
    try:
        printer.print_ticket(sample_ticket())
    finally:
        printer.close()
    expected = request(1) + request(4) + _job("58mm")
    assert pty_printer.wait_for(len(expected)) == expected


@pytest.mark.parametrize(
    ("answers", "state", "reason"),
    [
        ({1: OK, 4: OK}, DeviceState.READY, ""),
        ({1: OK, 4: PAPER_NEAR_END}, DeviceState.DEGRADED, "paper_near_end"),
        ({1: OK, 4: PAPER_OUT}, DeviceState.OFFLINE, "paper_out"),
        ({1: OFFLINE, 2: COVER_OPEN}, DeviceState.OFFLINE, "cover_open"),
    ],
)
def test_serial_status_from_the_printer_answers(
    pty_printer: PtyPrinter, answers: dict[int, int], state: DeviceState, reason: str
) -> None:
    pty_printer.answers = answers
    printer = open_printer(f"serial://{pty_printer.link}")
    try:
        status = printer.status()
    finally:
        printer.close()
    assert (status.state, status.reason) == (state, reason)


def test_serial_printer_that_does_not_answer_is_offline_unless_status_is_off(pty_printer: PtyPrinter) -> None:
    pty_printer.mute = True
    asking = open_printer(f"serial://{pty_printer.link}?timeout=0.1")
    trusting = open_printer(f"serial://{pty_printer.link}?status=off")
    try:
        assert asking.status().reason == "no_answer"
        with pytest.raises(PrinterError, match="no_answer"):
            asking.print_ticket(sample_ticket())
        trusting.print_ticket(sample_ticket())  # sent without asking
    finally:
        asking.close()
        trusting.close()
    assert pty_printer.wait_for(len(_job())).endswith(_job())


def test_paper_out_refuses_the_job_and_sends_no_ticket_bytes(pty_printer: PtyPrinter) -> None:
    pty_printer.answers[4] = PAPER_OUT
    printer = open_printer(f"serial://{pty_printer.link}")
    try:
        with pytest.raises(PrinterError) as caught:
            printer.print_ticket(sample_ticket())
    finally:
        printer.close()
    assert caught.value.reason == "paper_out"
    assert "hết giấy" in caught.value.message_vi
    assert bytes(pty_printer.received) == request(1) + request(4)


def test_serial_unplug_and_replug_recovers_after_backoff(pty_printer: PtyPrinter) -> None:
    now = [0.0]
    printer = EscposTicketPrinter(
        SerialConnection(str(pty_printer.link), 9600),
        "58mm",
        backoff=Backoff(initial_s=5.0, cap_s=5.0),
        clock=lambda: now[0],
    )
    try:
        assert printer.status().state is DeviceState.READY
        pty_printer.unplug()
        status = printer.status()
        assert (status.state, status.reason) == (DeviceState.OFFLINE, "unplugged")
        pty_printer.plug()
        assert printer.status().reason == "unplugged"  # still waiting out the backoff
        now[0] += 5.0
        assert printer.status().state is DeviceState.READY
        printer.print_ticket(sample_ticket())
    finally:
        printer.close()
    assert pty_printer.wait_for(len(_job("58mm"))).endswith(_job("58mm"))


def test_serial_device_that_does_not_exist_opens_offline(tmp_path: Path) -> None:
    printer = open_printer(f"serial://{tmp_path}/ttyNOTHING")
    status = printer.status()
    assert (status.state, status.reason) == (DeviceState.OFFLINE, "unplugged")
    assert "ttyNOTHING" in status.message_en
    with pytest.raises(PrinterError, match="unplugged"):
        printer.print_ticket(sample_ticket())


# -- network printer on 127.0.0.1 ------------------------------------------------------------------------


def test_network_printer_receives_the_job_and_reports_status(tcp_printer: TcpPrinter) -> None:
    printer = open_printer(f"tcp://127.0.0.1:{tcp_printer.port}")
    try:
        tcp_printer.answers[4] = PAPER_NEAR_END
        assert printer.status().reason == "paper_near_end"
        tcp_printer.answers[4] = OK
        printer.print_ticket(sample_ticket())
    finally:
        printer.close()
    assert tcp_printer.wait_for(len(_job())).endswith(_job())


def test_network_printer_that_goes_away_is_offline_then_reconnects(tcp_printer: TcpPrinter) -> None:
    now = [0.0]
    port = tcp_printer.port
    printer = EscposTicketPrinter(
        NetworkConnection("127.0.0.1", port, timeout_s=2.0),
        backoff=Backoff(initial_s=3.0, cap_s=3.0),
        clock=lambda: now[0],
    )
    try:
        assert printer.status().state is DeviceState.READY
        tcp_printer.stop()
        status = printer.status()
        assert (status.state, status.reason) == (DeviceState.OFFLINE, "unplugged")
        with pytest.raises(PrinterError, match="unplugged"):
            printer.print_ticket(sample_ticket())
        back = TcpPrinter(port)
        try:
            assert printer.status().state is DeviceState.OFFLINE  # not retried before the backoff
            assert back.accepted == 0
            now[0] += 3.0
            assert printer.status().state is DeviceState.READY
            printer.print_ticket(sample_ticket())
            assert back.wait_for(len(_job())).endswith(_job())
        finally:
            back.stop()
    finally:
        printer.close()


def test_nobody_listening_is_offline_not_an_exception() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        free_port = probe.getsockname()[1]
    printer = open_printer(f"tcp://127.0.0.1:{free_port}")
    status = printer.status()
    assert (status.state, status.reason) == (DeviceState.OFFLINE, "unplugged")
    assert "Không kết nối được máy in" in status.message_vi


# -- USB (no printer is attached in the test environment) --------------------------------------------------


def test_usb_printer_that_is_not_plugged_in_opens_offline() -> None:
    printer = open_printer("usb://04b8:0e15")
    status = printer.status()
    assert (status.state, status.reason) == (DeviceState.OFFLINE, "unplugged")
    assert "04b8:0e15" in status.message_en


def test_usb_without_pyusb_says_which_driver_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from escpos.printer import Usb

    monkeypatch.setattr(Usb, "is_usable", staticmethod(lambda: False))
    status = open_printer("usb://04b8:0e15").status()
    assert (status.state, status.reason) == (DeviceState.OFFLINE, "driver_missing")
    assert "pip install pyusb" in status.message_en
