"""High: a stranger at a kiosk who knows a 12-digit ID number could take over that citizen.

What a kiosk sends is a claim kept with the case: it never changes the stored person, the kiosk is answered
only what it sent, papers on file are offered only for a card read, and the lookup's second factor is not
something a kiosk can set. A person's facts change only by a seated officer who checked the card.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.tables.citizens import CitizenVerification, PersonalDataAccess
from tests.fixtures.dossiers.helpers import (
    NHUNG_ID,
    RESIDENCE,
    ct01_form,
    page_jpeg,
    register,
    seated,
    submit,
    upload,
)
from tests.support import KIOSK, Server

LOOKUP = "/api/v1/public/dossiers/lookup"
STRANGER = {"full_name": "Kẻ Mạo Danh", "birth_date": "1990-01-01", "sex": "Nam", "address": "Số 1 phố Lạ"}
FORGED_QR = f"{NHUNG_ID}||Kẻ Mạo Danh|01011990|Nam|Số 1 phố Lạ|01012024"


def nhungs_received_case(server: Server, client: TestClient) -> str:
    """Nhung scans her card, files a case with a photographed paper; an officer receives it."""
    register(client)
    paper = upload(client, "GTCMCHO").json()["id"]
    answer = submit(client, "kiosk-nhung-000001", [paper])
    assert answer.status_code == 201, answer.text
    code = str(answer.json()["dossier"]["code"])
    staff = seated(server, client, "canbo1", 1)
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 200
    return code


def test_a_typed_number_or_forged_qr_changes_neither_the_person_nor_earlier_receipts(
    server: Server, client: TestClient
) -> None:
    code = nhungs_received_case(server, client)
    staff = seated(server, client, "canbo2", 2)
    verified = client.post(
        "/api/v1/citizens/verify",
        json={
            "personal_id": NHUNG_ID,
            "full_name": "Nguyễn Thị Hồng Nhung",
            "birth_date": "1999-02-01",
            "sex": "Nữ",
            "address": "Thôn 3, xã Tân Phú, tỉnh Đồng Nai",
            "card_check": "card_shown",
        },
        headers=staff,
    )
    assert verified.status_code == 200, verified.text

    typed = client.post("/api/v1/citizens", json={"personal_id": NHUNG_ID, **STRANGER}, headers=KIOSK)
    forged = client.post("/api/v1/citizens", json={"qr": FORGED_QR}, headers=KIOSK)
    assert typed.status_code == forged.status_code == 201

    person = client.post("/api/v1/citizens/person", json={"personal_id": NHUNG_ID}, headers=staff).json()
    assert (person["full_name"], person["birth_date"], person["sex"]) == (
        "Nguyễn Thị Hồng Nhung",
        "1999-02-01",
        "Nữ",
    )
    receipt = client.get(f"/api/v1/dossiers/{code}/receipt", headers=staff).json()
    assert receipt["citizen_name"] == "Nguyễn Thị Hồng Nhung"
    case = client.get(f"/api/v1/dossiers/{code}", headers=staff).json()
    assert case["citizen"]["full_name"] == "Nguyễn Thị Hồng Nhung"


def test_a_kiosk_is_answered_only_what_it_sent(server: Server, client: TestClient) -> None:
    nhungs_received_case(server, client)  # her birth date, sex and address were read from her card
    seated_staff = seated(server, client, "canbo2", 2)
    client.post(
        "/api/v1/citizens/verify",
        json={
            "personal_id": NHUNG_ID,
            "full_name": "Nguyễn Thị Hồng Nhung",
            "birth_date": "1999-02-01",
            "sex": "Nữ",
            "address": "Thôn 3, xã Tân Phú, tỉnh Đồng Nai",
            "card_check": "card_shown",
        },
        headers=seated_staff,
    )
    answer = client.post(
        "/api/v1/citizens", json={"personal_id": NHUNG_ID, "full_name": "Ai Đó"}, headers=KIOSK
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    assert (body["birth_date"], body["sex"], body["address"]) == (None, None, None)
    assert body["full_name"] == "Ai Đó" and body["source"] == "typed"
    text = answer.text
    for stored in ("Nhung", "1999-02-01", "Tân Phú", "Nữ", NHUNG_ID):
        assert stored not in text, stored


def checklist(client: TestClient, claim: str) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/citizens/documents",
        json={"personal_id": NHUNG_ID, "procedure": RESIDENCE, "claim": claim},
        headers=KIOSK,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_papers_on_file_are_offered_only_for_an_identity_read_from_the_card(
    server: Server, client: TestClient
) -> None:
    code = nhungs_received_case(server, client)
    # A paper goes on file only once an officer checked it in a case that reached a result.
    staff = seated(server, client, "canbo2", 2)
    assert (
        client.post(f"/api/v1/dossiers/{code}/checks", json={"subject": "GTCMCHO"}, headers=staff).status_code
        == 200
    )
    assert client.post(f"/api/v1/dossiers/{code}/finish", headers=staff).status_code == 200
    by_card = checklist(client, register(client)["claim"])
    assert by_card["papers"][0]["status"] == "on_file" and by_card["papers_on_file"] is True
    on_file = by_card["papers"][0]["document"]["id"]

    typed_claim = client.post("/api/v1/citizens", json={"personal_id": NHUNG_ID}, headers=KIOSK).json()[
        "claim"
    ]
    by_number = checklist(client, typed_claim)
    assert by_number["papers"][0]["status"] == "missing" and by_number["papers"][0]["document"] is None
    assert by_number["papers_on_file"] is False and "GTCMCHO" in by_number["needed"]
    no_claim = client.post(
        "/api/v1/citizens/documents", json={"personal_id": NHUNG_ID, "procedure": RESIDENCE}, headers=KIOSK
    ).json()
    assert no_claim["papers"][0]["status"] == "missing"

    reuse = submit(client, "kiosk-stranger-00001", [on_file], claim=typed_claim)
    assert (reuse.status_code, reuse.json()["code"]) == (422, "document_not_offered"), reuse.text
    without_claim = client.post(
        "/api/v1/dossiers",
        json={
            "procedure": RESIDENCE,
            "citizen_id": NHUNG_ID,
            "form": ct01_form(),
            "documents": [on_file],
            "idempotency_key": "kiosk-stranger-00002",
        },
        headers=KIOSK,
    )
    assert without_claim.status_code == 422 and without_claim.json()["code"] == "claim_required"


def test_a_typed_number_still_submits_a_whole_case_with_photographed_papers(
    server: Server, client: TestClient
) -> None:
    person = "036095000777"
    claim = client.post("/api/v1/citizens", json={"personal_id": person}, headers=KIOSK)
    assert claim.status_code == 201, claim.text
    token = claim.json()["claim"]
    assert claim.json()["papers_on_file"] is False and claim.json()["full_name"] is None
    paper = upload(client, "GTCMCHO", [("so-do.jpg", page_jpeg("SỔ ĐỎ"), "image/jpeg")], personal_id=person)
    assert paper.status_code == 201, paper.text
    form = ct01_form(person, full_name="Lê Văn Tám", birth_date="1995-05-05", sex="Nam")
    answer = submit(
        client, "kiosk-typed-000001", [paper.json()["id"]], personal_id=person, form=form, claim=token
    )
    assert answer.status_code == 201, answer.text
    dossier = answer.json()["dossier"]
    assert dossier["citizen"]["full_name"] == "Lê Văn Tám" and dossier["citizen"]["source"] == "typed"
    assert (dossier["papers_new"], dossier["papers_reused"]) == (1, 0)
    staff = seated(server, client, "canbo1", 1)
    client.post(f"/api/v1/dossiers/{dossier['code']}/receive", headers=staff)
    receipt = client.get(f"/api/v1/dossiers/{dossier['code']}/receipt", headers=staff).json()
    assert receipt["citizen_name"] == "Lê Văn Tám" and receipt["citizen_id"] == "036******777"
    person_now = client.post("/api/v1/citizens/person", json={"personal_id": person}, headers=staff).json()
    assert person_now["full_name"] is None and person_now["verified"] is False  # a claim, not a fact


def test_the_lookup_second_factor_is_nothing_a_kiosk_can_set(server: Server, client: TestClient) -> None:
    code = nhungs_received_case(server, client)
    client.post("/api/v1/citizens", json={"personal_id": NHUNG_ID, **STRANGER}, headers=KIOSK)
    by_birth = client.post(LOOKUP, json={"code": code, "birth_date": STRANGER["birth_date"]})
    assert by_birth.status_code == 422 and "birth_date" in by_birth.text
    by_card_digits = client.post(LOOKUP, json={"code": code, "last4": NHUNG_ID[-4:]})
    assert by_card_digits.status_code == 200 and by_card_digits.json()["status"] == "received"


def test_only_a_seated_officer_sets_a_persons_facts_and_it_is_audited(
    server: Server, client: TestClient
) -> None:
    register(client)
    facts = {
        "personal_id": NHUNG_ID,
        "full_name": "Nguyễn Thị Hồng Nhung",
        "birth_date": "1999-02-01",
        "sex": "Nữ",
        "address": "Thôn 3, xã Tân Phú, tỉnh Đồng Nai",
        "card_check": "card_shown",
    }
    url = "/api/v1/citizens/verify"
    assert client.post(url, json=facts, headers=KIOSK).status_code == 403
    unseated = server.login(client, "canbo3")
    refused = client.post(url, json=facts, headers=unseated)
    assert refused.status_code == 403 and refused.json()["code"] == "not_seated"
    assert client.post(url, json={**facts, "card_check": "trust me"}, headers=unseated).status_code == 422
    staff = seated(server, client, "canbo1", 1)
    done = client.post(url, json=facts, headers=staff)
    assert done.status_code == 200, done.text
    assert done.json()["verified"] is True and done.json()["changed"] == [
        "full_name",
        "birth_date",
        "sex",
        "address",
    ]
    assert done.json()["verified_by"] == "user:canbo1"
    with server.ctx.db.read() as session:
        checks = list(session.scalars(select(CitizenVerification)))
        reads = list(session.scalars(select(PersonalDataAccess)))
    assert [(c.actor, c.counter, c.card_check, c.changed) for c in checks] == [
        ("user:canbo1", 1, "card_shown", ["full_name", "birth_date", "sex", "address"])
    ]
    assert [(r.actor, r.action) for r in reads] == [("user:canbo1", "citizen.verify")]
    assert reads[0].route == "POST /api/v1/citizens/verify"
