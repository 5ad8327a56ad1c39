"""FakeTicketPrinter: records what it prints, fails like a real printer when told to."""

from __future__ import annotations

import pytest

from devices.printers import PrinterError, TicketPrinter
from devices.printers.encoding import document_bytes
from devices.printers.fake import FakeTicketPrinter
from devices.printers.layout import render_ticket
from devices.printers.sample import sample_receipt, sample_ticket
from devices.status import DeviceState


def test_fake_is_a_ticket_printer_and_records_image_and_bytes() -> None:
    printer = FakeTicketPrinter("58mm")
    assert isinstance(printer, TicketPrinter)
    printer.print_ticket(sample_ticket())
    printer.print_receipt(sample_receipt())
    assert [job.kind for job in printer.jobs] == ["ticket", "receipt"]
    ticket_job = printer.jobs[0]
    assert ticket_job.image.tobytes() == render_ticket(sample_ticket(), "58mm").tobytes()
    assert ticket_job.data == document_bytes(ticket_job.image, "58mm")
    assert printer.output == printer.jobs[0].data + printer.jobs[1].data
    assert printer.last_job == printer.jobs[1].data


@pytest.mark.parametrize("fault", ["paper_out", "cover_open", "unplugged"])
def test_offline_faults_refuse_the_job_and_show_in_status(fault: str) -> None:
    printer = FakeTicketPrinter(fault=fault)
    status = printer.status()
    assert (status.state, status.reason) == (DeviceState.OFFLINE, fault)
    with pytest.raises(PrinterError) as caught:
        printer.print_ticket(sample_ticket())
    assert caught.value.reason == fault
    assert caught.value.message_vi and caught.value.message_en
    assert printer.jobs == []


def test_near_end_prints_but_reports_degraded() -> None:
    printer = FakeTicketPrinter()
    printer.inject("near_end")
    printer.print_ticket(sample_ticket())
    assert len(printer.jobs) == 1
    assert (printer.status().state, printer.status().reason) == (DeviceState.DEGRADED, "paper_near_end")


def test_clearing_a_fault_brings_the_printer_back() -> None:
    printer = FakeTicketPrinter()
    printer.inject("paper_out")
    with pytest.raises(PrinterError):
        printer.print_ticket(sample_ticket())
    printer.clear_fault()
    printer.print_ticket(sample_ticket())
    assert printer.status().state is DeviceState.READY
    assert len(printer.jobs) == 1


def test_unknown_fault_and_closed_printer() -> None:
    printer = FakeTicketPrinter()
    with pytest.raises(ValueError, match="unknown fault 'jam'"):
        printer.inject("jam")
    printer.close()
    assert printer.status().reason == "closed"
    with pytest.raises(PrinterError, match="closed"):
        printer.print_ticket(sample_ticket())
