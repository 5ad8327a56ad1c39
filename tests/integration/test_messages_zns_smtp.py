"""Zalo ZNS over HTTP and e-mail over SMTP, each against a real peer on loopback, through the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.messages.zalo import PERMANENT_ERRORS
from queue_server.tables.messages import OutboundMessage
from tests.conftest import T0
from tests.fixtures.messages.helpers import issue_with_phone, office_config, sender_toml
from tests.fixtures.messages.zns_server import ZnsTestServer
from tests.support import KIOSK, Server, client_for, free_port, make_server

ZNS_TEMPLATES = 'zns_templates = { call = "301001", near = "301002" }'


@pytest.fixture
def zns() -> Iterator[ZnsTestServer]:
    peer = ZnsTestServer()
    yield peer
    peer.stop()


def _server(tmp_path: Path, toml: str, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")
    config = office_config(tmp_path, toml)
    return make_server(f"sqlite:///{tmp_path / 'z.sqlite3'}", ManualClock(T0), config_dir=config)


def _call_tickets(server: Server, client: TestClient, count: int) -> None:
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    for _ in range(count):
        assert client.post("/api/v1/counters/1/call-next", headers=staff).status_code == 200


def _rows(server: Server) -> list[OutboundMessage]:
    with server.ctx.db.read() as session:
        return list(session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def test_zns_request_has_the_documented_shape_and_success_is_recorded(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _server(tmp_path, sender_toml(zns.url, extra=ZNS_TEMPLATES, notify_ahead=1), monkeypatch)
    with client_for(server) as client:
        ticket = issue_with_phone(client, "0912345678")
        _call_tickets(server, client, 1)
    dispatcher = MessageDispatcher(server.ctx)
    assert dispatcher.run_once() == 1
    assert zns.problems == []
    (request,) = zns.requests
    assert request["phone"] == "84912345678" and request["template_id"] == "301001"
    assert request["template_data"] == {"number": ticket["number"], "counter": "1"}
    (row,) = _rows(server)
    assert request["tracking_id"] == f"motcua{row.id}"  # the row's own: plain, at most 48 characters
    assert (row.status, row.provider_id, row.channel) == ("sent", "zns-1", "zalo")


@pytest.mark.parametrize("code", [-100, *sorted(PERMANENT_ERRORS)])
def test_each_documented_zns_error_is_retried_or_failed_as_documented(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    server = _server(tmp_path, sender_toml(zns.url, extra=ZNS_TEMPLATES), monkeypatch)
    with client_for(server) as client:
        issue_with_phone(client, "0912345678")
        _call_tickets(server, client, 1)
    zns.answers = [code]
    MessageDispatcher(server.ctx).run_once()
    (row,) = _rows(server)
    assert str(code) in (row.last_error or "")
    assert row.status == ("failed" if code in PERMANENT_ERRORS else "pending")
    if code == -100:  # unknown error: tried again after the back-off, then it goes
        assert isinstance(server.clock, ManualClock)
        server.clock.advance(seconds=10)
        MessageDispatcher(server.ctx).run_once()
        assert _rows(server)[0].status == "sent" and len(zns.requests) == 2


def test_zns_overloaded_http_is_retried(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _server(tmp_path, sender_toml(zns.url, extra=ZNS_TEMPLATES), monkeypatch)
    with client_for(server) as client:
        issue_with_phone(client, "0912345678")
        _call_tickets(server, client, 1)
    zns.http_status = [503]
    MessageDispatcher(server.ctx).run_once()
    assert _rows(server)[0].status == "pending" and "503" in (_rows(server)[0].last_error or "")


class Inbox:
    def __init__(self) -> None:
        self.mails: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mails.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


def test_email_over_smtp_in_vietnamese_or_unaccented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        url = f"smtp://127.0.0.1:{port}?from=motcua@caxtp.gov.vn"
        server = _server(tmp_path, sender_toml(url, unaccented=True), monkeypatch)
        with client_for(server) as client:
            ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
            answer = client.post(
                f"/api/v1/tickets/{ticket['id']}/contact",
                json={"email": "cong.dan@example.vn", "consent": True},
                headers=KIOSK,
            )
            assert answer.status_code == 201
            _call_tickets(server, client, 1)
        MessageDispatcher(server.ctx).run_once()
        ((recipients, mail),) = inbox.mails
        assert recipients == ["cong.dan@example.vn"]
        assert mail["Subject"] == "Moi Ong/Ba den quay"
        assert (
            mail.get_content().strip()
            == f"Cong an xa Tan Phu: moi Ong/Ba co so {ticket['number']} den quay 1."
        )
        assert _rows(server)[0].status == "sent"
    finally:
        controller.stop()


def test_contact_needs_consent_and_a_real_mobile_number(client: TestClient) -> None:
    ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
    path = f"/api/v1/tickets/{ticket['id']}/contact"
    refused = client.post(path, json={"phone": "0912345678", "consent": False}, headers=KIOSK)
    assert refused.status_code == 422 and "đồng ý" in refused.text
    bad = client.post(path, json={"phone": "12345", "consent": True}, headers=KIOSK)
    assert bad.status_code == 422 and "Số điện thoại" in bad.text
    assert client.post(path, json={"phone": "0912345678", "consent": True}).status_code == 401
    assert (
        client.post(
            "/api/v1/tickets/999/contact", json={"phone": "0912345678", "consent": True}, headers=KIOSK
        ).status_code
        == 404
    )
