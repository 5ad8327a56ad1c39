"""Messages through the outbox to a real SMPP peer on loopback: planned in the event's transaction, sent
once, retried while the gateway is down or throttling, delivery receipts recorded, never sent twice
after the sender dies between the gateway and its status write."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from queue_server.app import build_context
from queue_server.clock import ManualClock, system_clock
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.tables.messages import OutboundMessage
from tests.conftest import T0
from tests.fixtures.messages.helpers import issue, issue_with_phone, office_config, sender_toml
from tests.fixtures.messages.smpp_server import ESME_RINVDSTADR, ESME_RSYSERR, ESME_RTHROTTLED, SmppTestServer
from tests.support import Server, client_for, make_server, wait_for


@pytest.fixture
def smsc() -> Iterator[SmppTestServer]:
    server = SmppTestServer()
    yield server
    server.stop()


@pytest.fixture
def setup(
    tmp_path: Path, smsc: SmppTestServer, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[tuple[Server, TestClient, MessageDispatcher]]:
    """On SQLite and on PostgreSQL: the planner's insert-or-nothing and the claims differ per dialect."""
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")  # the test drives the dispatcher itself
    config = office_config(tmp_path, sender_toml(smsc.url))
    server = make_server(database_url, ManualClock(T0), config_dir=config)
    dispatcher = MessageDispatcher(server.ctx)
    with client_for(server) as client:
        yield server, client, dispatcher
    dispatcher.close()


def _statuses(server: Server) -> dict[str, str]:
    with server.ctx.db.read() as session:
        return {
            row.kind + ":" + str(row.ticket_id): row.status
            for row in session.scalars(select(OutboundMessage))
        }


def _call_next(client: TestClient, staff: dict[str, str]) -> dict[str, object]:
    answer = client.post("/api/v1/counters/1/call-next", headers=staff)
    assert answer.status_code == 200, answer.text
    called: dict[str, object] = answer.json()
    return called


def test_call_and_near_messages_reach_the_smsc_once_with_receipts(
    setup: tuple[Server, TestClient, MessageDispatcher], smsc: SmppTestServer
) -> None:
    server, client, dispatcher = setup
    first = issue_with_phone(client, "0912345678")
    for _ in range(2):
        issue(client)
    fourth = issue_with_phone(client, "+84 987 654 321")  # three ahead of it: no "sắp đến lượt" yet
    with server.ctx.db.read() as session:
        assert session.scalar(select(func.count(OutboundMessage.id))) == 0  # issuing plans nothing
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    called = _call_next(client, staff)
    assert called["id"] == first["id"]
    # The call, planned in the call's own transaction; the fourth now has two ahead (notify_ahead = 2).
    assert _statuses(server) == {f"call:{first['id']}": "pending", f"near:{fourth['id']}": "pending"}

    assert dispatcher.run_once() == 2
    texts = smsc.texts()
    assert f"mời Ông/Bà có số {first['number']} đến quầy 1." in texts[0]
    assert texts[0].startswith("Công an xã Tân Phú")
    assert "sắp đến lượt (còn 2 người phía trước)" in texts[1] and fourth["number"] in texts[1]
    assert [s.destination for s in smsc.submitted] == ["84912345678", "84987654321"]
    assert {s.data_coding for s in smsc.submitted} == {8}  # UCS-2: the diacritics arrive intact
    assert all(s.source == "UBND-TP" for s in smsc.submitted)

    # Delivery receipts come back as deliver_sm; the next pass records them.
    assert wait_for(lambda: (dispatcher.poll_receipts(), set(_statuses(server).values()))[1] == {"delivered"})
    shown = client.get(f"/api/v1/tickets/{first['id']}/messages", headers=staff).json()
    assert shown[0]["status"] == "delivered" and shown[0]["to"] == "…678" and shown[0]["channel"] == "sms"
    assert "0912345678" not in str(shown)

    # Calling again moves the line: the fourth is not told twice, the first is not called twice.
    _call_next(client, staff)
    _call_next(client, staff)
    dispatcher.run_once()
    assert len(smsc.submitted) == 2


