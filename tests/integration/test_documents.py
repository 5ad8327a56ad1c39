"""Documents over HTTP: uploads checked from the bytes, content-addressed files, reuse, validity, audit."""

from __future__ import annotations

import hashlib
import io
import shutil
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from queue_server.clock import ManualClock
from queue_server.tables.citizens import PersonalDataAccess
from queue_server.tables.documents import Document
from tests.conftest import DEMO_CONFIG, T0
from tests.fixtures.dossiers.helpers import (
    NHUNG_ID,
    RESIDENCE,
    TEMPORARY,
    page_jpeg,
    register,
    seated,
    settle,
    submit,
    upload,
)
from tests.support import KIOSK, Server, client_for, make_server

EXE = b"MZ\x90\x00\x03" + bytes(300)
HTML = b"<!DOCTYPE html><html><head><title>Hop dong</title></head><body>%PDF-1.7</body></html>"


@pytest.fixture
def client(client: TestClient) -> TestClient:
    register(client)  # the conftest's client, with a citizen on file
    return client


def stored_files(server: Server) -> list[Path]:
    root = server.services.cases.store.root
    return sorted(p for p in root.glob("??/??/*") if p.is_file()) if root.exists() else []


def document_rows(server: Server) -> int:
    with server.ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Document)) or 0)


