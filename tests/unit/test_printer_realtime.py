"""Real-time status answers (DLE EOT 1/2/4) mapped to ready / degraded / offline with a reason."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from devices.printers.realtime import read_status, request
from devices.status import DeviceState

OK = 0x12  # fixed bits only: online, no cause, paper adequate


def _ask_from(answers: dict[int, int | None]) -> tuple[list[int], Callable[[int], int | None]]:
    asked: list[int] = []

    def ask(n: int) -> int | None:
        asked.append(n)
        return answers.get(n)

    return asked, ask


@pytest.mark.parametrize(
    ("answers", "state", "reason"),
    [
        ({1: OK, 4: OK}, DeviceState.READY, ""),
        ({1: OK, 4: OK | 0x0C}, DeviceState.DEGRADED, "paper_near_end"),
        ({1: OK, 4: OK | 0x60}, DeviceState.OFFLINE, "paper_out"),
        ({1: OK, 4: OK | 0x6C}, DeviceState.OFFLINE, "paper_out"),
        ({1: OK | 0x08, 2: OK | 0x04}, DeviceState.OFFLINE, "cover_open"),
        ({1: OK | 0x08, 2: OK | 0x20}, DeviceState.OFFLINE, "paper_out"),
        ({1: OK | 0x08, 2: OK | 0x24}, DeviceState.OFFLINE, "cover_open"),
        ({1: OK | 0x08, 2: OK | 0x40}, DeviceState.OFFLINE, "printer_error"),
        ({1: OK | 0x08, 2: OK}, DeviceState.OFFLINE, "offline"),
        ({1: OK | 0x08}, DeviceState.OFFLINE, "offline"),
        ({}, DeviceState.OFFLINE, "no_answer"),
        ({1: 0xFF, 4: OK}, DeviceState.OFFLINE, "no_answer"),
        ({1: OK}, DeviceState.READY, ""),  # online printer without a paper sensor answer
        ({1: OK, 4: 0x00}, DeviceState.READY, ""),  # not a status byte: ignore the sensor
    ],
)
def test_status_from_answers(answers: dict[int, int | None], state: DeviceState, reason: str) -> None:
    _, ask = _ask_from(answers)
    status = read_status(ask)
    assert (status.state, status.reason) == (state, reason)
    if reason:
        assert status.message_vi and status.message_en


def test_offline_printer_is_asked_for_the_cause_not_the_paper_sensor() -> None:
    asked, ask = _ask_from({1: OK | 0x08, 2: OK | 0x04})
    read_status(ask)
    assert asked == [1, 2]


def test_online_printer_is_asked_for_the_paper_sensor() -> None:
    asked, ask = _ask_from({1: OK, 4: OK})
    read_status(ask)
    assert asked == [1, 4]


def test_request_bytes() -> None:
    assert request(1) == b"\x10\x04\x01"
    assert request(4) == b"\x10\x04\x04"


def test_garbage_answer_is_named_in_the_message() -> None:
    _, ask = _ask_from({1: 0x41})
    assert "0x41" in read_status(ask).message_en
