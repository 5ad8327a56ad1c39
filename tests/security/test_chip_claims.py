"""Issue 17 item 2 / issue 12 (High): an identity read from the card's chip.

The kiosk asks the server for a one-time challenge, the chip signs it (active authentication), and the kiosk
sends the chip's raw EF.SOD, DG1, DG13, DG15 (and DG2) with that signature; the server authenticates them
itself against the CSCA folder in its own settings and its own challenge. Only a chip-genuine identity
updates a stored person without an officer (audited); an altered chip and a replayed read are refused; a
card that cannot sign is "genuine data, clone not excluded"; a chip signed by a CSCA the office did not
install is a claim only. Here the test plays the chip (it holds the AA key); tests/integration/
test_chip_replay.py does the same through pcscd and an emulated card.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from devices.chip import specimen
from queue_server.clock import ManualClock
from queue_server.tables.citizens import CitizenClaim, CitizenVerification
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import NHUNG_ID, ct01_form, register, seated, settle, submit, upload
from tests.security.test_identity_takeover import checklist
from tests.support import KIOSK, Server, client_for, make_server

NHUNG = replace(
    specimen.Person(),
    id_number=NHUNG_ID,
    full_name="Nguyễn Thị Hồng Nhung",
    mrz_name="NGUYEN<<THI<HONG<NHUNG",
    birth_date="01/02/1999",
    residence="Số 5 đường Hùng Vương, phường 2, TP Tân An, Long An",
)


@pytest.fixture(scope="module")
def office_csca() -> specimen.Issuer:
    return specimen.make_issuer()


@pytest.fixture
def server(database_url: str, tmp_path: Path, office_csca: specimen.Issuer) -> Server:
    csca_dir = tmp_path / "csca"
    csca_dir.mkdir()
    (csca_dir / "vn-test.pem").write_bytes(office_csca.csca_pem())
    return make_server(database_url, ManualClock(T0), csca_dir=csca_dir)


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def jpeg2000_dg2(size: tuple[int, int] = (120, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 170, 150)).save(out, format="JPEG2000")
    group = bytearray(specimen.dg2(out.getvalue(), size))
    record = group.find(b"FAC\x00")
    group[record + 14 + 20 + 1] = 1  # the image data type: JPEG 2000
    return bytes(group)


@dataclass(frozen=True)
class Chip:
    """A card's files, and the active-authentication key only the real chip holds (None: no AA)."""

    files: dict[str, bytes]
    aa_key: ec.EllipticCurvePrivateKey | None

    def sign(self, challenge: bytes) -> bytes:
        """INTERNAL AUTHENTICATE as the emulated chip answers it: ECDSA r‖s."""
        assert self.aa_key is not None
        r, s = decode_dss_signature(self.aa_key.sign(challenge, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def chip_card(
    issuer: specimen.Issuer, *, alter_dg13: bool = False, face: bytes | None = None, active: bool = True
) -> Chip:
    groups = {
        1: specimen.dg1(NHUNG),
        2: face or specimen.dg2(specimen.face_jpeg(), (240, 320)),
        13: specimen.dg13(NHUNG),
    }
    aa_key = ec.generate_private_key(ec.SECP256R1()) if active else None
    if aa_key is not None:
        groups[15] = specimen.dg15(aa_key)
    sod = specimen.sod(groups, issuer)
    if alter_dg13:
        dg13 = bytearray(groups[13])
        dg13[dg13.find(b"Nhung") + 1] ^= 0x01  # 'h' → 'i': the hash no longer matches
        groups[13] = bytes(dg13)
    return Chip({"sod": sod, **{f"dg{number}": data for number, data in groups.items()}}, aa_key)


def new_challenge(client: TestClient, headers: dict[str, str] = KIOSK) -> str:
    answer = client.post("/api/v1/citizens/chip/challenge", headers=headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["expires_in"] == 120
    return str(answer.json()["challenge"])


def read_body(chip: Chip, challenge: str) -> dict[str, str]:
    """What a kiosk's reader hands over: the chip's files as read and its signature, base64."""
    files = dict(chip.files)
    if chip.aa_key is not None:
        files["aa_signature"] = chip.sign(bytes.fromhex(challenge))
    return {"challenge": challenge, **{name: base64.b64encode(data).decode() for name, data in files.items()}}


def chip_files(issuer: specimen.Issuer, **options: Any) -> Chip:
    return chip_card(issuer, **options)


def nhungs_settled_case(server: Server, client: TestClient) -> None:
    """Nhung's QR claim files a case with a photographed paper; the officer checks it and finishes the case,
    so the paper is on file (and her stored person still unverified)."""
    register(client)
    paper = upload(client, "GTCMCHO").json()["id"]
    answer = submit(client, "kiosk-nhung-000001", [paper])
    assert answer.status_code == 201, answer.text
    settle(client, seated(server, client, "canbo1", 1), answer.json()["dossier"]["code"], ["GTCMCHO"])


def claim_by_chip(client: TestClient, chip: Chip, **changes: str) -> Any:
    """A fresh read: a new challenge, the chip's answer, sent (with `changes` to the body)."""
    body = {**read_body(chip, new_challenge(client)), **changes}
    return client.post("/api/v1/citizens/chip", json=body, headers=KIOSK)


def person(server: Server, client: TestClient) -> dict[str, Any]:
    staff = server.login(client, "giamsat")
    answer = client.post("/api/v1/citizens/person", json={"personal_id": NHUNG_ID}, headers=staff)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_genuine_chip_updates_the_person_audited_and_offers_papers_on_file(
    server: Server, client: TestClient, office_csca: specimen.Issuer
) -> None:
    nhungs_settled_case(server, client)  # her QR claim left the stored person unverified
    assert person(server, client)["verified"] is False

    answer = claim_by_chip(client, chip_files(office_csca), verdict="genuine")
    assert answer.status_code == 201, answer.text
    claim = answer.json()
    assert (claim["source"], claim["person_updated"], claim["papers_on_file"]) == ("chip-genuine", True, True)
    assert claim["chip_live"] is True
    assert claim["personal_id_masked"] == "001******567" and claim["full_name"] == "Nguyễn Thị Hồng Nhung"

    stored = person(server, client)
    assert stored["full_name"] == "Nguyễn Thị Hồng Nhung" and stored["birth_date"] == "1999-02-01"
    assert stored["sex"] == "Nữ" and stored["address"].startswith("Số 5 đường Hùng Vương")
    assert stored["verified"] is True and stored["verified_by"] == "chip:device:kiosk-1"
    with server.ctx.db.read() as session:
        audit = session.scalars(select(CitizenVerification)).all()
    assert [(a.card_check, a.actor, a.actor_role) for a in audit] == [
        ("chip_genuine", "device:kiosk-1", "kiosk")
    ]
    assert set(audit[0].changed or []) == {"full_name", "birth_date", "sex", "address"}

    papers = checklist(client, claim["claim"])
    assert papers["papers_on_file"] is True and papers["papers"][0]["status"] == "on_file"


def test_an_altered_dg13_is_refused_and_nothing_is_stored(
    server: Server, client: TestClient, office_csca: specimen.Issuer
) -> None:
    answer = claim_by_chip(client, chip_files(office_csca, alter_dg13=True))
    assert answer.status_code == 422, answer.text
    body = answer.json()
    assert body["code"] == "chip_altered" and "đã bị thay đổi" in body["message"]
    assert any("does not match" in why for why in body["error"]["details"]["reasons"])
    with server.ctx.db.read() as session:
        assert session.scalars(select(CitizenClaim)).all() == []
        assert session.scalars(select(CitizenVerification)).all() == []


def test_an_unknown_csca_is_a_claim_only_never_updating_the_person(
    server: Server, client: TestClient
) -> None:
    stranger_state = specimen.make_issuer(csca_name="CSCA không được cài", signer_name="DS lạ")
    answer = claim_by_chip(client, chip_files(stranger_state))
    assert answer.status_code == 201, answer.text
    claim = answer.json()
    assert (claim["source"], claim["person_updated"], claim["papers_on_file"]) == (
        "chip-not-verifiable",
        False,
        False,
    )
    assert any("no installed CSCA" in reason for reason in claim["chip_check"])
    assert checklist(client, claim["claim"])["papers_on_file"] is False  # only a checked chip sees them
    stored = person(server, client)
    assert stored["full_name"] is None and stored["verified"] is False
    with server.ctx.db.read() as session:
        assert session.scalars(select(CitizenVerification)).all() == []


def test_a_typed_number_still_sees_no_papers_on_file(
    server: Server, client: TestClient, office_csca: specimen.Issuer
) -> None:
    nhungs_settled_case(server, client)
    assert claim_by_chip(client, chip_files(office_csca)).status_code == 201  # the person is now verified
    typed = client.post("/api/v1/citizens", json={"personal_id": NHUNG_ID}, headers=KIOSK).json()
    assert typed["source"] == "typed" and typed["papers_on_file"] is False
    by_number = checklist(client, typed["claim"])
    assert by_number["papers_on_file"] is False and by_number["papers"][0]["status"] == "missing"


def test_bad_chip_data_gets_a_clear_422(
    server: Server, client: TestClient, office_csca: specimen.Issuer
) -> None:
    chip = chip_files(office_csca)
    not_base64 = claim_by_chip(client, chip, dg13="không phải base64")
    assert (not_base64.status_code, not_base64.json()["code"]) == (422, "bad_chip_data")
    dg1 = base64.b64encode(chip.files["dg1"]).decode()
    swapped = claim_by_chip(client, chip, dg13=dg1)  # DG1's bytes where DG13 belongs
    assert (swapped.status_code, swapped.json()["code"]) == (422, "bad_chip_data")
    not_dg15 = claim_by_chip(client, chip, dg15=dg1)
    assert (not_dg15.status_code, not_dg15.json()["code"]) == (422, "bad_chip_data")
    no_challenge = client.post("/api/v1/citizens/chip", json=read_body(chip, "0" * 16) | {"challenge": "xyz"},
                               headers=KIOSK)  # fmt: skip
    assert no_challenge.status_code == 422 and "challenge" in no_challenge.text


@pytest.mark.parametrize(("face", "media_type"), [(None, "image/jpeg"), ("jpeg2000", "image/png")])
def test_the_officer_handling_the_case_sees_the_source_and_the_chip_face(
    server: Server, client: TestClient, office_csca: specimen.Issuer, face: str | None, media_type: str
) -> None:
    nhungs_settled_case(server, client)
    chip = chip_files(office_csca, face=jpeg2000_dg2() if face else None)
    token = claim_by_chip(client, chip).json()["claim"]
    on_file = checklist(client, token)["papers"][0]["document"]["id"]
    answer = submit(client, "kiosk-chip-000001", [on_file], form=ct01_form(), claim=token)
    assert answer.status_code == 201, answer.text
    code = answer.json()["dossier"]["code"]

    assert client.get(f"/api/v1/dossiers/{code}/face", headers=KIOSK).status_code == 403
    staff = seated(server, client, "canbo2", 2)
    case = client.get(f"/api/v1/dossiers/{code}", headers=staff).json()
    assert case["citizen"]["source"] == "chip-genuine" and case["citizen"]["face_photo"] is True
    photo = client.get(f"/api/v1/dossiers/{code}/face", headers=staff)
    assert photo.status_code == 200 and photo.headers["content-type"] == media_type
    with Image.open(io.BytesIO(photo.content)) as image:
        assert image.size == ((120, 160) if face else (240, 320))


def claims(server: Server) -> list[str]:
    with server.ctx.db.read() as session:
        return [claim.source for claim in session.scalars(select(CitizenClaim))]


def test_a_replayed_read_is_refused_with_the_reason(
    server: Server, client: TestClient, office_csca: specimen.Issuer
) -> None:
    chip = chip_files(office_csca)
    captured = read_body(chip, new_challenge(client))  # a genuine read, as someone recorded it
    first = client.post("/api/v1/citizens/chip", json=captured, headers=KIOSK)
    assert first.status_code == 201 and first.json()["source"] == "chip-genuine", first.text

    again = client.post("/api/v1/citizens/chip", json=captured, headers=KIOSK)  # the same challenge twice
    assert again.status_code == 422, again.text
    assert again.json()["code"] == "chip_challenge_invalid" and "already used" in again.text

    replayed = client.post(  # the old signature under a new challenge: only the chip could sign that
        "/api/v1/citizens/chip", json={**captured, "challenge": new_challenge(client)}, headers=KIOSK
    )
    assert replayed.status_code == 422, replayed.text
    body = replayed.json()
    assert body["code"] == "chip_not_live" and "sao chép" in body["message"]
    assert any("replayed read" in why for why in body["error"]["details"]["reasons"])

    for dropped in ("aa_signature", "dg15"):  # a replay that leaves out what it cannot forge
        partial = {key: value for key, value in captured.items() if key != dropped}
        answer = client.post(
            "/api/v1/citizens/chip", json={**partial, "challenge": new_challenge(client)}, headers=KIOSK
        )
        assert (answer.status_code, answer.json()["code"]) == (422, "chip_not_live"), answer.text
        assert "no signature over this server's challenge" in answer.text
    assert claims(server) == ["chip-genuine"]  # only the live read was kept


def test_a_card_without_active_authentication_is_genuine_data_clone_not_excluded(
    server: Server, client: TestClient, office_csca: specimen.Issuer
) -> None:
    answer = claim_by_chip(client, chip_files(office_csca, active=False))
    assert answer.status_code == 201, answer.text
    claim = answer.json()
    assert (claim["source"], claim["chip_live"], claim["person_updated"], claim["papers_on_file"]) == (
        "chip-genuine-data",
        False,
        False,
        True,
    )
    assert any("clone not excluded" in reason for reason in claim["chip_check"])
    assert (
        person(server, client)["verified"] is False
    )  # a copy could be anyone's: no update without an officer


def test_a_challenge_is_this_devices_and_expires(
    server: Server, client: TestClient, office_csca: specimen.Issuer
) -> None:
    chip = chip_files(office_csca)
    staff = server.login(client, "canbo1")
    others = client.post("/api/v1/citizens/chip", json=read_body(chip, new_challenge(client, staff)),
                         headers=KIOSK)  # fmt: skip
    assert (others.status_code, others.json()["code"]) == (422, "chip_challenge_invalid")
    assert "did not give that challenge to this device" in others.text
    made_up = client.post("/api/v1/citizens/chip", json=read_body(chip, "0123456789abcdef"), headers=KIOSK)
    assert (made_up.status_code, made_up.json()["code"]) == (422, "chip_challenge_invalid")

    late = read_body(chip, new_challenge(client))
    assert isinstance(server.clock, ManualClock)
    server.clock.advance(seconds=121)
    expired = client.post("/api/v1/citizens/chip", json=late, headers=KIOSK)
    assert (expired.status_code, expired.json()["code"]) == (422, "chip_challenge_invalid")
    assert "expired" in expired.text and "đặt thẻ lên đầu đọc lại" in expired.json()["message"]
    assert claims(server) == []
