"""Dossiers over HTTP: submit with the ticket in one transaction, idempotency, bad input, staff actions, audit."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from queue_server.clock import ManualClock
from queue_server.dossiers.service import SubmitRequest
from queue_server.tables.dossiers import Dossier, DossierEvent, DossierSequence
from queue_server.tables.tickets import Ticket
from tests.conftest import DEMO_CONFIG, T0
from tests.fixtures.dossiers.helpers import (
    BINH_ID,
    BINH_QR,
    NHUNG_ID,
    RESIDENCE,
    TEMPORARY,
    ct01_form,
    register,
    seated,
    submit,
    upload,
)
from tests.support import KIOSK, Server, client_for, make_server


@pytest.fixture
def client(client: TestClient) -> TestClient:
    register(client)  # the conftest's client, with a citizen on file
    return client


def count(server: Server, model: type) -> int:
    with server.ctx.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def proof_of_residence(client: TestClient) -> int:
    answer = upload(client, "GTCMCHO")
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


# ---- submit and idempotency (SQLite and PostgreSQL) ---------------------------------------------------


def test_submit_makes_the_dossier_and_its_ticket_once(database_url: str) -> None:
    server = make_server(database_url, ManualClock(T0))
    with client_for(server) as client:
        register(client)
        document = proof_of_residence(client)
        first = submit(client, "kiosk-1-0001-aaaa", [document])
        assert first.status_code == 201, first.text
        dossier, ticket = first.json()["dossier"], first.json()["ticket"]
        assert dossier["code"] == "CAXTP-260310-0001" and dossier["status"] == "new"
        assert dossier["status_number"] == 1 and dossier["procedure"]["code"] == RESIDENCE
        assert (
            ticket["queue"] == "A"
            and ticket["number"] == "A001"
            and ticket["dossier_code"] == dossier["code"]
        )
        assert dossier["ticket"]["id"] == ticket["id"]
        assert dossier["citizen"] == {  # the kiosk's answer: no full ID, the name the card's QR gave
            "personal_id_masked": "001******567",
            "full_name": "Nguyễn Thị Hồng Nhung",
            "source": "qr",
            "face_photo": False,  # a QR carries no photo; a chip claim's face is at /dossiers/{code}/face
            "verified": False,
        }

        # A retry after a lost answer: same dossier, same ticket, nothing new.
        again = submit(client, "kiosk-1-0001-aaaa", [document])
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["dossier"]["code"] == dossier["code"]
        assert again.json()["ticket"]["id"] == ticket["id"]
        assert (count(server, Dossier), count(server, Ticket)) == (1, 1)

        # The same key for another case is refused.
        other = submit(client, "kiosk-1-0001-aaaa", [], procedure=TEMPORARY)
        assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"

        second = submit(client, "kiosk-1-0002-bbbb", [])
        assert second.json()["dossier"]["code"] == "CAXTP-260310-0002"
        assert second.json()["ticket"]["number"] == "A002"
        staff = seated(server, client, "canbo1", 1)
        looked_up = client.get(f"/api/v1/tickets/{ticket['id']}", headers=staff).json()
        assert looked_up["dossier_code"] == dossier["code"]


def test_concurrent_submissions_number_without_gaps_and_one_per_key(database_url: str) -> None:
    server = make_server(database_url, ManualClock(T0))
    with client_for(server) as client:
        claim = register(client)["claim"]
    services = server.services.cases.dossiers
    kiosk = server.services.auth.principal_for_device_key(KIOSK["X-Device-Key"])
    assert kiosk is not None
    results: list[str] = []
    errors: list[BaseException] = []

    def send(key: str) -> None:
        request = SubmitRequest(RESIDENCE, NHUNG_ID, ct01_form(), (), key, claim=claim)
        try:
            results.append(services.submit(request, actor=kiosk)[0]["code"])
        except BaseException as error:  # collected and shown below
            errors.append(error)

    keys = [f"kiosk-key-{i:04d}" for i in range(8)] + ["kiosk-key-same"] * 6
    threads = [threading.Thread(target=send, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(results)) == 9  # 8 distinct keys + 1 shared key
    assert sorted(set(results)) == [f"CAXTP-260310-{n:04d}" for n in range(1, 10)]
    assert (count(server, Dossier), count(server, Ticket)) == (9, 9)


# ---- bad input: clear errors, nothing stored --------------------------------------------------------


def test_a_bad_form_names_every_field_and_stores_nothing(server: Server, client: TestClient) -> None:
    form = ct01_form(phone="12345", birth_date="2030-01-01", sex=None, colour="blue")
    answer = submit(client, "kiosk-bad-form-01", [], form=form)
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == "form_invalid"
    fields = {item["field"]: item["code"] for item in body["error"]["details"]["fields"]}
    assert fields == {
        "colour": "unknown_field",
        "birth_date": "future_date",
        "sex": "required",
        "phone": "bad_phone",
    }
    assert all(item["message_vi"] and item["message_en"] for item in body["error"]["details"]["fields"])
    assert "phone" in body["message_en"] and "CT01" in body["message"]
    assert (count(server, Dossier), count(server, Ticket), count(server, DossierSequence)) == (0, 0, 0)
    # Nothing was used up: the next good case is number 1 and takes ticket A001.
    good = submit(client, "kiosk-good-form-01", [])
    assert good.json()["dossier"]["code"].endswith("-0001") and good.json()["ticket"]["number"] == "A001"


def test_the_form_must_be_about_the_scanned_citizen(client: TestClient) -> None:
    answer = submit(client, "kiosk-other-id-01", [], form=ct01_form(personal_id=BINH_ID))
    assert answer.status_code == 422
    assert [f["code"] for f in answer.json()["error"]["details"]["fields"]] == ["not_the_citizen"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"procedure": "9.999999"}, 404, "unknown_procedure"),
        ({"citizen_id": BINH_ID}, 404, "citizen_not_found"),
        ({"citizen_id": "12345678901X"}, 422, "bad_citizen_id"),
        ({"priority": "vip"}, 422, "unknown_priority"),
        ({"idempotency_key": "short"}, 422, "invalid_request"),
        ({"documents": [999]}, 422, "unknown_document"),
    ],
)
def test_bad_submissions_are_refused_clearly(
    server: Server, client: TestClient, change: dict[str, object], status: int, code: str
) -> None:
    body = {
        "procedure": RESIDENCE,
        "citizen_id": NHUNG_ID,
        "form": ct01_form(),
        "documents": [],
        "idempotency_key": "kiosk-bad-0001",
        "claim": register(client)["claim"],
        **change,
    }
    answer = client.post("/api/v1/dossiers", json=body, headers=KIOSK)
    assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    assert answer.json()["message"] and answer.json()["message_en"]
    assert (count(server, Dossier), count(server, Ticket)) == (0, 0)


def test_documents_must_belong_to_the_citizen_and_fit_the_procedure(
    server: Server, client: TestClient
) -> None:
    register(client, BINH_QR)
    foreign = upload(client, "GTCMCHO", personal_id=BINH_ID).json()["id"]
    answer = submit(client, "kiosk-foreign-doc-1", [foreign])
    assert (
        answer.json()["code"] == "document_not_citizens"
        and answer.json()["error"]["details"]["document"] == foreign
    )
    photo = upload(client, "ANH4X6").json()["id"]
    answer = submit(client, "kiosk-wrong-type-1", [photo])
    assert answer.status_code == 422 and answer.json()["code"] == "document_wrong_type"
    first, second = proof_of_residence(client), proof_of_residence(client)
    answer = submit(client, "kiosk-two-of-a-kind", [first, second])
    assert answer.json()["code"] == "document_duplicate"
    assert count(server, Dossier) == 0


def test_a_refused_ticket_leaves_no_dossier(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    offices = config / "offices.toml"
    offices.write_text(
        offices.read_text(encoding="utf-8").replace('sun = ["00:00-24:00"]', "sun = []"), "utf-8"
    )
    sunday = datetime(2026, 3, 15, 3, 0, tzinfo=UTC)
    server = make_server(f"sqlite:///{tmp_path / 'closed.sqlite3'}", ManualClock(sunday), config)
    with client_for(server) as client:
        register(client)
        document = proof_of_residence(client)
        answer = submit(client, "kiosk-sunday-0001", [document])
        assert (answer.status_code, answer.json()["code"]) == (409, "office_closed_hours")
        assert (count(server, Dossier), count(server, Ticket), count(server, DossierSequence)) == (0, 0, 0)
        checklist = client.post(
            "/api/v1/citizens/documents",
            json={"personal_id": NHUNG_ID, "procedure": RESIDENCE},
            headers=KIOSK,
        ).json()
        assert checklist["papers"][0]["status"] == "uploaded"  # not marked as used by a dossier that failed


def test_missing_required_papers_are_listed_not_refused(client: TestClient) -> None:
    answer = submit(client, "kiosk-missing-0001", [])
    assert answer.status_code == 201
    assert [p["type"] for p in answer.json()["dossier"]["missing_papers"]] == ["GTCMCHO"]


# ---- staff actions and the audit trail ---------------------------------------------------------------


def test_the_counter_moves_a_case_through_its_statuses(server: Server, client: TestClient) -> None:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    code = submit(client, "kiosk-flow-000001", []).json()["dossier"]["code"]
    staff = seated(server, client, "canbo1", 1)
    assert client.post("/api/v1/counters/1/open", headers=staff).status_code == 200

    def act(action: str, expected: int = 200, **body: object) -> dict:  # type: ignore[type-arg]
        answer = client.post(f"/api/v1/dossiers/{code}/{action}", json=body or None, headers=staff)
        assert answer.status_code == expected, answer.text
        return answer.json()  # type: ignore[no-any-return]

    requested = act("request-papers", reason="Thiếu giấy tờ chứng minh chỗ ở", papers=["GTCMCHO"])
    assert requested["status"] == "papers_requested" and requested["requested_papers"][0]["type"] == "GTCMCHO"
    assert "receive" in requested["allowed_actions"] and "supply" in requested["allowed_actions"]
    document = proof_of_residence(client)
    supplied = act("supply", documents=[document])
    assert supplied["status"] == "new" and supplied["missing_papers"] == [] and supplied["papers_new"] == 1
    clock.advance(minutes=5)
    received = act("receive")
    assert received["status"] == "received" and received["due_date"] == "2026-03-19"
    assert received["counting_from"] == "2026-03-10" and received["received_at"].startswith(
        "2026-03-10T02:05"
    )
    assert act("process")["status"] == "in_process"
    assert act("request-fee", amount_vnd=20000)["status"] == "fee_requested"
    assert act("pay", note="Biên lai 0012")["status"] == "in_process"
    assert act("finish")["status"] == "done"
    returned = act("return")
    assert returned["status"] == "returned" and returned["status_number"] == 10
    assert returned["allowed_actions"] == []

    events = returned["events"]
    assert [e["action"] for e in events] == [
        "submit",
        "request-papers",
        "supply",
        "receive",
        "process",
        "request-fee",
        "pay",
        "finish",
        "return",
    ]
    assert [(e["from"], e["to"]) for e in events[1:3]] == [
        ("new", "papers_requested"),
        ("papers_requested", "new"),
    ]
    assert events[0]["actor"] == "device:kiosk-1" and events[0]["counter"] is None
    assert all(e["actor"] == "user:canbo1" and e["counter"] == 1 for e in events[1:])
    assert events[1]["reason"] == "Thiếu giấy tờ chứng minh chỗ ở"
    assert events[5]["data"] == {"amount_vnd": 20000} and events[6]["data"] == {"note": "Biên lai 0012"}


def test_an_illegal_change_is_refused_and_changes_nothing(server: Server, client: TestClient) -> None:
    code = submit(client, "kiosk-illegal-0001", []).json()["dossier"]["code"]
    staff = seated(server, client, "canbo2", 2)
    before = client.get(f"/api/v1/dossiers/{code}", headers=staff).json()
    answer = client.post(f"/api/v1/dossiers/{code}/finish", headers=staff)
    assert answer.status_code == 409 and answer.json()["code"] == "illegal_transition"
    assert "Mới" in answer.json()["message"]
    no_reason = client.post(f"/api/v1/dossiers/{code}/refuse", json={"reason": "  "}, headers=staff)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
    unknown = client.post(f"/api/v1/dossiers/{code}/approve", headers=staff)
    assert unknown.status_code == 422
    after = client.get(f"/api/v1/dossiers/{code}", headers=staff).json()
    assert after["status"] == before["status"] == "new" and len(after["events"]) == len(before["events"]) == 1
    with server.ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(DossierEvent)) == 1


def test_receive_twice_is_illegal_and_refuse_needs_a_reason(server: Server, client: TestClient) -> None:
    code = submit(client, "kiosk-twice-00001", []).json()["dossier"]["code"]
    staff = seated(server, client, "canbo1", 1)
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 200
    assert (
        client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).json()["code"] == "illegal_transition"
    )
    other = submit(client, "kiosk-refuse-00001", []).json()["dossier"]["code"]
    refused = client.post(
        f"/api/v1/dossiers/{other}/refuse", json={"reason": "Không thuộc thẩm quyền"}, headers=staff
    )
    assert refused.json()["status"] == "not_received" and refused.json()["reason"] == "Không thuộc thẩm quyền"


def test_who_may_do_what(server: Server, client: TestClient) -> None:
    code = submit(client, "kiosk-roles-00001", []).json()["dossier"]["code"]
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=KIOSK).status_code == 403
    assert client.get(f"/api/v1/dossiers/{code}", headers=KIOSK).status_code == 403
    assert client.get(f"/api/v1/dossiers/{code}").status_code == 401
    assert client.post("/api/v1/dossiers", json={}).status_code in (401, 422)
    staff = seated(server, client, "canbo1", 1)
    assert (
        client.get("/api/v1/dossiers/CAXTP-260310-0999", headers=staff).json()["code"] == "dossier_not_found"
    )
    assert client.get("/api/v1/dossiers/not-a-code", headers=staff).status_code == 404


def test_staff_reads_are_audited_and_lists_filter(server: Server, client: TestClient) -> None:
    from queue_server.tables.citizens import PersonalDataAccess

    answer = submit(client, "kiosk-audit-00001", []).json()
    code, ticket_id = answer["dossier"]["code"], answer["ticket"]["id"]
    staff = seated(server, client, "canbo3", 3)
    assert client.get(f"/api/v1/dossiers/{code}", headers=staff).json()["form"]["phone"] == "0912345678"
    listed = client.get("/api/v1/dossiers", params={"ticket_id": ticket_id}, headers=staff).json()
    assert [d["code"] for d in listed] == [code] and "form" not in listed[0]
    assert client.get("/api/v1/dossiers", params={"status": "done"}, headers=staff).json() == []
    assert client.get("/api/v1/dossiers", params={"status": "bogus"}, headers=staff).status_code == 422
    with server.ctx.db.read() as session:
        rows = list(session.scalars(select(PersonalDataAccess)))
    assert [(r.actor, r.action, r.dossier_code) for r in rows] == [
        ("user:canbo3", "dossier.read", code),
        ("user:canbo3", "dossier.list", code),  # a list shows names: each case listed is a read
    ]
    assert rows[0].route == "GET /api/v1/dossiers/{code}" and rows[1].route == "GET /api/v1/dossiers"


def test_events_tell_codes_and_statuses_never_names(server: Server, client: TestClient) -> None:
    code = submit(client, "kiosk-events-0001", []).json()["dossier"]["code"]
    staff = seated(server, client, "canbo1", 1)
    client.post(f"/api/v1/dossiers/{code}/receive", headers=staff)
    events = client.get("/api/v1/events", params={"since": 0}, headers=staff).json()
    items = events["events"] if isinstance(events, dict) else events
    dossier_events = [e for e in items if e["type"].startswith("dossier.")]
    assert [e["type"] for e in dossier_events] == ["dossier.submitted", "dossier.receive"]
    assert dossier_events[1]["data"]["dossier"] == {
        "code": code,
        "status": "received",
        "procedure": RESIDENCE,
        "ticket_id": 1,
    }
    text = str(items)
    assert "Nhung" not in text and NHUNG_ID not in text


def test_the_receipt_command_prints_and_writes_the_pdf(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from devices.printers.preview import render_pages
    from motcua.cli import main

    # The command opens sealed ID numbers with the same secret as the server (make_server's).
    monkeypatch.setenv("MOTCUA_SECRET", "test-secret-" + "x" * 20)

    url = f"sqlite:///{tmp_path / 'receipt.sqlite3'}"
    server = make_server(url, ManualClock(T0))
    with client_for(server) as client:
        register(client)
        code = submit(client, "kiosk-cli-receipt-1", []).json()["dossier"]["code"]
        common = ["--database-url", url, "--config", str(DEMO_CONFIG)]
        assert main(["receipt", code, "--pdf", str(tmp_path / "r.pdf"), *common]) == 1
        assert "not been received" in capsys.readouterr().err
        client.post(f"/api/v1/dossiers/{code}/receive", headers=seated(server, client, "canbo1", 1))
    thermal = tmp_path / "thermal.bin"
    assert (
        main(["receipt", code, "--printer", f"file://{thermal}", "--pdf", str(tmp_path / "r.pdf"), *common])
        == 0
    )
    assert f"printed receipt {code}" in capsys.readouterr().out
    assert len(render_pages(thermal.read_bytes())) == 1
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert main(["receipt", code, *common]) == 2
