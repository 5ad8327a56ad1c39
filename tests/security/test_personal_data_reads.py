"""Medium 4: `GET /dossiers?limit=200` gave any staff names and full ID numbers (inside the paper codes
`<ID>.<type>`) with no audit. Full ID numbers leave the server only where a role needs them (the officers
handling the case), masked elsewhere, and every read of a person's data by a person is recorded."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.tables.citizens import PersonalDataAccess
from tests.fixtures.dossiers.helpers import (
    BINH_ID,
    BINH_QR,
    NHUNG_ID,
    ct01_form,
    register,
    seated,
    submit,
    upload,
)
from tests.support import Server


def two_cases(client: TestClient) -> list[str]:
    register(client)
    paper = upload(client, "GTCMCHO").json()["id"]
    first = submit(client, "kiosk-reads-000001", [paper]).json()["dossier"]["code"]
    register(client, BINH_QR)
    binh_paper = upload(client, "GTCMCHO", personal_id=BINH_ID).json()["id"]
    second = submit(
        client, "kiosk-reads-000002", [binh_paper], personal_id=BINH_ID, form=ct01_form(BINH_ID)
    ).json()["dossier"]["code"]
    return [first, second]


def test_a_list_of_cases_masks_id_numbers_and_each_listed_person_is_audited(
    server: Server, client: TestClient
) -> None:
    codes = two_cases(client)
    staff = server.login(client, "canbo4")  # any staff account, seated nowhere
    listing = client.get("/api/v1/dossiers", params={"limit": 200}, headers=staff)
    assert listing.status_code == 200
    for full in (NHUNG_ID, BINH_ID):
        assert full not in listing.text
    papers = {d["code"]: d["papers"][0]["document"]["code"] for d in listing.json()}
    assert papers == {codes[0]: "001******567.GTCMCHO", codes[1]: "079******234.GTCMCHO"}
    with server.ctx.db.read() as session:
        rows = list(session.scalars(select(PersonalDataAccess).order_by(PersonalDataAccess.id)))
    assert sorted((r.actor, r.action, r.dossier_code, r.route) for r in rows) == sorted(
        ("user:canbo4", "dossier.list", code, "GET /api/v1/dossiers") for code in codes
    )
    assert all(r.citizen_id is not None for r in rows)


def test_the_full_id_is_shown_to_the_officer_handling_the_case_only(
    server: Server, client: TestClient
) -> None:
    code = two_cases(client)[0]
    unseated = server.login(client, "canbo4")
    glance = client.get(f"/api/v1/dossiers/{code}", headers=unseated)
    assert glance.status_code == 200 and NHUNG_ID not in glance.text
    assert glance.json()["form"]["personal_id"] == "001******567"
    officer = seated(server, client, "canbo1", 1)
    case = client.get(f"/api/v1/dossiers/{code}", headers=officer).json()
    assert case["citizen"]["personal_id"] == NHUNG_ID
    assert case["papers"][0]["document"]["code"] == f"{NHUNG_ID}.GTCMCHO"
    with server.ctx.db.read() as session:
        rows = list(
            session.scalars(select(PersonalDataAccess).where(PersonalDataAccess.dossier_code == code))
        )
    assert [(r.actor, r.action, r.detail) for r in rows] == [
        ("user:canbo4", "dossier.read", None),
        ("user:canbo1", "dossier.read", "full ID"),
    ]


def test_document_reads_show_the_paper_code_masked(server: Server, client: TestClient) -> None:
    register(client)
    document = upload(client, "GTCMCHO").json()
    assert NHUNG_ID not in str(document)
    staff = server.login(client, "canbo2")
    read = client.get(f"/api/v1/documents/{document['id']}", headers=staff)
    assert read.json()["code"] == "001******567.GTCMCHO" and NHUNG_ID not in read.text
