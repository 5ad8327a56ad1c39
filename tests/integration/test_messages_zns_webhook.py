"""Zalo ZNS: one tracking_id per message on every attempt, and Zalo's delivery reports (its webhook,
signed as Zalo documents it) turning the message "đã nhận" — once, and never sent again after that.
Through a real server on loopback, the ZNS peer sending the reports; bad calls change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.tables.messages import OutboundMessage
from tests.conftest import T0
from tests.fixtures.messages.helpers import issue_with_phone, office_config, sender_toml
from tests.fixtures.messages.zns_server import APP_ID, OA_SECRET, ZnsTestServer, post_signed, zalo_mac
from tests.support import Server, make_server, running_server

T0_MS = int(T0.timestamp() * 1000)
WEBHOOK_KEYS = (
    f'zns_templates = {{ call = "301001" }}\nzns_app_id = "{APP_ID}"\nzns_oa_secret_key = "{OA_SECRET}"'
)


@pytest.fixture
def zns() -> Iterator[ZnsTestServer]:
    peer = ZnsTestServer()
    yield peer
    peer.stop()


def _server(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch, database_url: str | None = None
) -> Server:
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")  # the test drives the dispatcher
    config = office_config(tmp_path, sender_toml(zns.url, extra=WEBHOOK_KEYS))
    url = database_url or f"sqlite:///{tmp_path / 'w.sqlite3'}"
    return make_server(url, ManualClock(T0), config_dir=config)


def _called_ticket(base: str, server: Server) -> dict[str, Any]:
    with httpx.Client(base_url=base, timeout=30) as client:
        ticket = issue_with_phone(client, "0912345678")
        staff = server.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)
        assert client.post("/api/v1/counters/1/call-next", headers=staff).status_code == 200
    return ticket


def _messages(base: str, server: Server, ticket_id: int) -> list[dict[str, Any]]:
    with httpx.Client(base_url=base, timeout=30) as client:
        staff = server.login(client, "canbo1")
        answer = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=staff)
        assert answer.status_code == 200, answer.text
        rows: list[dict[str, Any]] = answer.json()
        return rows


def _row(server: Server) -> OutboundMessage:
    with server.ctx.db.read() as session:
        (row,) = session.scalars(select(OutboundMessage))
        session.expunge(row)
        return row


def test_a_delivery_report_marks_the_message_received_once(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _server(tmp_path, zns, monkeypatch)
    with running_server(server) as base:
        ticket = _called_ticket(base, server)
        assert MessageDispatcher(server.ctx).run_once() == 1
        (taken,) = zns.taken
        assert [m["status"] for m in _messages(base, server, ticket["id"])] == ["sent"]

        webhook = f"{base}/api/v1/public/zns/events"
        first = zns.report_delivery(webhook, taken, delivery_ms=1773108030000)
        assert first.status_code == 200, first.text
        assert first.json() == {"event": "user_received_message", "matched": True, "status": "delivered"}
        (shown,) = _messages(base, server, ticket["id"])
        assert shown["status"] == "delivered"  # the console shows "đã nhận"
        assert shown["delivered_at"] == "2026-03-10T02:00:30+00:00"  # delivery_time, not the call's time

        again = zns.report_delivery(webhook, taken, delivery_ms=1773108099000)  # Zalo resends until 200
        assert again.status_code == 200 and again.json()["status"] == "delivered"
        assert _messages(base, server, ticket["id"])[0]["delivered_at"] == "2026-03-10T02:00:30+00:00"


def test_every_attempt_carries_one_tracking_id_and_a_message_reported_received_is_not_sent_again(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Zalo takes the message but the answer is an HTTP 502: motcua plans a retry, with the same
    tracking_id. The report of that first attempt arrives before the retry is due: nothing more is sent."""
    server = _server(tmp_path, zns, monkeypatch)
    assert isinstance(server.clock, ManualClock)
    with running_server(server) as base:
        ticket = _called_ticket(base, server)
        zns.after_taking = ["http502"]
        MessageDispatcher(server.ctx).run_once()
        row = _row(server)
        assert (row.status, row.provider_id) == ("pending", None) and "502" in (row.last_error or "")

        (taken,) = zns.taken
        assert taken["tracking_id"] == f"motcua{row.id}"
        answer = zns.report_delivery(f"{base}/api/v1/public/zns/events", taken)
        assert answer.json()["status"] == "delivered"
        server.clock.advance(minutes=10)  # well past the back-off
        assert MessageDispatcher(server.ctx).run_once() == 0
        assert len(zns.requests) == 1 and len(zns.taken) == 1
        (shown,) = _messages(base, server, ticket["id"])
        assert shown["status"] == "delivered" and shown["attempts"] == 1


