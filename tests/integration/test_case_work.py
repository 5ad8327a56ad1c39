"""The officer's case work over HTTP: checks (who, when, audited), search, the forms Mẫu 02/03/04, late handling,
the due date stopping while papers are requested, forwarding, and the receipt on the counter's printer."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from analytics.alerts import AlertMonitor
from analytics.settings import load_analytics_settings
from queue_server.clock import ManualClock
from queue_server.tables.citizens import PersonalDataAccess
from queue_server.tables.dossiers import DossierEvent
from tests.fixtures.dossiers.helpers import NHUNG_ID, register, seated, submit, upload
from tests.support import KIOSK, Server


def new_case(client: TestClient, key: str) -> str:
    register(client)
    document = upload(client, "GTCMCHO").json()["id"]
    answer = submit(client, key, [document])
    assert answer.status_code == 201, answer.text
    return str(answer.json()["dossier"]["code"])


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return result.stdout


def test_checks_are_stored_with_who_and_when_and_audited(server: Server, client: TestClient) -> None:
    code = new_case(client, "case-work-check-1")
    staff = seated(server, client, "canbo1", 1)
    ticked = client.post(f"/api/v1/dossiers/{code}/checks", json={"subject": "identity"}, headers=staff)
    assert ticked.status_code == 200
    check = ticked.json()["checks"]["identity"]
    assert (check["by"], check["counter"]) == ("user:canbo1", 1) and check["at"].startswith(
        "2026-03-10T02:00"
    )
    again = client.post(f"/api/v1/dossiers/{code}/checks", json={"subject": "identity"}, headers=staff)
    assert again.status_code == 200  # ticking twice changes nothing
    untick = client.post(
        f"/api/v1/dossiers/{code}/checks", json={"subject": "identity", "checked": False}, headers=staff
    )
    assert untick.json()["checks"] == {}
    bad = client.post(f"/api/v1/dossiers/{code}/checks", json={"subject": "HOCHIEU"}, headers=staff)
    assert bad.status_code == 422 and bad.json()["code"] == "bad_check_subject"
    assert (
        client.post(
            f"/api/v1/dossiers/{code}/checks", json={"subject": "identity"}, headers=KIOSK
        ).status_code
        == 403
    )
    with server.ctx.db.read() as session:
        actions = [e.action for e in session.scalars(select(DossierEvent).order_by(DossierEvent.id))]
    assert actions == ["submit", "check", "uncheck"]


def test_search_by_code_or_id_number(server: Server, client: TestClient) -> None:
    code = new_case(client, "case-work-search-1")
    staff = server.login(client, "canbo2")
    by_code = client.get("/api/v1/dossiers/search", params={"q": code.lower()}, headers=staff)
    assert [d["code"] for d in by_code.json()] == [code]
    by_id = client.get("/api/v1/dossiers/search", params={"q": NHUNG_ID}, headers=staff)
    assert [d["code"] for d in by_id.json()] == [code]
    nothing = client.get("/api/v1/dossiers/search", params={"q": "079085009999"}, headers=staff)
    assert nothing.json() == []
    bad = client.get("/api/v1/dossiers/search", params={"q": "Nhung"}, headers=staff)
    assert bad.status_code == 422 and "12 chữ số" in bad.json()["error"]["message_vi"]
    with server.ctx.db.read() as session:
        audited = [a.action for a in session.scalars(select(PersonalDataAccess))]
    assert audited.count("dossier.search") == 2


def test_papers_requested_stop_the_due_date_and_forms_follow(
    server: Server, client: TestClient, tmp_path: Path
) -> None:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    code = new_case(client, "case-work-forms-1")
    staff = seated(server, client, "canbo1", 1)
    received = client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).json()
    assert received["due_date"] == "2026-03-19"  # Tuesday 10 March + 7 working days
    assert client.get(f"/api/v1/dossiers/{code}/forms/02.pdf", headers=staff).status_code == 409
    asked = client.post(
        f"/api/v1/dossiers/{code}/request-papers",
        json={"papers": ["GTQHNT"], "reason": "Thiếu giấy tờ quan hệ"},
        headers=staff,
    )
    assert asked.json()["status"] == "papers_requested"
    form02 = client.get(f"/api/v1/dossiers/{code}/forms/02.pdf", headers=staff)
    text = pdf_text(form02.content, tmp_path)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and "quan hệ nhân thân" in text
    assert "Mẫu số 02" in text and NHUNG_ID not in text
    clock.advance(days=7)  # a week later (5 working days) the papers arrive
    staff = seated(server, client, "canbo1", 1)  # a new day, a new sign-in
    supplied = client.post(f"/api/v1/dossiers/{code}/supply", json={}, headers=staff).json()
    assert supplied["status"] == "in_process" and supplied["due_date"] == "2026-03-26"

    late = client.post(
        f"/api/v1/dossiers/{code}/extend",
        json={"due_date": "2026-04-02", "reason": "Chờ xác minh của cơ quan khác"},
        headers=staff,
    ).json()
    assert (late["due_date"], late["original_due_date"], late["status"]) == (
        "2026-04-02",
        "2026-03-26",
        "in_process",
    )
    earlier = client.post(
        f"/api/v1/dossiers/{code}/extend", json={"due_date": "2026-03-01", "reason": "x"}, headers=staff
    )
    assert earlier.status_code == 422 and earlier.json()["code"] == "bad_due_date"
    form04 = pdf_text(client.get(f"/api/v1/dossiers/{code}/forms/04.pdf", headers=staff).content, tmp_path)
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in form04 and "02/04/2026" in form04
    assert "26/03/2026" in form04 and "Chờ xác minh" in form04


def test_refusal_form_and_bilingual_illegal_action(
    server: Server, client: TestClient, tmp_path: Path
) -> None:
    code = new_case(client, "case-work-refuse-1")
    staff = seated(server, client, "canbo1", 1)
    client.post(f"/api/v1/dossiers/{code}/refuse", json={"reason": "Giấy tờ giả mạo"}, headers=staff)
    form03 = pdf_text(client.get(f"/api/v1/dossiers/{code}/forms/03.pdf", headers=staff).content, tmp_path)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in form03 and "Giấy tờ giả mạo" in form03
    again = client.post(f"/api/v1/dossiers/{code}/receive", headers=staff)
    error = again.json()["error"]
    assert again.status_code == 409
    assert error["message_vi"] == "Không thể tiếp nhận hồ sơ đang ở trạng thái 'Không tiếp nhận'."
    assert error["message_en"] == "Cannot receive a dossier whose status is 'Not received'."
    closed = client.post(f"/api/v1/dossiers/{code}/checks", json={"subject": "identity"}, headers=staff)
    assert closed.json()["code"] == "dossier_closed"


def test_forwarding_needs_a_procedure_accepted_anywhere_and_a_known_office(
    server: Server, client: TestClient
) -> None:
    code = new_case(client, "case-work-forward-1")
    staff = seated(server, client, "canbo1", 1)
    assert "forward" in client.get(f"/api/v1/dossiers/{code}", headers=staff).json()["allowed_actions"]
    same = client.post(f"/api/v1/dossiers/{code}/forward", json={"office": "CAXTP"}, headers=staff)
    assert same.status_code == 422 and same.json()["code"] == "bad_forward_office"
    unknown = client.post(f"/api/v1/dossiers/{code}/forward", json={"office": "NOWHERE"}, headers=staff)
    assert unknown.status_code == 422
    seeds = server.services.cases.catalogue.procedures
    anywhere = {code for code, procedure in seeds.items() if procedure.anywhere}
    assert anywhere == {
        "1.004222",
        "1.004194",
        "XNCT",
        "1.001456",
    }  # residence and exit-entry, not the ID card
    moved = client.post(f"/api/v1/dossiers/{code}/forward", json={"office": "CAXTP "}, headers=staff)
    assert moved.status_code == 422


def test_printing_the_receipt_needs_a_counter_printer(server: Server, client: TestClient) -> None:
    code = new_case(client, "case-work-print-1")
    staff = seated(server, client, "canbo1", 1)
    client.post(f"/api/v1/dossiers/{code}/receive", headers=staff)
    no_printer = client.post(f"/api/v1/dossiers/{code}/receipt/print", headers=staff)  # counter 1 has none
    assert no_printer.status_code == 409 and no_printer.json()["code"] == "no_counter_printer"
    assert "counters.toml" in no_printer.json()["error"]["message_en"]


def test_follow_up_lists_overdue_and_due_soon_cases_with_an_injected_clock(
    server: Server, client: TestClient
) -> None:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    late = new_case(client, "case-work-follow-1")
    soon = new_case(client, "case-work-follow-2")
    staff = seated(server, client, "canbo1", 1)
    client.post(f"/api/v1/dossiers/{late}/receive", headers=staff)  # due 19 March
    clock.advance(days=6)  # Monday 16 March
    staff = seated(server, client, "canbo1", 1)
    client.post(f"/api/v1/dossiers/{soon}/receive", headers=staff)  # due 25 March
    clock.advance(days=4)  # Friday 20 March: the first is a day late
    chief = server.login(client, "giamsat")
    view = client.get("/api/v1/dossiers/follow-up", headers=chief).json()
    assert [row["code"] for row in view["overdue"]] == [late] and view["overdue"][0]["late_days"] == 1
    assert view["on_track"][0]["code"] == soon and view["due_soon"] == []
    clock.advance(days=3)  # Monday 23 March: the second is due on Wednesday → not yet within a working day
    chief = server.login(client, "giamsat")
    clock.advance(days=1)  # Tuesday 24 March: due tomorrow
    chief = server.login(client, "giamsat")
    view = client.get("/api/v1/dossiers/follow-up", headers=chief).json()
    assert [row["code"] for row in view["due_soon"]] == [soon]
    assert server.services.cases.follow_up.overdue_count("CAXTP") == 1
    monitor = AlertMonitor(server.services, load_analytics_settings(server.ctx.config.directory))
    raised = [e for e in monitor.check() if e["type"] == "alert.cases_overdue"]
    assert len(raised) == 1 and raised[0]["data"]["alert"]["overdue"] == 1
    assert "1 hồ sơ đã quá hạn" in raised[0]["data"]["alert"]["message_vi"]
    assert not [e for e in monitor.check() if e["type"] == "alert.cases_overdue"]  # once per episode
    client.post(f"/api/v1/dossiers/{late}/finish", headers=chief)
    client.post(f"/api/v1/dossiers/{soon}/finish", headers=chief)
    view = client.get("/api/v1/dossiers/follow-up", headers=chief).json()
    assert view["on_time"] == {"results": 2, "on_time": 1, "rate": 0.5}
    assert view["overdue"] == [] and view["productivity"][0]["officer"] == "user:canbo1"
    cleared = [e for e in monitor.check() if e["type"] == "alert.cleared"]
    assert [e["data"]["alert"]["kind"] for e in cleared] == ["cases_overdue"]
    assert view["productivity"][0]["received"] == 2 and view["productivity"][0]["target_per_year"] == 800
    other = server.login(client, "canbo2")  # staff see only the cases they received
    assert client.get("/api/v1/dossiers/follow-up", headers=other).json()["productivity"] == []
