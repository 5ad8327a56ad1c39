"""A real contactless reader with a real chip ID card on it (opt-in: MOTCUA_HARDWARE=1).

    MOTCUA_HARDWARE=1 MOTCUA_CHIP_CAN=123456 [MOTCUA_CHIP_READER=ACS] [MOTCUA_CSCA_DIR=/etc/motcua/csca] \\
        pytest tests/hardware/test_chip_reader.py
"""

from __future__ import annotations

import os

import pytest

from devices.chip.pcsc import PcscChipReader
from devices.chip.ports import Verdict

pytestmark = [
    pytest.mark.hardware,
    pytest.mark.skipif(
        os.environ.get("MOTCUA_HARDWARE") != "1", reason="real devices: set MOTCUA_HARDWARE=1"
    ),
]


def test_a_real_card_on_a_real_reader() -> None:
    can = os.environ.get("MOTCUA_CHIP_CAN")
    assert can, "set MOTCUA_CHIP_CAN to the 6 digits printed on the card"
    reader = PcscChipReader(
        "pcsc://", os.environ.get("MOTCUA_CHIP_READER", ""), os.environ.get("MOTCUA_CSCA_DIR")
    )
    challenge = os.urandom(8)  # as a server's one-time challenge would be
    result = reader.read_card(can=can, challenge=challenge)
    assert result.citizen is not None and len(result.citizen.id_number) == 12
    assert result.face_image is not None
    expected = Verdict.GENUINE if os.environ.get("MOTCUA_CSCA_DIR") else Verdict.NOT_VERIFIABLE
    assert result.verdict is expected, result.reasons
    print(f"read in {result.read_seconds:.2f} s over {result.access}: {result.timings}")
    # What settles the open questions (docs/devices.md): does the card sign (active authentication), and what
    # do DG13 fields 14-16 hold? (ID-shaped values are masked.)
    print(
        f"active authentication: {result.active.as_dict()}; chip authentication: {result.chip_authentication.as_dict()}"
    )
    print(f"DG13 raw fields: {result.citizen.as_dict(mask=True)['raw']}")
    if result.active_signature is not None:
        assert result.active.verdict is Verdict.GENUINE and result.active_challenge == challenge
