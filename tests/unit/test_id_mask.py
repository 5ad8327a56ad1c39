"""One masked form of an ID number everywhere: the kiosk screen, the printed receipt, the server's answers
and log lines all show the first 3 and last 3 digits (devices/id_mask.py)."""

from __future__ import annotations

import pytest

from devices.id_mask import mask_id, shows_too_much
from devices.printers.port import mask_personal_id
from devices.scanners.cccd import masked_id
from devices.scanners.ports import mask_digit_runs
from queue_server.citizens.privacy import mask_id as server_mask_id


@pytest.mark.parametrize(("number", "shown"), [("001099004567", "001******567"), ("123456789", "123***789")])
def test_every_part_masks_an_id_the_same_way(number: str, shown: str) -> None:
    assert mask_id(number) == shown
    assert server_mask_id(number) == shown  # server answers
    assert masked_id(number) == shown  # kiosk screen, scanner
    assert mask_personal_id(number) == shown  # printed receipt
    assert mask_digit_runs(f"scanned {number} ok") == f"scanned {shown} ok"  # log lines
    assert not shows_too_much(shown)


def test_short_or_odd_input_is_hidden_whole() -> None:
    assert mask_id("1234") == "****" and mask_id("") == ""
    assert shows_too_much("0010****4567")  # the older receipt form showed eight digits