def test_gateway_down_then_throttling_is_retried_with_back_off_and_nothing_is_lost(
    setup: tuple[Server, TestClient, MessageDispatcher], smsc: SmppTestServer
) -> None:
    server, client, dispatcher = setup
    clock = server.clock
    assert isinstance(clock, ManualClock)
    ticket = issue_with_phone(client, "0912345678")
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    _call_next(client, staff)

    smsc.stop()  # the gateway is down
    dispatcher.run_once()
    with server.ctx.db.read() as session:
        row = session.scalars(select(OutboundMessage)).one()
    assert row.status == "pending" and row.attempts == 1 and "unreachable" in (row.last_error or "")
    assert row.next_attempt_at == T0 + timedelta(seconds=10)
    assert dispatcher.run_once() == 0  # not due yet: the back-off holds

    back = SmppTestServer()  # the gateway is back (on its own port) and throttles once, then fails once
    back.errors = [ESME_RTHROTTLED, ESME_RSYSERR]
    try:
        dispatcher.senders["CAXTP"].port = back.port  # type: ignore[attr-defined]
        clock.advance(seconds=10)
        dispatcher.run_once()
        clock.advance(seconds=20)
        dispatcher.run_once()
        with server.ctx.db.read() as session:
            row = session.scalars(select(OutboundMessage)).one()
        assert row.status == "pending" and row.attempts == 3 and "0x00000008" in (row.last_error or "")
        assert row.next_attempt_at == clock() + timedelta(seconds=40)
        clock.advance(seconds=40)
        dispatcher.run_once()
        assert back.texts() == [f"Công an xã Tân Phú: mời Ông/Bà có số {ticket['number']} đến quầy 1."]
        assert _statuses(server) == {f"call:{ticket['id']}": "sent"} or set(_statuses(server).values()) == {
            "delivered"
        }
    finally:
        back.stop()


def test_a_refused_number_fails_for_good_and_the_rest_still_go(
    setup: tuple[Server, TestClient, MessageDispatcher], smsc: SmppTestServer
) -> None:
    server, client, dispatcher = setup
    smsc.errors = [ESME_RINVDSTADR]
    first = issue_with_phone(client, "0912345678")
    second = issue_with_phone(client, "0987654321")
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    _call_next(client, staff)
    _call_next(client, staff)
    dispatcher.run_once()
    statuses = _statuses(server)
    assert statuses[f"call:{first['id']}"] == "failed"
    assert statuses[f"call:{second['id']}"] in ("sent", "delivered")
    with server.ctx.db.read() as session:
        failed = session.scalars(select(OutboundMessage).where(OutboundMessage.status == "failed")).one()
    assert "0x0000000B" in (failed.last_error or "") and failed.attempts == 1


class Killed(BaseException):
    """The sender process dies (not an error it could catch)."""


def test_a_sender_killed_between_gateway_and_status_write_never_sends_it_again(
    tmp_path: Path, smsc: SmppTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")
    config = office_config(tmp_path, sender_toml(smsc.url))
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    server = make_server(url, ManualClock(T0), config_dir=config)
    with client_for(server) as client:
        first = issue_with_phone(client, "0912345678")
        second = issue_with_phone(client, "0987654321")
        staff = server.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)
        _call_next(client, staff)
        _call_next(client, staff)

    def die(_: object) -> None:
        raise Killed

    doomed = MessageDispatcher(server.ctx, after_handover=die)
    with pytest.raises(Killed):
        doomed.run_once()  # the first message reached the SMSC; its "sent" was never written
    assert len(smsc.submitted) == 1
    server.ctx.db.dispose()

    # motcua starts again on the same database file.
    clock = ManualClock(T0 + timedelta(seconds=5))
    again = build_context(server.ctx.settings, clock)
    fresh = MessageDispatcher(again)
    fresh.run_once()  # the claim is younger than the lease: left alone; the others go (nothing lost)
    to_first = [s for s in smsc.submitted if s.destination == "84912345678"]
    to_second = [s.text for s in smsc.submitted if s.destination == "84987654321"]
    assert len(to_first) == 1 and len(to_second) == 2  # the second's "sắp đến lượt" and its call
    clock.advance(seconds=60)
    fresh.run_once()
    fresh.run_once()
    assert len(smsc.submitted) == 3  # the cut-off message is never sent a second time
    statuses = _statuses(Server(again, server.services, server.app, clock))
    assert statuses[f"call:{first['id']}"] == "unconfirmed"
    assert statuses[f"call:{second['id']}"] in ("sent", "delivered")
    fresh.close()
    doomed.close()


