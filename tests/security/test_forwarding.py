"""Cases forwarded along the office tree: a commune sends a residence case (accepted regardless of place of
residence) to another office of its province; the receiver lists it and acts on it, the sender keeps it in
its history; an office of another province is refused (403, audited, nothing moved) — SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.tables.auth import AccessRefusal
from queue_server.tables.dossiers import Dossier
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import NHUNG_ID, NHUNG_QR, ct01_form, page_jpeg
from tests.fixtures.province_cases import province_config
from tests.support import PASSWORD, Server, client_for, make_server

PROVINCE, AB, BM, OTHER = "CATTN", "CAXAB", "CAXBM", "CATKH"
KIOSK_AB = {"X-Device-Key": "kiosk-ab-key-for-forwarding-01"}
ANOTHER_PROVINCE = f"""
[[office]]
code = "{OTHER}"
name_vi = "Công an tỉnh Khánh Hòa"
name_en = "Khanh Hoa Provincial Police"
parent = ""
time_zone = "Asia/Ho_Chi_Minh"
issue_cutoff_minutes = 0
open_on_holidays = true

[office.hours]
mon = ["00:00-24:00"]
tue = ["00:00-24:00"]
wed = ["00:00-24:00"]
thu = ["00:00-24:00"]
fri = ["00:00-24:00"]
sat = ["00:00-24:00"]
sun = ["00:00-24:00"]
lunch = ""
"""


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Server:
    config = province_config(tmp_path, ANOTHER_PROVINCE, (OTHER,))
    built = make_server(database_url, ManualClock(T0), config_dir=config)
    auth = built.services.auth
    for username, office in (("canbo.ab", AB), ("canbo.bm", BM), ("canbo.tinh", PROVINCE)):
        auth.add_user(username=username, role="staff", password=PASSWORD, office=office)
    auth.add_device(name="kiosk-ab", role="kiosk", office=AB, key=KIOSK_AB["X-Device-Key"])
    return built


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def seated(server: Server, client: TestClient, username: str) -> dict[str, str]:
    staff = server.login(client, username)
    assert client.post("/api/v1/counters/1/open", headers=staff).status_code == 200
    return staff


def case_at_ab(client: TestClient) -> str:
    claim = client.post("/api/v1/citizens", json={"qr": NHUNG_QR}, headers=KIOSK_AB).json()["claim"]
    files = [("files", ("trang-1.jpg", page_jpeg("GTCMCHO"), "image/jpeg"))]
    data = {"citizen_id": NHUNG_ID, "type": "GTCMCHO"}
    uploaded = client.post("/api/v1/documents", data=data, files=files, headers=KIOSK_AB)
    assert uploaded.status_code == 201, uploaded.text
    document = uploaded.json()["id"]
    body = {
        "procedure": "1.004222",
        "citizen_id": NHUNG_ID,
        "form": ct01_form(),
        "documents": [document],
        "idempotency_key": "forward-1",
        "claim": claim,
        "office": AB,
    }
    answer = client.post("/api/v1/dossiers", json=body, headers=KIOSK_AB)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["dossier"]["code"])


def test_a_case_goes_to_another_office_of_the_province_and_both_keep_its_history(
    server: Server, client: TestClient
) -> None:
    code = case_at_ab(client)
    ab, bm = seated(server, client, "canbo.ab"), seated(server, client, "canbo.bm")
    sent = client.post(f"/api/v1/dossiers/{code}/forward", json={"office": BM}, headers=ab)
    assert sent.status_code == 200, sent.text
    assert sent.json()["office"] == BM
    forward = [e for e in sent.json()["events"] if e["action"] == "forward"]
    assert [e["data"] for e in forward] == [{"from_office": AB, "to_office": BM}]
    received = client.get("/api/v1/dossiers", params={"office": BM}, headers=bm).json()
    assert [d["code"] for d in received] == [code]
    assert client.get("/api/v1/dossiers", params={"office": AB}, headers=ab).json() == []
    kept = client.get("/api/v1/dossiers", params={"office": AB, "forwarded_out": True}, headers=ab).json()
    assert [d["code"] for d in kept] == [code]
    assert [
        d["code"] for d in client.get("/api/v1/dossiers/search", params={"q": code}, headers=ab).json()
    ] == [code]
    assert (
        client.get(f"/api/v1/dossiers/{code}", headers=ab).status_code == 200
    )  # the sender reads its history
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=ab).status_code == 403  # no longer theirs
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=bm).status_code == 200
    up = client.post(f"/api/v1/dossiers/{code}/forward", json={"office": PROVINCE}, headers=bm)
    assert up.status_code == 200 and up.json()["office"] == PROVINCE  # up the tree too


def test_a_case_cannot_leave_its_province_and_the_refusal_is_audited(
    server: Server, client: TestClient
) -> None:
    code = case_at_ab(client)
    ab = seated(server, client, "canbo.ab")
    refused = client.post(f"/api/v1/dossiers/{code}/forward", json={"office": OTHER}, headers=ab)
    assert refused.status_code == 403, refused.text
    error = refused.json()["error"]
    assert error["code"] == "forward_out_of_tree" and error["details"] == {"office": OTHER, "source": AB}
    assert "chỉ chuyển trong cùng tỉnh" in error["message_vi"] and "CAXBM" in error["message_vi"]
    with server.ctx.db.read() as session:
        assert session.scalar(select(Dossier.office).where(Dossier.code == code)) == AB  # nothing moved
        rows = [(r.actor, r.office, r.route) for r in session.scalars(select(AccessRefusal))]
    assert rows == [("user:canbo.ab", OTHER, "POST /api/v1/dossiers/{code}/{action}")]
    history = client.get(f"/api/v1/dossiers/{code}", headers=ab).json()["events"]
    assert [e["action"] for e in history] == ["submit"]


def test_the_console_is_offered_only_the_offices_of_the_same_province(client: TestClient) -> None:
    offered = client.get("/api/v1/offices", params={"forward_from": AB}).json()
    assert [o["code"] for o in offered] == [PROVINCE, BM]
    assert [o["code"] for o in client.get("/api/v1/offices", params={"forward_from": OTHER}).json()] == []


def test_case_lists_are_scoped_to_the_office_and_refusals_audited(server: Server, client: TestClient) -> None:
    case_at_ab(client)
    bm = server.login(client, "canbo.bm")
    for route in ("/api/v1/dossiers", "/api/v1/dossiers/follow-up", "/api/v1/dossiers/stats"):
        answer = client.get(route, params={"office": AB}, headers=bm)
        assert answer.status_code == 403, (route, answer.text)
        assert answer.json()["code"] == "office_out_of_scope"
    assert client.get("/api/v1/dossiers", headers=bm).json() == []  # their own office: nothing yet
    searched = client.get("/api/v1/dossiers/search", params={"q": NHUNG_ID}, headers=bm)
    assert searched.json() == []  # search looks in the searcher's office only
    code = client.get("/api/v1/dossiers", headers=server.login(client, "canbo.ab")).json()[0]["code"]
    assert client.get(f"/api/v1/dossiers/{code}", headers=bm).status_code == 403  # nor a case by its code
    with server.ctx.db.read() as session:
        assert [r.office for r in session.scalars(select(AccessRefusal))] == [AB, AB, AB, AB]
