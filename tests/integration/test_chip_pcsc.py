"""The chip reader through the real stack: pcscd, the vpcd virtual reader driver, pyscard, and a card
program speaking vpcd's protocol (tests/chip_card.py) with cards the tests build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devices.chip.pcsc import PcscChipReader
from devices.chip.ports import ChipError, ChipErrorCode, Verdict
from devices.chip.specimen import Person, make_issuer
from devices.config import parse_devices_config
from devices.registry import open_devices
from devices.status import DeviceState
from tests.chip_card import VirtualReader, card_on_reader, virtual_reader

ROOT = Path(__file__).resolve().parents[2]
CAN = "123456"


@pytest.fixture(scope="module")
def reader() -> Iterator[VirtualReader]:
    with virtual_reader() as running:
        yield running


def pcsc_reader(reader: VirtualReader, csca: Path | None) -> PcscChipReader:
    return PcscChipReader.from_url(
        f"pcsc://{reader.reader_name.replace(' ', '%20')}", str(csca) if csca else None
    )


def test_a_genuine_card_over_pace_with_its_face(reader: VirtualReader, tmp_path: Path) -> None:
    device = pcsc_reader(reader, tmp_path)
    assert device.status().state is DeviceState.READY
    assert not device.card_present()
    with card_on_reader(reader, "genuine", csca_out=tmp_path):
        assert device.card_present()
        result = device.read_card(can=CAN)
    assert result.access == "PACE-ECDH-GM-AES-128 brainpoolP256r1"
    assert result.verdict is Verdict.GENUINE, result.reasons
    assert result.active.verdict is Verdict.GENUINE
    assert result.chip_authentication.verdict is Verdict.GENUINE  # new keys agreed, then a read under them
    assert result.citizen is not None and result.citizen.full_name == "Trần Thị Ngọc Ánh"
    assert result.citizen.home_town == "Xã Tân Hội, Huyện Đức Trọng, Lâm Đồng"
    assert result.face_image is not None and result.face_image[:3] == b"\xff\xd8\xff"
    assert len(result.files["DG2"]) > 5000  # read in many chunks through secure messaging


def test_bac_and_pace_3des_cards(reader: VirtualReader, tmp_path: Path) -> None:
    device = pcsc_reader(reader, tmp_path)
    with card_on_reader(reader, "bac-only", csca_out=tmp_path):
        result = device.read_card(mrz=Person().mrz_key, read_face=False)
    assert (result.access, result.verdict) == ("BAC", Verdict.GENUINE)
    with card_on_reader(reader, "pace-3des", csca_out=tmp_path):
        result = device.read_card(can=CAN)
    assert (result.access, result.verdict) == ("PACE-ECDH-GM-3DES-112 secp256r1", Verdict.GENUINE)


def test_an_altered_card_and_an_unknown_csca(reader: VirtualReader, tmp_path: Path) -> None:
    with card_on_reader(reader, "altered", csca_out=tmp_path):
        result = pcsc_reader(reader, tmp_path).read_card(can=CAN)
    assert result.verdict is Verdict.ALTERED
    assert "DG13 does not match its hash in the SOD" in result.reasons
    unknown = tmp_path / "unknown"
    unknown.mkdir()
    (unknown / "csca.pem").write_bytes(make_issuer(csca_name="CSCA của nước khác").csca_pem())
    with card_on_reader(reader, "genuine"):
        result = pcsc_reader(reader, unknown).read_card(can=CAN)
    assert result.verdict is Verdict.NOT_VERIFIABLE
    assert any("no installed CSCA is the DS issuer" in reason for reason in result.reasons)


def test_an_expired_and_a_revoked_document_signer(reader: VirtualReader, tmp_path: Path) -> None:
    with card_on_reader(reader, "expired-ds", csca_out=tmp_path / "a"):
        result = pcsc_reader(reader, tmp_path / "a").read_card(can=CAN)
    assert result.verdict is Verdict.NOT_VERIFIABLE
    assert "the DS certificate expired on 2023-01-01" in result.passive.reasons[-1]
    with card_on_reader(reader, "revoked-ds", csca_out=tmp_path / "b"):
        result = pcsc_reader(reader, tmp_path / "b").read_card(can=CAN)
    assert result.verdict is Verdict.ALTERED
    assert result.passive.reasons[-1].startswith("the DS certificate was revoked on")


def test_a_reader_name_that_is_not_there(reader: VirtualReader) -> None:
    device = PcscChipReader.from_url("pcsc://ACS%20ACR1252")
    with pytest.raises(ChipError) as caught:
        device.read_card(can=CAN)
    assert caught.value.code is ChipErrorCode.NO_READER
    status = device.status()
    assert status.state is DeviceState.OFFLINE and status.reason == "no_reader"
    with pytest.raises(ChipError) as caught:  # within the backoff: no new attempt, the same answer
        device.read_card(can=CAN)
    assert caught.value.code is ChipErrorCode.NO_READER


def test_the_devices_file_opens_the_chip_reader(reader: VirtualReader, tmp_path: Path) -> None:
    config = parse_devices_config(f'[chip_readers.desk]\nurl = "pcsc://Virtual"\ncsca_dir = "{tmp_path}"\n')
    registry = open_devices(config)
    try:
        desk = registry.chip_readers["desk"]
        with card_on_reader(reader, "genuine", csca_out=tmp_path):
            assert desk.read_card(can=CAN, read_face=False).verdict is Verdict.GENUINE
        assert registry.devices[0].as_dict()["status"]["state"] == "ready"
    finally:
        registry.close()


def test_motcua_chip_read_prints_the_masked_id_and_the_verdict(reader: VirtualReader, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "motcua",
        "chip",
        "read",
        "--url",
        "pcsc://Virtual",
        "--csca",
        str(tmp_path),
    ]
    face = tmp_path / "face.jpg"
    with card_on_reader(reader, "genuine", csca_out=tmp_path):
        done = subprocess.run([*command, "--can", CAN, "--json", "--save-face", str(face)],
                              capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        record = json.loads(done.stdout)
        assert record["verdict"] == "genuine" and record["source"] == "chip-genuine"
        assert record["citizen"]["id_number"] == "079******345"
        assert "079203012345" not in done.stdout
        assert face.read_bytes()[:3] == b"\xff\xd8\xff"
        text = subprocess.run([*command, "--can", CAN], capture_output=True, text=True, env=env, timeout=60)
        assert text.returncode == 0
        assert "Thẻ thật" in text.stdout and "Họ và tên: Trần Thị Ngọc Ánh" in text.stdout
        assert "079203012345" not in text.stdout
        wrong = subprocess.run(
            [*command, "--can", "999999"], capture_output=True, text=True, env=env, timeout=60
        )
        assert wrong.returncode == 1 and "Số CAN không đúng" in wrong.stderr


# Last: after a card pulled out mid-read, vpcd can be slow to take the next card.
def test_wrong_can_no_card_and_a_card_pulled_out(reader: VirtualReader) -> None:
    device = pcsc_reader(reader, None)
    with pytest.raises(ChipError) as caught:
        device.read_card(can=CAN)
    assert caught.value.code is ChipErrorCode.NO_CARD
    with card_on_reader(reader, "genuine"):
        with pytest.raises(ChipError) as caught:
            device.read_card(can="000000")
        assert caught.value.code is ChipErrorCode.WRONG_CAN
        assert (
            device.read_card(can=CAN, read_face=False).verdict is Verdict.NOT_VERIFIABLE
        )  # the right CAN still works
    with card_on_reader(reader, "genuine", remove_after=25), pytest.raises(ChipError) as caught:
        device.read_card(can=CAN)
    assert caught.value.code is ChipErrorCode.CARD_REMOVED