def test_the_running_server_sends_by_itself_right_after_the_call(
    tmp_path: Path, smsc: SmppTestServer
) -> None:
    """No test-driven dispatcher: the app's own background sender, woken by the call's event."""
    config = office_config(tmp_path, sender_toml(smsc.url))
    server = make_server(f"sqlite:///{tmp_path / 'live.sqlite3'}", system_clock, config_dir=config)
    with client_for(server) as client:
        ticket = issue_with_phone(client, "0912345678")
        staff = server.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)
        _call_next(client, staff)
        assert wait_for(lambda: len(smsc.submitted) == 1, seconds=10)
        assert ticket["number"] in smsc.submitted[0].text
        assert wait_for(
            lambda: (
                client.get(f"/api/v1/tickets/{ticket['id']}/messages", headers=staff).json()[0]["status"]
                == "delivered"
            ),
            seconds=10,
        )


def test_motcua_messages_send_killed_mid_send_never_sends_twice(
    tmp_path: Path, smsc: SmppTestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `motcua messages send` process, killed (SIGKILL) while the SMSC holds the answer to its
    submit_sm: the message reached the gateway, its status was never written. A new process sends the
    rest and never that one again."""
    import os
    import signal
    import subprocess
    import sys

    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")  # the web server here plans; the CLI sends
    config = office_config(tmp_path, sender_toml(smsc.url))
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    server = make_server(url, system_clock, config_dir=config)
    with client_for(server) as client:
        first = issue_with_phone(client, "0912345678")
        issue_with_phone(client, "0987654321")
        staff = server.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)
        _call_next(client, staff)
    server.ctx.db.dispose()
    env = {**os.environ, "MOTCUA_DATABASE_URL": url, "MOTCUA_CONFIG_DIR": str(config)}
    command = [sys.executable, "-m", "motcua", "messages", "send"]
    smsc.hold.clear()  # the SMSC takes the submit_sm and keeps its answer back
    sender = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: smsc.pending >= 1, seconds=30)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(timeout=10)
    finally:
        if sender.poll() is None:
            sender.kill()
    smsc.hold.set()
    assert wait_for(lambda: len(smsc.submitted) == 1)  # it did reach the gateway
    with build_context(server.ctx.settings, system_clock).db.read() as session:
        assert {row.kind: row.status for row in session.scalars(select(OutboundMessage))} == {
            "call": "sending",
            "near": "pending",
        }
    # motcua starts again (lease 30 s in this config: look as if it has passed).
    later = ManualClock(system_clock() + timedelta(seconds=31))
    again = build_context(server.ctx.settings, later)
    fresh = MessageDispatcher(again)
    fresh.run_once()
    fresh.run_once()
    fresh.close()
    texts = smsc.texts()
    assert len(texts) == 2 and sum(first["number"] in t for t in texts) == 1  # the call: once
    with again.db.read() as session:
        statuses = {row.kind: row.status for row in session.scalars(select(OutboundMessage))}
    assert statuses["call"] == "unconfirmed" and statuses["near"] in ("sent", "delivered")