def checklist(client: TestClient, procedure: str = RESIDENCE) -> dict:  # type: ignore[type-arg]
    """The kiosk's checklist for a citizen whose card QR it has just read."""
    claim = register(client)["claim"]
    answer = client.post(
        "/api/v1/citizens/documents",
        json={"personal_id": NHUNG_ID, "procedure": procedure, "claim": claim},
        headers=KIOSK,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_upload_stores_pages_by_content_hash(server: Server, client: TestClient) -> None:
    first, second = page_jpeg("trang 1"), page_jpeg("trang 2", seed=40)
    answer = upload(client, "GTCMCHO", [("1.jpg", first, "image/jpeg"), ("2.jpg", second, "image/jpeg")])
    assert answer.status_code == 201, answer.text
    body = answer.json()
    # The paper code holds the ID number: masked outside the case view of its officers.
    assert body["code"] == "001******567.GTCMCHO" and body["personal_id_masked"] == "001******567"
    digests = [hashlib.sha256(data).hexdigest() for data in (first, second)]
    assert [p["sha256"] for p in body["pages"]] == digests
    assert [p["media_type"] for p in body["pages"]] == ["image/jpeg", "image/jpeg"]
    root = server.services.cases.store.root
    for digest, data in zip(digests, (first, second), strict=True):
        path = root / digest[:2] / digest[2:4] / digest
        assert path.read_bytes() == data
    # The same bytes again: a second document row, still one file on disk per content.
    assert upload(client, "GTCMCHO", [("again.jpg", first, "image/jpeg")]).status_code == 201
    assert len(stored_files(server)) == 2 and document_rows(server) == 2


def test_a_pdf_from_the_kiosk_pipeline_is_accepted(client: TestClient) -> None:
    import numpy as np

    from devices.scanners.document_photo import pages_to_pdf

    pdf = pages_to_pdf([np.full((700, 500, 3), 235, np.uint8)] * 2)
    answer = upload(client, "HDTHUE", [("hop-dong.pdf", pdf, "application/pdf")])
    assert answer.status_code == 201, answer.text
    assert answer.json()["pages"][0]["media_type"] == "application/pdf"
    assert answer.json()["valid_until"] == "2027-03-10"  # a lease: 12 months from today by default


@pytest.mark.parametrize(
    ("name", "data", "content_type", "status", "code"),
    [
        ("anh.jpg", EXE, "image/jpeg", 415, "file_type_not_allowed"),
        ("hop-dong.pdf", HTML, "application/pdf", 415, "file_type_not_allowed"),
        ("cut.jpg", page_jpeg()[:900], "image/jpeg", 422, "file_damaged"),
        ("empty.jpg", b"", "image/jpeg", 422, "file_empty"),
        ("scan.pdf", page_jpeg(), "application/pdf", 415, "file_type_mismatch"),
    ],
)
def test_disguised_or_broken_files_are_refused_and_nothing_is_stored(
    server: Server, client: TestClient, name: str, data: bytes, content_type: str, status: int, code: str
) -> None:
    good = ("good.jpg", page_jpeg(), "image/jpeg")
    answer = upload(client, "GTCMCHO", [good, (name, data, content_type)])
    assert answer.status_code == status, answer.text
    error = answer.json()
    assert error["code"] == code and error["error"]["details"] == {"file": name, "index": 1}
    assert name in error["message"] and name in error["message_en"]
    assert document_rows(server) == 0 and stored_files(server) == []  # not even the good first page


def test_limits_come_from_the_catalogue(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    path = config / "procedures.toml"
    text = path.read_text(encoding="utf-8").replace("max_file_mb = 10", "max_file_mb = 0.01")
    path.write_text(
        text.replace("max_files_per_document = 20", "max_files_per_document = 2"), encoding="utf-8"
    )
    server = make_server(f"sqlite:///{tmp_path / 'limits.sqlite3'}", ManualClock(T0), config)
    with client_for(server) as client:
        register(client)
        big = io.BytesIO()
        Image.effect_noise((400, 400), 80).convert("RGB").save(big, "JPEG", quality=95)
        too_large = upload(client, "GTCMCHO", [("big.jpg", big.getvalue(), "image/jpeg")])
        assert (too_large.status_code, too_large.json()["code"]) == (413, "file_too_large")
        assert "0.01 MB" in too_large.json()["message_en"]
        tiny = io.BytesIO()
        Image.new("RGB", (40, 40), (250, 250, 250)).save(tiny, "JPEG")  # under the 10 KB per file
        small = ("p.jpg", tiny.getvalue(), "image/jpeg")
        too_many = upload(client, "GTCMCHO", [small, small, small])
        assert (too_many.status_code, too_many.json()["code"]) == (413, "too_many_files")
        assert document_rows(server) == 0


def test_unknown_citizen_type_and_dates_are_refused(server: Server, client: TestClient) -> None:
    assert upload(client, "GTCMCHO", personal_id="079085001234").json()["code"] == "citizen_not_found"
    assert upload(client, "GIAYPHEP").json()["code"] == "unknown_document_type"
    expired = upload(client, "ANH4X6", issued_on="2025-06-01")
    assert (expired.status_code, expired.json()["code"]) == (422, "document_expired")
    assert "01/12/2025" in expired.json()["message"]
    assert upload(client, "GKS", issued_on="2027-01-01").json()["code"] == "bad_issued_on"
    backwards = upload(client, "HDTHUE", issued_on="2026-01-01", valid_until="2025-12-31")
    assert backwards.json()["code"] == "bad_valid_until"
    assert (
        client.post(
            "/api/v1/documents", data={"citizen_id": NHUNG_ID, "type": "GKS"}, headers=KIOSK
        ).status_code
        == 422
    )  # no file part at all
    assert document_rows(server) == 0


def test_the_checklist_tells_what_is_on_file_and_what_is_needed(server: Server, client: TestClient) -> None:
    before = checklist(client)
    assert before["needed"] == ["GTCMCHO"] and before["papers"][0]["status"] == "missing"
    assert [p["needed"] for p in before["papers"]] == [True, False, False]  # the other two are optional

    uploaded = upload(client, "GTCMCHO").json()
    now = checklist(client)
    assert now["papers"][0]["status"] == "uploaded" and now["papers"][0]["document"]["id"] == uploaded["id"]
    assert now["needed"] == []

    consent = upload(client, "VBDONGY").json()
    first = submit(client, "kiosk-reuse-00001", [uploaded["id"], consent["id"]])
    assert first.status_code == 201 and first.json()["dossier"]["papers_new"] == 2
    pending = checklist(client)  # serving a case that has no result yet puts nothing on file
    assert pending["papers"][0]["status"] == "missing" and pending["needed"] == ["GTCMCHO"]
    settle(
        client, seated(server, client, "canbo1", 1), first.json()["dossier"]["code"], ["GTCMCHO", "VBDONGY"]
    )

    after = checklist(client)
    assert (
        after["papers"][0]["status"] == "on_file" and after["papers"][0]["document"]["id"] == uploaded["id"]
    )
    assert after["papers"][2]["status"] == "missing"  # a consent letter serves one dossier only
    second = submit(client, "kiosk-reuse-00002", [uploaded["id"]])
    dossier = second.json()["dossier"]
    assert (dossier["papers_reused"], dossier["papers_new"]) == (1, 0)
    assert dossier["papers"][0]["document"] == {
        "id": uploaded["id"],
        "code": uploaded["code"],
        "reused": True,
    }
    reused_consent = submit(client, "kiosk-reuse-00003", [uploaded["id"], consent["id"]])
    assert reused_consent.json()["code"] == "document_not_reusable"


def test_expired_papers_must_be_supplied_again(server: Server, client: TestClient) -> None:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    lease = upload(client, "HDTHUE", valid_until="2026-06-30").json()
    first = submit(client, "kiosk-lease-00001", [lease["id"]], procedure=TEMPORARY)
    assert first.status_code == 201
    settle(client, seated(server, client, "canbo1", 1), first.json()["dossier"]["code"], ["HDTHUE"])
    assert checklist(client, TEMPORARY)["papers"][0]["status"] == "on_file"
    clock.advance(days=120)  # 8 July 2026
    stale = checklist(client, TEMPORARY)
    assert stale["papers"][0]["status"] == "expired" and stale["needed"] == ["HDTHUE"]
    refused = submit(client, "kiosk-lease-00002", [lease["id"]], procedure=TEMPORARY)
    assert refused.json()["code"] == "document_expired"
    fresh = upload(client, "HDTHUE", valid_until="2027-06-30").json()
    accepted = submit(client, "kiosk-lease-00003", [fresh["id"]], procedure=TEMPORARY).json()["dossier"]
    assert (accepted["papers_new"], accepted["papers_reused"]) == (1, 0)


def test_re_supplying_a_paper_on_file_is_counted(server: Server, client: TestClient) -> None:
    kept = upload(client, "GTCMCHO").json()
    first = submit(client, "kiosk-count-00001", [kept["id"]])
    settle(client, seated(server, client, "canbo1", 1), first.json()["dossier"]["code"], ["GTCMCHO"])
    again = upload(client, "GTCMCHO", [("lai.jpg", page_jpeg("lần nữa", seed=9), "image/jpeg")]).json()
    submit(client, "kiosk-count-00002", [again["id"]])  # the state held it, the citizen brought it again
    submit(client, "kiosk-count-00003", [kept["id"]])
    staff = server.login(client, "giamsat")
    stats = client.get("/api/v1/dossiers/stats", params={"day": "2026-03-10"}, headers=staff).json()
    assert (stats["dossiers"], stats["without_resupply"], stats["fully_reused"]) == (3, 2, 1)
    assert (stats["papers_reused"], stats["papers_new"]) == (1, 2)
    # the state held the paper in the last two cases; the citizen brought it again in one of them
    assert (stats["reuse_cases"], stats["papers_held"], stats["held_not_resupplied"]) == (2, 2, 1)
    assert stats["reuse_share"] == 0.5
    assert stats["procedures"][0]["procedure"] == RESIDENCE and stats["procedures"][0]["dossiers"] == 3
    empty = client.get("/api/v1/dossiers/stats", params={"day": "2026-03-11"}, headers=staff).json()
    assert empty["dossiers"] == 0 and empty["reuse_share"] is None
    assert client.get("/api/v1/dossiers/stats", headers=KIOSK).status_code == 403


def test_staff_reads_of_documents_are_audited(server: Server, client: TestClient) -> None:
    data = page_jpeg("bí mật")
    document = upload(client, "GTCMCHO", [("p.jpg", data, "image/jpeg")]).json()
    assert client.get(f"/api/v1/documents/{document['id']}/pages/1", headers=KIOSK).status_code == 403
    staff = server.login(client, "canbo2")
    page = client.get(f"/api/v1/documents/{document['id']}/pages/1", headers=staff)
    assert page.status_code == 200 and page.content == data and page.headers["content-type"] == "image/jpeg"
    assert page.headers["cache-control"] == "no-store"
    assert client.get(f"/api/v1/documents/{document['id']}", headers=staff).json()["code"] == document["code"]
    assert client.get(f"/api/v1/documents/{document['id']}/pages/2", headers=staff).status_code == 404
    listing = client.post("/api/v1/citizens/documents", json={"personal_id": NHUNG_ID}, headers=staff).json()
    assert [d["id"] for d in listing["documents"]] == [document["id"]]
    assert (
        client.post("/api/v1/citizens/documents", json={"personal_id": NHUNG_ID}, headers=KIOSK).status_code
        == 403
    )
    with server.ctx.db.read() as session:
        rows = list(session.scalars(select(PersonalDataAccess).order_by(PersonalDataAccess.id)))
    assert [(r.actor, r.action, r.document_id) for r in rows] == [
        ("user:canbo2", "document.page", document["id"]),
        ("user:canbo2", "document.read", document["id"]),
        ("user:canbo2", "documents.list", None),
    ]
    assert all(r.citizen_id is not None and r.at == T0 for r in rows)


def test_citizens_come_from_the_id_card(server: Server, client: TestClient) -> None:
    again = client.post(
        "/api/v1/citizens",
        json={"qr": f"{NHUNG_ID}||Nguyễn Thị Hồng Nhung|01021999|Nữ|Số 5, phường Mới|15082021"},
        headers=KIOSK,
    )
    # A claim each time; the answer echoes what was sent, never what is stored.
    assert again.status_code == 201 and again.json()["source"] == "qr" and again.json()["claim"]
    assert again.json()["address"] == "Số 5, phường Mới" and again.json()["birth_date"] == "1999-02-01"
    bad = client.post("/api/v1/citizens", json={"qr": "001199004567|Nguyễn"}, headers=KIOSK)
    assert bad.status_code == 422 and bad.json()["code"] == "bad_qr" and "CCCD" in bad.json()["message"]
    by_fields = client.post(
        "/api/v1/citizens",
        json={
            "personal_id": "079085001234",
            "full_name": "Trần  Văn Bình",
            "birth_date": "1985-07-12",
            "sex": "Nam",
        },
        headers=KIOSK,
    )
    assert by_fields.status_code == 201 and by_fields.json()["full_name"] == "Trần Văn Bình"
    assert by_fields.json()["source"] == "typed" and by_fields.json()["papers_on_file"] is False
    assert (
        client.post(
            "/api/v1/citizens",
            json={"personal_id": "079085001234", "full_name": "X", "sex": "M"},
            headers=KIOSK,
        ).json()["code"]
        == "bad_sex"
    )
    assert client.post("/api/v1/citizens", json={"full_name": "X"}, headers=KIOSK).status_code == 422
    assert client.post("/api/v1/citizens", json={"qr": "x"}).status_code == 401
    staff = server.login(client, "canbo1")
    person = client.post("/api/v1/citizens/person", json={"personal_id": NHUNG_ID}, headers=staff).json()
    # Nobody checked the card yet: the person has no facts, only claims.
    assert person["full_name"] is None and person["verified"] is False and person["dossiers"] == []
    assert (
        client.post("/api/v1/citizens/person", json={"personal_id": NHUNG_ID}, headers=KIOSK).status_code
        == 403
    )


def test_validity_defaults_follow_the_document_type(client: TestClient) -> None:
    photo = upload(client, "ANH4X6", issued_on="2026-02-01").json()
    assert photo["valid_until"] == "2026-08-01"
    birth = upload(client, "GKS", issued_on="1999-02-10").json()
    assert birth["valid_until"] is None and birth["issued_on"] == "1999-02-10"
    assert date.fromisoformat(upload(client, "ANH4X6").json()["valid_until"]) == date(2026, 9, 10)
