"""EscposTicketPrinter over a scripted in-memory Connection: status before jobs, failures, backoff."""

from __future__ import annotations

import itertools

import pytest

from devices.backoff import Backoff
from devices.printers import PrinterError
from devices.printers.connections import Connection
from devices.printers.encoding import document_bytes
from devices.printers.escpos_printer import EscposTicketPrinter
from devices.printers.layout import render_ticket
from devices.printers.sample import sample_ticket
from devices.status import DeviceState

OK = 0x12


class ScriptedConnection(Connection):
    """A bidirectional transport whose printer answers from `answers` and can be unplugged."""

    bidirectional = True

    def __init__(self) -> None:
        self.answers = {1: OK, 2: OK, 4: OK}
        self.plugged = True
        self.opens = 0
        self.written = bytearray()
        self.asked: list[int] = []
        self.is_open = False

    def describe(self) -> str:
        return "scripted printer"

    def open(self) -> None:
        self.opens += 1
        if not self.plugged:
            raise OSError("no such device")
        self.is_open = True

    def write(self, data: bytes) -> None:
        if not (self.plugged and self.is_open):
            raise OSError("write failed: device gone")
        self.written += data

    def ask(self, n: int, timeout_s: float) -> int | None:
        if not (self.plugged and self.is_open):
            raise OSError("read failed: device gone")
        self.asked.append(n)
        return self.answers.get(n)

    def close(self) -> None:
        self.is_open = False


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _printer(
    connection: ScriptedConnection, clock: Clock | None = None, **options: object
) -> EscposTicketPrinter:
    return EscposTicketPrinter(
        connection,
        "58mm",
        backoff=Backoff(initial_s=1.0, factor=2.0, cap_s=4.0),
        clock=clock or Clock(),
        **options,  # type: ignore[arg-type]
    )


def test_ready_printer_gets_exactly_the_encoded_job_after_a_status_check() -> None:
    connection = ScriptedConnection()
    printer = _printer(connection)
    printer.print_ticket(sample_ticket())
    assert bytes(connection.written) == document_bytes(render_ticket(sample_ticket(), "58mm"), "58mm")
    assert connection.asked == [1, 4]
    assert printer.last_job == bytes(connection.written)


@pytest.mark.parametrize(
    ("answers", "reason"),
    [({1: OK, 4: OK | 0x60}, "paper_out"), ({1: OK | 0x08, 2: OK | 0x04}, "cover_open"), ({}, "no_answer")],
)
def test_offline_printer_refuses_the_job_and_sends_nothing(answers: dict[int, int], reason: str) -> None:
    connection = ScriptedConnection()
    connection.answers = answers
    printer = _printer(connection)
    with pytest.raises(PrinterError) as caught:
        printer.print_ticket(sample_ticket())
    assert caught.value.reason == reason
    assert connection.written == b""
    assert printer.status().reason == reason


def test_paper_near_end_still_prints() -> None:
    connection = ScriptedConnection()
    connection.answers[4] = OK | 0x0C
    printer = _printer(connection)
    printer.print_ticket(sample_ticket())
    assert connection.written
    assert printer.status().state is DeviceState.DEGRADED


def test_status_off_skips_the_questions_for_printers_that_do_not_answer() -> None:
    connection = ScriptedConnection()
    connection.answers = {}
    printer = _printer(connection, query_status=False)
    printer.print_ticket(sample_ticket())
    assert connection.asked == []
    assert printer.status().state is DeviceState.READY


def test_unplug_during_job_is_a_printer_error_and_an_offline_status_never_an_exception() -> None:
    connection = ScriptedConnection()
    printer = _printer(connection)
    connection.plugged = False
    status = printer.status()
    assert (status.state, status.reason) == (DeviceState.OFFLINE, "unplugged")
    assert "scripted printer" in status.message_en
    with pytest.raises(PrinterError) as caught:
        printer.print_ticket(sample_ticket())
    assert caught.value.reason == "unplugged"


def test_reconnects_with_capped_backoff_and_resets_after_success() -> None:
    clock = Clock()
    connection = ScriptedConnection()
    printer = _printer(connection, clock)
    assert connection.opens == 1
    connection.plugged = False
    printer.status()  # drop: next attempt after 1 s
    attempts_at = []
    for _ in range(60):  # 15 s in steps of 0.25 s
        clock.now += 0.25
        before = connection.opens
        printer.status()
        if connection.opens > before:
            attempts_at.append(clock.now - 1000.0)
    gaps = [round(later - earlier, 2) for earlier, later in itertools.pairwise(attempts_at)]
    assert attempts_at[0] == 1.0
    assert gaps[:3] == [2.0, 4.0, 4.0]  # doubles, then stays at the cap
    connection.plugged = True
    clock.now += 4.0
    assert printer.status().state is DeviceState.READY
    connection.plugged = False
    printer.status()
    opens = connection.opens
    clock.now += 1.0  # backoff was reset by the successful reconnect: first retry after 1 s again
    printer.status()
    assert connection.opens == opens + 1


def test_a_job_while_waiting_to_retry_fails_fast_without_touching_the_transport() -> None:
    clock = Clock()
    connection = ScriptedConnection()
    printer = _printer(connection, clock)
    connection.plugged = False
    printer.status()
    opens = connection.opens
    with pytest.raises(PrinterError, match="unplugged"):
        printer.print_ticket(sample_ticket())
    assert connection.opens == opens


def test_closed_printer() -> None:
    connection = ScriptedConnection()
    printer = _printer(connection)
    printer.close()
    assert not connection.is_open
    assert printer.status().reason == "closed"
    with pytest.raises(PrinterError, match="closed"):
        printer.print_ticket(sample_ticket())
