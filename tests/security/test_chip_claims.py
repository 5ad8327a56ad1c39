"""Issue 17 item 2 / issue 12 (High): an identity read from the card's chip.

The kiosk sends the chip's raw EF.SOD, DG1, DG13 (and DG2); the server authenticates them itself against the
CSCA folder in its own settings. Only a chip-genuine identity updates a stored person without an officer
(audited); an altered chip is refused; a chip signed by a CSCA the office did not install is a claim only.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from devices.chip import specimen
from queue_server.citizens.models import CitizenClaim, CitizenVerification
from queue_server.clock import ManualClock
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


def chip_files(
    issuer: specimen.Issuer, *, alter_dg13: bool = False, face: bytes | None = None
) -> dict[str, str]:
    """What a kiosk's reader hands over: the chip's files as read, base64."""
    groups = {
        1: specimen.dg1(NHUNG),
        2: face or specimen.dg2(specimen.face_jpeg(), (240, 320)),
        13: specimen.dg13(NHUNG),
    }
    sod = specimen.sod(groups, issuer)
    if alter_dg13:
        dg13 = bytearray(groups[13])
        dg13[dg13.find(b"Nhung") + 1] ^= 0x01  # 'h' → 'i': the hash no longer matches
        groups[13] = bytes(dg13)
    files = {"sod": sod, "dg1": groups[1], "dg2": groups[2], "dg13": groups[13]}
    return {name: base64.b64encode(data).decode() for name, data in files.items()}


def nhungs_settled_case(server: Server, client: TestClient) -> None:
    """Nhung's QR claim files a case with a photographed paper; the officer checks it and finishes the case,
    so the paper is on file (and her stored person still unverified)."""
    register(client)
    paper = upload(client, "GTCMCHO").json()["id"]
    answer = submit(client, "kiosk-nhung-000001", [paper])
    assert answer.status_code == 201, answer.text
    settle(client, seated(server, client, "canbo1", 1), answer.json()["dossier"]["code"], ["GTCMCHO"])


def claim_by_chip(client: TestClient, files: dict[str, str]) -> Any:
    return client.post("/api/v1/citizens/chip", json=files, headers=KIOSK)


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

    answer = claim_by_chip(client, {**chip_files(office_csca), "verdict": "genuine"})
    assert answer.status_code == 201, answer.text
    claim = answer.json()
    assert (claim["source"], claim["person_updated"], claim["papers_on_file"]) == ("chip-genuine", True, True)
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
    assert (claim["source"], claim["person_updated"]) == ("chip-not-verifiable", False)
    assert any("no installed CSCA" in reason for reason in claim["chip_check"])
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
    files = chip_files(office_csca)
    not_base64 = claim_by_chip(client, {**files, "dg13": "không phải base64"})
    assert (not_base64.status_code, not_base64.json()["code"]) == (422, "bad_chip_data")
    swapped = claim_by_chip(client, {**files, "dg13": files["dg1"]})  # DG1's bytes where DG13 belongs
    assert (swapped.status_code, swapped.json()["code"]) == (422, "bad_chip_data")


@pytest.mark.parametrize(("face", "media_type"), [(None, "image/jpeg"), ("jpeg2000", "image/png")])
def test_the_officer_handling_the_case_sees_the_source_and_the_chip_face(
    server: Server, client: TestClient, office_csca: specimen.Issuer, face: str | None, media_type: str
) -> None:
    nhungs_settled_case(server, client)
    files = chip_files(office_csca, face=jpeg2000_dg2() if face else None)
    token = claim_by_chip(client, files).json()["claim"]
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