def test_a_retry_reuses_the_tracking_id_and_a_cut_off_send_is_settled_by_it(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _server(tmp_path, zns, monkeypatch)
    assert isinstance(server.clock, ManualClock)
    with running_server(server) as base:
        ticket = _called_ticket(base, server)
        zns.answers = [-100]  # "unknown error, try again later": not taken
        MessageDispatcher(server.ctx).run_once()
        server.clock.advance(seconds=30)
        zns.after_taking = ["drop"]  # taken, then the connection drops: motcua cannot know
        MessageDispatcher(server.ctx).run_once()
        assert [r["tracking_id"] for r in zns.requests] == [f"motcua{_row(server).id}"] * 2
        assert _row(server).status == "unconfirmed"  # never sent again on a guess
        server.clock.advance(minutes=10)
        assert MessageDispatcher(server.ctx).run_once() == 0

        (taken,) = zns.taken
        now_ms = int(server.clock().timestamp() * 1000)  # Zalo calls now, about a delivery of before
        answer = zns.report_delivery(f"{base}/api/v1/public/zns/events", taken, sent_ms=now_ms)
        assert answer.json() == {"event": "user_received_message", "matched": True, "status": "delivered"}
        (shown,) = _messages(base, server, ticket["id"])
        assert (shown["status"], shown["attempts"]) == ("delivered", 2)
        assert _row(server).provider_id == taken["msg_id"]


def test_bad_webhook_calls_get_a_clear_4xx_and_change_nothing(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    server = _server(tmp_path, zns, monkeypatch, database_url)
    with running_server(server) as base:
        _called_ticket(base, server)
        MessageDispatcher(server.ctx).run_once()
        (taken,) = zns.taken
        webhook = f"{base}/api/v1/public/zns/events"
        good: dict[str, Any] = {
            "sender": {"id": "2893352839501541173"},
            "recipient": {"id": taken["phone"]},
            "event_name": "user_received_message",
            "message": {
                "delivery_time": "1773108030000",
                "msg_id": taken["msg_id"],
                "tracking_id": taken["tracking_id"],
            },
            "app_id": APP_ID,
            "timestamp": "1773108030250",
        }
        body = json.dumps(good).encode()
        signature = zalo_mac(APP_ID, body, "1773108030250", OA_SECRET)

        def raw(content: bytes, sig: str | None) -> httpx.Response:
            headers = {"Content-Type": "application/json"} | ({"X-ZEvent-Signature": sig} if sig else {})
            return httpx.post(webhook, content=content, headers=headers, timeout=30)

        cases: list[tuple[str, httpx.Response, int, str]] = [
            ("not JSON", raw(b"{not json", signature), 400, "zns_not_json"),
            ("a list", raw(b"[1, 2]", signature), 400, "zns_not_object"),
            ("no app_id", raw(json.dumps({**good, "app_id": ""}).encode(), signature), 400, "zns_fields_missing"),
            ("timestamp not in ms", post_signed(webhook, {**good, "timestamp": "2026-03-10T02:00"}), 400, "zns_bad_timestamp"),
            ("sent 5 min 1 s ago", post_signed(webhook, {**good, "timestamp": str(T0_MS - 301_000)}), 401, "zns_stale"),
            ("sent 5 min 1 s ahead", post_signed(webhook, {**good, "timestamp": str(T0_MS + 301_000)}), 401, "zns_stale"),
            ("no signature", raw(body, None), 401, "zns_not_signed"),
            ("wrong signature", raw(body, "mac=" + "0" * 64), 401, "zns_not_signed"),
            ("signed with another key", post_signed(webhook, good, secret="someone-else-key"), 401, "zns_not_signed"),
            ("body changed after signing", raw(body.replace(b"1773108030000", b"1773108039999"), signature), 401, "zns_not_signed"),
            ("another app", post_signed(webhook, {**good, "app_id": "999"}), 401, "zns_not_signed"),
            ("no message", post_signed(webhook, {**good, "message": "x"}), 422, "zns_no_message"),
            ("no tracking_id", post_signed(webhook, {**good, "message": {"msg_id": "m", "delivery_time": "1"}}), 422, "zns_fields_missing"),
            ("bad delivery_time", post_signed(webhook, {**good, "message": {**good["message"], "delivery_time": "soon"}}), 422, "zns_bad_delivery_time"),
        ]  # fmt: skip
        for what, answer, status, code in cases:
            assert (answer.status_code, answer.json()["code"]) == (status, code), (what, answer.text)
            assert answer.json()["message"]  # a sentence saying what is wrong
        assert _row(server).status == "sent" and _row(server).delivered_at is None

        # Signed, but not about one of our messages, or another kind of event: acknowledged, nothing changes.
        foreign = {**good, "message": {**good["message"], "tracking_id": "order88213", "msg_id": "other"}}
        assert post_signed(webhook, foreign).json() == {
            "event": "user_received_message",
            "matched": False,
            "status": None,
        }
        liar = {**good, "message": {**good["message"], "msg_id": "not-the-one-zalo-gave"}}
        assert post_signed(webhook, liar).json()["matched"] is False
        seen = post_signed(webhook, {**good, "event_name": "change_template_status"})
        assert seen.status_code == 200 and seen.json()["matched"] is False
        assert _row(server).status == "sent"
        edge = {**good, "timestamp": str(T0_MS - 300_000)}  # exactly 5 minutes old: still taken
        assert post_signed(webhook, edge).json()["status"] == "delivered"  # the good one still works


def test_a_captured_report_played_back_changes_nothing(
    tmp_path: Path, zns: ZnsTestServer, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """The same signed call again: at once it is acknowledged and changes nothing (Zalo resends until it
    gets a 200); more than 5 minutes after its timestamp it is refused, and still changes nothing."""
    server = _server(tmp_path, zns, monkeypatch, database_url)
    assert isinstance(server.clock, ManualClock)
    with running_server(server) as base:
        ticket = _called_ticket(base, server)
        MessageDispatcher(server.ctx).run_once()
        (taken,) = zns.taken
        webhook = f"{base}/api/v1/public/zns/events"
        event: dict[str, Any] = {
            "sender": {"id": "2893352839501541173"},
            "recipient": {"id": taken["phone"]},
            "event_name": "user_received_message",
            "message": {"delivery_time": "1773108030000", "msg_id": taken["msg_id"], "tracking_id": taken["tracking_id"]},
            "app_id": APP_ID,
            "timestamp": str(T0_MS + 31_000),
        }  # fmt: skip
        body = json.dumps(event).encode()
        headers = {
            "Content-Type": "application/json",
            "X-ZEvent-Signature": zalo_mac(APP_ID, body, event["timestamp"], OA_SECRET),
        }

        def replay() -> httpx.Response:
            return httpx.post(webhook, content=body, headers=headers, timeout=30)

        first = replay()
        assert first.json() == {"event": "user_received_message", "matched": True, "status": "delivered"}
        applied = _row(server)
        server.clock.advance(minutes=2)
        again = replay()
        assert again.status_code == 200 and again.json()["status"] == "delivered"
        server.clock.advance(minutes=4)  # now 5 min 29 s after the call's timestamp
        late = replay()
        assert (late.status_code, late.json()["code"]) == (401, "zns_stale"), late.text
        assert "lệch quá 5 phút" in late.json()["message"] and "5 minutes" in late.json()["message_en"]
        row = _row(server)
        assert (row.status, row.delivered_at, row.provider_id) == (
            "delivered",
            applied.delivered_at,
            applied.provider_id,
        )
        (shown,) = _messages(base, server, ticket["id"])
        assert (shown["status"], shown["attempts"]) == ("delivered", 1)
