"""HidCodeScanner reading real input_event records from a FIFO, as from /dev/input/eventN."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from devices.backoff import Backoff
from devices.scanners import ScanEvent, open_scanner
from devices.scanners.hid import (
    CAPSLOCK,
    EV_KEY,
    INPUT_EVENT,
    KEY_ENTER,
    KEY_LEFTSHIFT,
    KEY_PRESS,
    KEY_RELEASE,
    HidCodeScanner,
    KeyboardDecoder,
    key_events_for,
    pack_key_events,
)
from devices.status import DeviceState
from tests.support import wait_for


def has_count(events: list[ScanEvent], count: int) -> bool:
    return len(events) == count


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "event7"
    os.mkfifo(path)
    return path


@pytest.fixture
def scanner_on(fifo: Path) -> Iterator[tuple[HidCodeScanner, list[ScanEvent], int]]:
    events: list[ScanEvent] = []
    scanner = open_scanner(f"hid://{fifo}?dedupe=0")
    assert isinstance(scanner, HidCodeScanner)
    scanner.start(events.append)
    assert wait_for(lambda: scanner.status().ready)
    writer = os.open(fifo, os.O_WRONLY)
    yield scanner, events, writer
    os.close(writer)
    scanner.stop()


def test_typed_codes_are_read_with_shift_and_enter(
    scanner_on: tuple[HidCodeScanner, list[ScanEvent], int],
) -> None:
    _, events, writer = scanner_on
    text = "https://dichvucong.gov.vn/p/home?ma_ho_so=HN-260310-0042&x=A_b"
    os.write(writer, pack_key_events(key_events_for(text)))
    os.write(writer, pack_key_events(key_events_for("A023")))
    assert wait_for(lambda: len(events) == 2)
    assert [event.text for event in events] == [text, "A023"]
    assert events[0].source.startswith("hid://")


def test_records_split_across_writes_and_other_event_types(
    scanner_on: tuple[HidCodeScanner, list[ScanEvent], int],
) -> None:
    _, events, writer = scanner_on
    syn = INPUT_EVENT.pack(0, 0, 0, 0, 0)  # EV_SYN between keys, as the kernel sends
    msc = INPUT_EVENT.pack(0, 0, 4, 4, 458756)  # EV_MSC scan code
    data = b"".join(
        msc + INPUT_EVENT.pack(0, 0, EV_KEY, code, value) + syn for code, value in key_events_for("B17")
    )
    os.write(writer, data[:37])
    time.sleep(0.05)
    os.write(writer, data[37:])
    assert wait_for(lambda: [event.text for event in events] == ["B17"])


def test_status_says_keyboard_mode_cannot_carry_diacritics(
    scanner_on: tuple[HidCodeScanner, list[ScanEvent], int],
) -> None:
    status = scanner_on[0].status()
    assert status.ready
    assert status.reason == "keyboard_ascii_only"
    assert "diacritics" in status.message_en and "có dấu" in status.message_vi


def test_line_with_an_unmappable_key_is_skipped_not_passed_on_wrong(
    scanner_on: tuple[HidCodeScanner, list[ScanEvent], int],
) -> None:
    scanner, events, writer = scanner_on
    alt_code = [(56, KEY_PRESS), (79, KEY_PRESS), (79, KEY_RELEASE), (56, KEY_RELEASE)]  # Alt+keypad 1
    keys = key_events_for("Tr", end=False) + alt_code + key_events_for("n")
    os.write(writer, pack_key_events(keys))
    assert wait_for(lambda: scanner.status().state is DeviceState.DEGRADED)
    assert scanner.status().reason == "unmapped_key"
    os.write(writer, pack_key_events(key_events_for("OK1")))
    assert wait_for(lambda: len(events) == 1)
    assert [event.text for event in events] == ["OK1"]
    assert scanner.status().ready
    assert scanner.lines_skipped == 1


def test_writer_going_away_and_coming_back(fifo: Path) -> None:
    events: list[ScanEvent] = []
    scanner = open_scanner(f"hid://{fifo}?dedupe=0")
    scanner.start(events.append)
    try:
        assert wait_for(lambda: scanner.status().ready)
        for count, text in enumerate(("FIRST", "SECOND"), start=1):
            writer = os.open(fifo, os.O_WRONLY)
            os.write(writer, pack_key_events(key_events_for(text)))
            os.close(writer)
            assert wait_for(partial(has_count, events, count))
        assert [event.text for event in events] == ["FIRST", "SECOND"]
    finally:
        scanner.stop()


def test_missing_device_is_offline_then_found(tmp_path: Path) -> None:
    path = tmp_path / "event9"
    scanner = open_scanner(f"hid://{path}")
    assert isinstance(scanner, HidCodeScanner)
    scanner.backoff = Backoff(initial_s=0.05, cap_s=0.1)
    scanner.start(lambda event: None)
    try:
        assert wait_for(lambda: scanner.status().reason == "not_found")
        assert scanner.status().state is DeviceState.OFFLINE
        os.mkfifo(path)
        assert wait_for(lambda: scanner.status().ready)
    finally:
        scanner.stop()


def test_decoder_caps_lock_and_shift() -> None:
    decoder = KeyboardDecoder()
    keys = [(CAPSLOCK, KEY_PRESS), (30, KEY_PRESS), (KEY_LEFTSHIFT, KEY_PRESS), (30, KEY_PRESS)]
    keys += [(KEY_LEFTSHIFT, KEY_RELEASE), (2, KEY_PRESS), (30, 2), (KEY_ENTER, KEY_PRESS)]
    results = [decoder.feed(code, value) for code, value in keys]
    assert results[-1] == ("Aa1", False)  # caps: A; caps+shift: a; autorepeat (value 2) ignored
    assert results[:-1] == [None] * (len(keys) - 1)


def test_characters_outside_the_us_layout_cannot_be_typed() -> None:
    with pytest.raises(ValueError, match="cannot be typed"):
        key_events_for("Nữ")
