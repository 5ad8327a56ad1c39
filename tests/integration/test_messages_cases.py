"""Case changes, appointments and the day-before / overdue schedule become messages; the purge empties
the numbers. The gateway here is the fake sender (the protocol peers have their own tests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.messages.fake import FakeMessageSender
from queue_server.tables.messages import MessageContact, OutboundMessage
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import page_jpeg, register, submit, upload
from tests.fixtures.messages.helpers import office_config, sender_toml
from tests.support import KIOSK, Server, client_for, make_server


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")
    config = office_config(tmp_path, sender_toml("fake://"))
    return make_server(f"sqlite:///{tmp_path / 'c.sqlite3'}", ManualClock(T0), config_dir=config)


def _kinds(server: Server) -> list[str]:
    with server.ctx.db.read() as session:
        return [row.kind for row in session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]


def test_case_changes_reach_the_citizen_with_the_missing_papers_named(server: Server) -> None:
    fake = FakeMessageSender()
    dispatcher = MessageDispatcher(server.ctx, senders={"CAXTP": fake})
    with client_for(server) as client:
        register(client)
        proof = upload(client, "GTCMCHO").json()["id"]
        consent = upload(client, "VBDONGY", [("c.jpg", page_jpeg("đồng ý", 5), "image/jpeg")]).json()["id"]
        answer = submit(client, "kiosk-case-msg-01", [proof, consent]).json()
        code, ticket = answer["dossier"]["code"], answer["ticket"]
        client.post(
            f"/api/v1/tickets/{ticket['id']}/contact",
            json={"phone": "0912345678", "consent": True},
            headers=KIOSK,
        )
        staff = server.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)  # case actions need a seat in the office
        asked = client.post(
            f"/api/v1/dossiers/{code}/request-papers",
            json={"reason": "thiếu giấy", "papers": ["GTCMCHO", "VBDONGY"]},
            headers=staff,
        )
        assert asked.status_code == 200, asked.text
        assert client.post(f"/api/v1/dossiers/{code}/supply", json={}, headers=staff).status_code == 200
        assert client.post(f"/api/v1/dossiers/{code}/receive", json={}, headers=staff).status_code == 200
        assert _kinds(server) == ["case_papers_requested", "case_received"]
        dispatcher.run_once()
        papers, received = (m.text for m in fake.sent)
        assert papers.startswith(f"Công an xã Tân Phú: hồ sơ {code} của Ông/Bà cần bổ sung: ")
        assert "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp, Văn bản đồng ý của chủ hộ" in papers
        assert received.startswith(f"Công an xã Tân Phú: hồ sơ {code} của Ông/Bà đã được tiếp nhận.")
        due = client.get(f"/api/v1/dossiers/{code}", headers=staff).json()["due_date"]
        day = due.split("-")
        assert f"Ngày hẹn trả kết quả: {day[2]}/{day[1]}/{day[0]}." in received
        for text in (papers, received):  # no ID number, no name, no address in any message
            assert "001" not in text.replace(code, "") and "Nhung" not in text and "Hà Nội" not in text

        # Past the due date and still not settled: one apology, however often the schedule runs.
        assert isinstance(server.clock, ManualClock)
        server.clock.advance(days=40)
        dispatcher.run_once()
        dispatcher = MessageDispatcher(server.ctx, senders={"CAXTP": fake})  # a restart plans again
        dispatcher.run_once()
        assert _kinds(server).count("case_overdue") == 1
        assert "chúng tôi xin lỗi Ông/Bà, hồ sơ" in fake.sent[-1].text

        staff = server.login(client, "canbo1")  # weeks later
        assert client.post(f"/api/v1/dossiers/{code}/process", json={}, headers=staff).status_code == 200
        assert client.post(f"/api/v1/dossiers/{code}/finish", json={}, headers=staff).status_code == 200
        dispatcher.run_once()
        assert (
            fake.sent[-1].text
            == f"Công an xã Tân Phú: hồ sơ {code} của Ông/Bà đã có kết quả. Mời Ông/Bà đến nhận."
        )


def test_purge_empties_old_numbers_and_cancels_what_was_not_sent(server: Server) -> None:
    fake = FakeMessageSender(down=True)
    dispatcher = MessageDispatcher(server.ctx, senders={"CAXTP": fake})
    with client_for(server) as client:
        ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        client.post(
            f"/api/v1/tickets/{ticket['id']}/contact",
            json={"phone": "0912345678", "consent": True},
            headers=KIOSK,
        )
        staff = server.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)
        client.post("/api/v1/counters/1/call-next", headers=staff)
    dispatcher.run_once()  # the gateway is down: the call waits to be retried
    assert isinstance(server.clock, ManualClock)
    server.clock.advance(days=400)
    report = server.services.cases.purge.purge(older_than_days=365)
    assert report.contacts == 1
    with server.ctx.db.read() as session:
        contact = session.scalars(select(MessageContact)).one()
        message = session.scalars(select(OutboundMessage)).one()
    assert contact.address is None and contact.purged_at == server.clock()
    assert (message.status, message.kind) == ("cancelled", "call")
    fake.down = False
    dispatcher.run_once()
    assert fake.sent == []
