"""Issue 17: a read captured from a genuine card and sent again must not pass as a card laid on the reader.

Through the real stack: the kiosk's flow and presenters, a real server, and the card emulated in pcscd over
the vpcd virtual reader (tests/chip_card.py). The kiosk asks the server for a one-time challenge, the chip
signs it (active authentication, INTERNAL AUTHENTICATE with DG15's key), and the server checks that
signature itself before it calls the identity chip-genuine."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devices.chip.pcsc import PcscChipReader
from devices.chip.ports import ChipReadResult, MrzKey
from kiosk.flow import KioskFlow
from kiosk.text import T
from queue_server.clock import ManualClock
from tests.chip_card import VirtualReader, card_on_reader, virtual_reader
from tests.conftest import T0
from tests.integration.test_kiosk_chip import read_with, run_flow
from tests.support import KIOSK, make_server, running_server

CAN = "123456"


@pytest.fixture(scope="module")
def reader() -> Iterator[VirtualReader]:
    with virtual_reader() as running:
        yield running


@pytest.fixture
def csca_dir(tmp_path: Path) -> Path:
    return tmp_path / "csca"  # the card program writes its test CSCA here; the server trusts this folder


@pytest.fixture
def base_url(tmp_path: Path, csca_dir: Path) -> Iterator[str]:
    server = make_server(f"sqlite:///{tmp_path / 'motcua.sqlite3'}", ManualClock(T0), csca_dir=csca_dir)
    with running_server(server) as url:
        yield url


class TappedReader(PcscChipReader):
    """The real PC/SC reader, with someone recording every read the kiosk makes (what a replay needs)."""

    def __init__(self, reader: VirtualReader) -> None:
        super().__init__(f"pcsc://{reader.reader_name}", reader.reader_name)
        self.recorded: list[ChipReadResult] = []

    def read_card(
        self,
        *,
        can: str | None = None,
        mrz: MrzKey | None = None,
        read_face: bool = True,
        challenge: bytes | None = None,
    ) -> ChipReadResult:
        result = super().read_card(can=can, mrz=mrz, read_face=read_face, challenge=challenge)
        self.recorded.append(result)
        return result


class ReplayingReader(TappedReader):
    """A kiosk whose 'reader' plays back a recorded read instead of talking to a card."""

    def __init__(self, reader: VirtualReader, recording: ChipReadResult) -> None:
        super().__init__(reader)
        self.recording = recording
        self.challenges: list[bytes | None] = []

    def read_card(
        self,
        *,
        can: str | None = None,
        mrz: MrzKey | None = None,
        read_face: bool = True,
        challenge: bytes | None = None,
    ) -> ChipReadResult:
        self.challenges.append(challenge)
        return self.recording


def kiosk_reads(base_url: str, device: TappedReader) -> dict[str, Any]:
    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        await read_with(flow, CAN)
        return {
            "screen": flow.screen,
            "error": flow.chip.error,
            "source": flow.identify.source,
            "identified": flow.identify.identified,
        }

    return run_flow(base_url, device, scenario)


def body_of(result: ChipReadResult, challenge: str) -> dict[str, str]:
    """What the kiosk posts, rebuilt from a recorded read, under a challenge of the sender's choice."""
    names = {"SOD": "sod", "DG1": "dg1", "DG13": "dg13", "DG15": "dg15"}
    body = {field: base64.b64encode(result.files[name]).decode() for name, field in names.items()}
    assert result.active_signature is not None
    return {
        **body,
        "aa_signature": base64.b64encode(result.active_signature).decode(),
        "challenge": challenge,
    }


def new_challenge(client: httpx.Client) -> str:
    answer = client.post("/api/v1/citizens/chip/challenge")
    assert answer.status_code == 201, answer.text
    return str(answer.json()["challenge"])


def test_a_live_card_is_genuine_and_its_replayed_read_is_refused(
    reader: VirtualReader, base_url: str, csca_dir: Path
) -> None:
    tapped = TappedReader(reader)
    with card_on_reader(reader, "genuine", csca_out=csca_dir):
        seen = kiosk_reads(base_url, tapped)
    assert seen["error"] is None and seen["screen"] == "confirm", seen
    assert (seen["source"], seen["identified"]) == ("chip-genuine", True)
    (recorded,) = tapped.recorded
    assert recorded.active_signature is not None and len(recorded.active_challenge) == 8

    # The card is gone. Its recorded read, sent straight to the server under a fresh challenge:
    with httpx.Client(base_url=base_url, headers=KIOSK) as client:
        replayed = client.post("/api/v1/citizens/chip", json=body_of(recorded, new_challenge(client)))
        assert replayed.status_code == 422, replayed.text
        assert replayed.json()["code"] == "chip_not_live"
        assert any("replayed read" in why for why in replayed.json()["error"]["details"]["reasons"])
        # ... and under the challenge it was signed for, already used by the live read:
        reused = client.post("/api/v1/citizens/chip", json=body_of(recorded, recorded.active_challenge.hex()))
        assert (reused.status_code, reused.json()["code"]) == (422, "chip_challenge_invalid")

    # The same recording played back by a kiosk's 'reader': the kiosk asked for a new challenge, the
    # recording cannot have signed it, and the citizen is sent to the counter.
    replaying = ReplayingReader(reader, recorded)
    seen = kiosk_reads(base_url, replaying)
    assert replaying.challenges and replaying.challenges[0] != recorded.active_challenge
    assert (seen["screen"], seen["identified"], seen["error"]) == ("chip", False, T["chip.invalid"])


def test_a_card_without_active_authentication_is_genuine_data_only(
    reader: VirtualReader, base_url: str, csca_dir: Path
) -> None:
    tapped = TappedReader(reader)
    with card_on_reader(reader, "no-aa", csca_out=csca_dir):
        seen = kiosk_reads(base_url, tapped)
    assert (seen["screen"], seen["source"], seen["identified"]) == ("confirm", "chip-genuine-data", True), (
        seen
    )
    (recorded,) = tapped.recorded
    assert recorded.active_signature is None and not recorded.active.performed
    assert recorded.chip_authentication.performed  # the kiosk saw chip authentication pass; the server cannot
