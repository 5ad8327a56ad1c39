"""Reading an emulated chip through the fake reader: access, files, verdicts and every failure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from devices.chip.emulated import EmulatedCard
from devices.chip.fake import FakeChipReader
from devices.chip.lds import parse_dg13
from devices.chip.opening import open_chip_reader
from devices.chip.ports import ChipError, ChipErrorCode, ChipReadResult, MrzKey, Verdict
from devices.chip.specimen import (
    PACE_3DES,
    SECP256,
    SPECIMEN_START,
    CardSpec,
    Issuer,
    Person,
    build_card,
    default_issuer,
    dg13,
    make_issuer,
    revocation_list,
)
from devices.status import DeviceState

CAN = "123456"


@pytest.fixture
def csca_dir(tmp_path: Path) -> str:
    (tmp_path / "vn-csca.pem").write_bytes(default_issuer().csca_pem())
    (tmp_path / "README.txt").write_text("not a certificate")  # other files are ignored
    return str(tmp_path)


def reader_with(card: EmulatedCard, csca: str | None) -> FakeChipReader:
    return FakeChipReader(card=card, csca_dir=csca)


@pytest.mark.parametrize(
    "spec, key, access",
    [
        (CardSpec(), {"can": CAN}, "PACE-ECDH-GM-AES-128 brainpoolP256r1"),
        (CardSpec(pace=PACE_3DES, pace_parameter=SECP256), {"can": CAN}, "PACE-ECDH-GM-3DES-112 secp256r1"),
        (CardSpec(), {"mrz": Person().mrz_key}, "PACE-ECDH-GM-AES-128 brainpoolP256r1"),
        (CardSpec(pace=None), {"mrz": Person().mrz_key}, "BAC"),
    ],
)
def test_a_genuine_card_reads_whole_and_verifies(
    spec: CardSpec, key: dict, access: str, csca_dir: str
) -> None:  # type: ignore[type-arg]
    result = reader_with(EmulatedCard(build_card(spec)), csca_dir).read_card(**key)
    assert result.access == access
    assert result.verdict is Verdict.GENUINE, result.reasons
    assert result.source == "chip-genuine"
    assert result.active.verdict is Verdict.GENUINE
    citizen = result.citizen
    assert citizen is not None
    assert (citizen.id_number, citizen.full_name, citizen.sex) == ("079203012345", "Trần Thị Ngọc Ánh", "Nữ")
    assert (citizen.father_name, citizen.mother_name) == ("Trần Văn Hùng", "Nguyễn Thị Lệ")
    assert citizen.residence.endswith("TP. Hồ Chí Minh") and citizen.old_id_number == "025123456"
    assert citizen.raw == {15: ["025123456"], 16: ["VN-ĐẶC-BIỆT-01"]}  # fields without a settled name: raw
    assert result.face_format == "jpeg" and result.face_image and result.face_image[:3] == b"\xff\xd8\xff"
    assert result.mrz is not None and result.mrz.name == "TRAN THI NGOC ANH"
    assert "079203012345" not in repr(result) and "079******345" in repr(result)
    assert "079203012345" not in str(result.as_dict())


def test_skipping_the_face_reads_no_dg2(csca_dir: str) -> None:
    result = reader_with(EmulatedCard(build_card()), csca_dir).read_card(can=CAN, read_face=False)
    assert "DG2" not in result.files and result.face_image is None
    assert result.verdict is Verdict.GENUINE


def test_one_changed_byte_of_dg13_is_altered(csca_dir: str) -> None:
    result = reader_with(EmulatedCard(build_card(alter_dg13=True)), csca_dir).read_card(can=CAN)
    assert result.verdict is Verdict.ALTERED
    assert "DG13 does not match its hash in the SOD" in result.reasons
    assert result.source == "chip-altered"


def test_without_the_csca_the_card_is_not_verifiable(tmp_path: Path) -> None:
    result = reader_with(EmulatedCard(build_card()), None).read_card(can=CAN)
    assert result.verdict is Verdict.NOT_VERIFIABLE
    assert any("no CSCA certificate installed" in reason for reason in result.reasons)
    other = tmp_path / "other"
    other.mkdir()
    (other / "other.pem").write_bytes(make_issuer(csca_name="CSCA Khác").csca_pem())
    result = reader_with(EmulatedCard(build_card()), str(other)).read_card(can=CAN)
    assert result.verdict is Verdict.NOT_VERIFIABLE
    assert any("no installed CSCA is the DS issuer" in reason for reason in result.reasons)
    assert result.source == "chip-not-verifiable"


def test_a_signer_claiming_the_installed_csca_name_with_another_key_is_altered(csca_dir: str) -> None:
    forger = make_issuer()  # same CSCA name as the installed one, a different key
    result = reader_with(EmulatedCard(build_card(issuer=forger)), csca_dir).read_card(can=CAN)
    assert result.verdict is Verdict.ALTERED
    assert any("not signed by the installed CSCA" in reason for reason in result.reasons)


def test_a_cloned_chip_fails_active_authentication(csca_dir: str) -> None:
    contents = build_card()
    contents.aa_key = ec.generate_private_key(ec.SECP256R1())  # the copy cannot hold the original key
    result = reader_with(EmulatedCard(contents), csca_dir).read_card(can=CAN)
    assert result.passive.verdict is Verdict.GENUINE
    assert result.active.verdict is Verdict.ALTERED
    assert result.verdict is Verdict.ALTERED


def test_a_card_without_active_authentication_stays_genuine_and_says_so(csca_dir: str) -> None:
    result = reader_with(EmulatedCard(build_card(CardSpec(active_authentication=False))), csca_dir).read_card(
        can=CAN
    )
    assert result.verdict is Verdict.GENUINE
    assert not result.active.performed and "no DG15" in result.active.reasons[0]


@pytest.mark.parametrize(
    "key, code",
    [
        ({"can": "654321"}, ChipErrorCode.WRONG_CAN),
        ({"mrz": MrzKey("203012346", "030115", "280115")}, ChipErrorCode.WRONG_MRZ),
        ({}, ChipErrorCode.NO_ACCESS_KEY),
    ],
)
def test_a_wrong_key_says_which(key: dict, code: ChipErrorCode) -> None:  # type: ignore[type-arg]
    with pytest.raises(ChipError) as caught:
        reader_with(EmulatedCard(build_card()), None).read_card(**key)
    assert caught.value.code is code
    assert caught.value.message_vi


def test_bac_with_a_wrong_mrz_and_pace_missing_for_a_can() -> None:
    card = EmulatedCard(build_card(CardSpec(pace=None)))
    with pytest.raises(ChipError) as caught:
        reader_with(card, None).read_card(mrz=MrzKey("203012346", "030115", "280115"))
    assert caught.value.code is ChipErrorCode.WRONG_MRZ
    with pytest.raises(ChipError) as caught:
        reader_with(card, None).read_card(can=CAN)
    assert caught.value.code is ChipErrorCode.UNSUPPORTED


@pytest.mark.parametrize("after", [3, 12, 40])
def test_a_card_pulled_out_mid_read(after: int) -> None:
    reader = reader_with(EmulatedCard(build_card()), None)
    reader.remove_after(after)
    with pytest.raises(ChipError) as caught:
        reader.read_card(can=CAN)
    assert caught.value.code is ChipErrorCode.CARD_REMOVED
    assert not reader.card_present()


def test_no_card_and_an_unplugged_reader() -> None:
    reader = FakeChipReader()
    with pytest.raises(ChipError) as caught:
        reader.read_card(can=CAN)
    assert caught.value.code is ChipErrorCode.NO_CARD
    reader.insert(EmulatedCard(build_card()))
    reader.unplug()
    assert reader.status().state is DeviceState.OFFLINE and reader.status().reason == "unplugged"
    with pytest.raises(ChipError) as caught:
        reader.read_card(can=CAN)
    assert caught.value.code is ChipErrorCode.NO_READER
    reader.replug()
    assert reader.read_card(can=CAN).verdict is Verdict.NOT_VERIFIABLE


def test_a_card_that_is_not_an_id_card() -> None:
    contents = build_card()
    contents.files.clear()
    contents.card_access = None
    with pytest.raises(ChipError) as caught:
        reader_with(EmulatedCard(contents), None).read_card(mrz=Person().mrz_key)
    assert caught.value.code in (ChipErrorCode.NOT_AN_ID_CARD, ChipErrorCode.WRONG_MRZ)


def test_unknown_or_broken_dg13_data_is_a_clear_error() -> None:
    with pytest.raises(ChipError) as caught:
        parse_dg13(b"\x6d\x05\x30\x03\x02\x01")
    assert caught.value.code is ChipErrorCode.UNKNOWN_DATA and "DG13" in caught.value.detail
    citizen = parse_dg13(dg13(Person(extra=((21, "một"), (22, "hai")))))
    assert citizen.raw == {21: ["một"], 22: ["hai"]} and citizen.old_id_number == ""


@pytest.mark.parametrize(
    ("extra", "old_id"),
    [
        (((15, "025123456"),), "025123456"),  # where one public reader puts it
        (((14, "Lê Văn Nam"), (16, "025123456")), "025123456"),  # where another puts it
        (((15, "025123456"), (16, "025987654")), ""),  # two candidates: name neither
        (((16, "079203012345"),), ""),  # the card's own number is not an old one
        (((15, "12345"),), ""),
    ],
)
def test_the_old_id_number_is_found_among_fields_14_to_16_by_its_form(
    extra: tuple[tuple[int, str], ...], old_id: str
) -> None:
    citizen = parse_dg13(dg13(Person(extra=extra)))
    assert citizen.old_id_number == old_id
    assert citizen.raw == {number: [value] for number, value in extra}  # all kept raw, named or not
    shown = str(citizen.as_dict(mask=True))
    assert "025123456" not in shown and "025987654" not in shown  # masked in the raw fields too


def test_urls_and_the_fake_from_its_url(csca_dir: str) -> None:
    reader = open_chip_reader("fake://?card=altered", csca_dir)
    assert reader.read_card(can=CAN).verdict is Verdict.ALTERED
    assert not open_chip_reader("fake://?card=none").card_present()
    with pytest.raises(ValueError, match="pcsc://"):
        open_chip_reader("nfc://0")
    with pytest.raises(ValueError, match="card="):
        open_chip_reader("fake://?card=gold")
    with pytest.raises(ValueError, match="unknown option"):
        open_chip_reader("pcsc://?speed=fast")


def test_the_devices_file_names_chip_readers_and_rejects_bad_ones() -> None:
    from devices.config import DevicesConfigError, parse_devices_config
    from devices.registry import open_devices

    config = parse_devices_config('[chip_readers.desk]\nurl = "fake://"\ncsca_dir = "/etc/motcua/csca"\n')
    assert config.chip_readers["desk"].csca_dir == "/etc/motcua/csca"
    registry = open_devices(config)
    assert registry.chip_readers["desk"].card_present()
    with pytest.raises(DevicesConfigError, match=r"chip_readers\.desk\.url: unknown chip reader URL"):
        parse_devices_config('[chip_readers.desk]\nurl = "nfc://0"\n')
    with pytest.raises(DevicesConfigError, match="csca_dir"):
        parse_devices_config('[chip_readers.desk]\nurl = "pcsc://"\ncsca = "/x"\n')


def test_the_chip_gives_the_same_card_facts_as_the_qr(csca_dir: str) -> None:
    citizen = reader_with(EmulatedCard(build_card()), csca_dir).read_card(can=CAN, read_face=False).citizen
    assert citizen is not None
    card = citizen.as_cccd()
    assert (card.id_number, card.full_name, card.sex, card.old_id) == (
        "079203012345",
        "Trần Thị Ngọc Ánh",
        "Nữ",
        "025123456",
    )
    assert card.birth_date.isoformat() == "2003-01-15" and card.issue_date.isoformat() == "2021-04-20"
    assert card.address == "123 Đường Nguyễn Trãi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh"


def test_a_jpeg2000_face_and_a_face_of_unknown_type() -> None:
    from devices.chip.lds import parse_dg2
    from devices.chip.specimen import dg2

    jp2 = b"\x00\x00\x00\x0cjP  \r\n\x87\n" + b"\x00" * 64
    data = bytearray(dg2(jp2, (240, 320)))
    info = data.find(b"\x01\x00\x00\xf0\x01\x40")  # image info: face type, data type 0 (JPEG), 240 x 320
    data[info + 1] = 1  # say JPEG 2000
    assert parse_dg2(bytes(data)) == (jp2, "jpeg2000")
    data[info + 1] = 7
    with pytest.raises(ChipError, match="unknown type 7"):
        parse_dg2(bytes(data))


def test_mrz_key_input_is_checked() -> None:
    assert MrzKey.parse("203012345, 030115, 280115") == MrzKey("203012345", "030115", "280115")
    for bad in ("203012345,030115", "2030123456789,030115,280115", "203012345,3/1/03,280115"):
        with pytest.raises(ValueError):
            MrzKey.parse(bad)


def test_motcua_chip_read_with_the_fake(capsys: pytest.CaptureFixture[str], csca_dir: str) -> None:
    from motcua.cli import main

    assert main(["chip", "read", "--url", "fake://", "--csca", csca_dir, "--can", CAN]) == 0
    out = capsys.readouterr().out
    assert "Thẻ thật" in out and "Số định danh: 079******345" in out and "079203012345" not in out
    assert main(["chip", "read", "--url", "fake://?card=altered", "--can", CAN, "--no-face"]) == 4
    assert main(["chip", "read", "--url", "fake://", "--can", CAN]) == 3  # no CSCA: not verifiable
    assert main(["chip", "read", "--url", "fake://", "--can", "12ab56"]) == 2
    assert "6 digits" in capsys.readouterr().err
    assert main(["chip", "read", "--url", "fake://?card=none", "--can", CAN]) == 1
    assert "Chưa có thẻ trên đầu đọc" in capsys.readouterr().err


@pytest.mark.parametrize("protocol", ["0.4.0.127.0.7.2.2.3.2.2", "0.4.0.127.0.7.2.2.3.2.1"])
def test_chip_authentication_with_the_dg14_key(protocol: str, csca_dir: str) -> None:
    card = EmulatedCard(build_card(CardSpec(chip_authentication=protocol)))
    result = reader_with(card, csca_dir).read_card(can=CAN, read_face=False)
    assert result.chip_authentication.verdict is Verdict.GENUINE, result.chip_authentication.reasons
    assert result.verdict is Verdict.GENUINE
    assert "DG14" in result.files


def test_a_clone_without_the_chip_authentication_key_is_altered(csca_dir: str) -> None:
    contents = build_card(CardSpec(active_authentication=False))
    contents.ca_key = ec.generate_private_key(ec.BrainpoolP256R1())  # DG14 (signed) names another key
    result = reader_with(EmulatedCard(contents), csca_dir).read_card(can=CAN, read_face=False)
    assert result.passive.verdict is Verdict.GENUINE
    assert result.chip_authentication.verdict is Verdict.ALTERED
    assert result.verdict is Verdict.ALTERED


def test_dg14_with_explicit_curve_parameters_and_unknown_curves() -> None:
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization

    from devices.chip.chip_auth import ChipKey, parse_dg14
    from devices.chip.curves import BRAINPOOLP256R1 as CURVE
    from devices.chip.specimen import dg14

    key = ec.generate_private_key(ec.BrainpoolP256R1())
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    explicit = keys.PublicKeyInfo(
        {
            "algorithm": {
                "algorithm": "ec",
                "parameters": (
                    "specified",
                    {
                        "version": "ecdpVer1",
                        "field_id": {"field_type": "prime_field", "parameters": CURVE.p},
                        "curve": {"a": CURVE.a.to_bytes(32, "big"), "b": CURVE.b.to_bytes(32, "big")},
                        "base": CURVE.encode(CURVE.generator),
                        "order": CURVE.n,
                        "cofactor": 1,
                    },
                ),
            },
            "public_key": point,
        }
    ).dump()
    parsed = parse_dg14(dg14(key, "0.4.0.127.0.7.2.2.3.2.2", spki=explicit))
    assert isinstance(parsed, ChipKey) and parsed.curve is CURVE and parsed.key_id == 1
    other = dg14(ec.generate_private_key(ec.SECP384R1()), "0.4.0.127.0.7.2.2.3.2.2")
    assert parse_dg14(other) == "the chip-authentication key is on a curve this reader does not know"


# --- certificate dates and revocation (ICAO 9303-12: the DS certificate covers the cards it signed) ---

DAY = timedelta(days=1)


def _installed(folder: Path, issuer: Issuer, *crls: bytes) -> str:
    (folder / "vn-csca.pem").write_bytes(issuer.csca_pem())
    for number, crl in enumerate(crls):
        (folder / f"list-{number}.crl").write_bytes(crl)
    return str(folder)


def test_the_ds_certificate_dates_are_checked_at_the_injected_time(tmp_path: Path) -> None:
    begins, ends = datetime(2025, 3, 1, tzinfo=UTC), datetime(2030, 3, 1, tzinfo=UTC)
    issuer = make_issuer(signer_validity=(begins, ends))
    folder = _installed(tmp_path, issuer)
    card = build_card(CardSpec(active_authentication=False), issuer=issuer)

    def read_at(now: datetime) -> ChipReadResult:
        return FakeChipReader(card=EmulatedCard(card), csca_dir=folder, now=now).read_card(can=CAN)

    assert read_at(begins).verdict is Verdict.GENUINE
    assert read_at(ends).verdict is Verdict.GENUINE
    early = read_at(begins - DAY)
    assert early.verdict is Verdict.ALTERED
    assert "DS certificate is not valid before 2025-03-01" in early.passive.reasons[-1]
    late = read_at(ends + DAY)
    assert late.verdict is Verdict.NOT_VERIFIABLE
    assert late.source == "chip-not-verifiable"
    assert late.passive.reasons[-1].startswith("the DS certificate expired on 2030-03-01")


def test_a_ds_certificate_issued_before_its_csca_existed_is_altered(tmp_path: Path) -> None:
    issuer = make_issuer(signer_validity=(SPECIMEN_START - 30 * DAY, SPECIMEN_START + 3650 * DAY))
    folder = _installed(tmp_path, issuer)
    result = FakeChipReader(card=EmulatedCard(build_card(issuer=issuer)), csca_dir=folder,
                            now=SPECIMEN_START + DAY).read_card(can=CAN)  # fmt: skip
    assert result.verdict is Verdict.ALTERED
    assert "the CSCA was not valid when the DS certificate was issued (2023-12-02)" in result.passive.reasons


@pytest.mark.parametrize("pem", [False, True])
def test_a_revoked_ds_certificate_is_refused(tmp_path: Path, pem: bool) -> None:
    issuer = make_issuer()
    forger = make_issuer()  # the same CSCA name with another key: a list it signs is no evidence
    lists = (revocation_list(issuer, [issuer.signer], pem=pem), revocation_list(forger, [issuer.signer]))
    folder = _installed(tmp_path, issuer, *lists)
    (tmp_path / "broken.crl").write_bytes(b"not a list")  # skipped
    now = SPECIMEN_START + 60 * DAY
    card = EmulatedCard(build_card(issuer=issuer))
    result = FakeChipReader(card=card, csca_dir=folder, now=now).read_card(can=CAN)
    assert result.verdict is Verdict.ALTERED
    assert result.passive.reasons[-1] == "the DS certificate was revoked on 2024-01-31 (CSCA's CRL)"
    # Without the CSCA's own list, the forged list naming this DS does not revoke it.
    (tmp_path / "list-0.crl").write_bytes(revocation_list(issuer, []))
    assert FakeChipReader(card=card, csca_dir=folder, now=now).read_card(can=CAN).verdict is Verdict.GENUINE
