"""A kiosk's "Gọi cán bộ hỗ trợ" through the HTTP API, on SQLite and PostgreSQL: one open call per kiosk,
presses in a burst told once, the event stream, "Đã đến hỗ trợ", and each office seeing only its own."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from queue_server.clock import ManualClock
from queue_server.tables.events import EventLog
from queue_server.tables.kiosk_help import HelpCall
from tests.conftest import FIXTURES, T0
from tests.support import DISPLAY, KIOSK, PASSWORD, Server, client_for, make_server, running_server


@pytest.fixture
def server(database_url: str) -> Server:
    return make_server(database_url, ManualClock(T0))


def help_events(server: Server) -> list[tuple[str, dict[str, Any]]]:
    with server.ctx.db.read() as session:
        rows = session.scalars(
            select(EventLog).where(EventLog.type.like("kiosk.help%")).order_by(EventLog.seq)
        )
        return [(row.type, row.data["help"]) for row in rows]


def test_a_press_opens_one_call_and_a_burst_of_presses_alerts_once(server: Server) -> None:
    clock: ManualClock = server.clock  # type: ignore[assignment]
    with client_for(server) as client:
        staff = server.login(client, "canbo1")
        first = client.post("/api/v1/kiosk/help", headers=KIOSK)
        assert first.status_code == 200, first.text
        call = first.json()
        assert (call["kiosk"], call["office"], call["presses"], call["outcome"]) == (
            "kiosk-1",
            "CAXTP",
            1,
            "new",
        )
        for _ in range(5):  # an anxious citizen taps again and again
            clock.advance(seconds=2)
            again = client.post("/api/v1/kiosk/help", headers=KIOSK).json()
            assert (again["id"], again["outcome"]) == (call["id"], "absorbed")
        assert again["presses"] == 6
        assert [kind for kind, _ in help_events(server)] == ["kiosk.help_requested"]
        clock.advance(seconds=60)  # still nobody: a late press tells the staff again
        late = client.post("/api/v1/kiosk/help", headers=KIOSK).json()
        assert (late["id"], late["outcome"]) == (call["id"], "remind")

        listed = client.get("/api/v1/kiosk-help", headers=staff)
        assert listed.status_code == 200 and [c["id"] for c in listed.json()] == [call["id"]]
        assert listed.json()[0]["requested_at"].startswith("2026-03-10T02:00:00")

        answered = client.post(f"/api/v1/kiosk-help/{call['id']}/answer", headers=staff)
        assert answered.status_code == 200, answered.text
        assert answered.json()["staff"] == "canbo1" and answered.json()["answered_at"]
        assert client.get("/api/v1/kiosk-help", headers=staff).json() == []
        # A second "Đã đến hỗ trợ" (two officers at once) changes nothing and says who went.
        twice = client.post(f"/api/v1/kiosk-help/{call['id']}/answer", headers=server.login(client, "canbo2"))
        assert twice.status_code == 200 and twice.json()["staff"] == "canbo1"
        # The kiosk learns someone went, not who.
        mine = client.get("/api/v1/kiosk/help", headers=KIOSK).json()
        assert mine["answered_at"] and mine["staff"] is None and mine["staff_name"] is None
        # The next press is a new call.
        assert client.post("/api/v1/kiosk/help", headers=KIOSK).json()["id"] != call["id"]
    kinds = [kind for kind, _ in help_events(server)]
    assert kinds == [
        "kiosk.help_requested",
        "kiosk.help_requested",
        "kiosk.help_answered",
        "kiosk.help_requested",
    ]


def test_who_may_press_list_and_answer(server: Server) -> None:
    with client_for(server) as client:
        assert client.post("/api/v1/kiosk/help").status_code == 401
        assert client.post("/api/v1/kiosk/help", headers=DISPLAY).status_code == 403
        staff = server.login(client, "canbo1")
        assert client.post("/api/v1/kiosk/help", headers=staff).status_code == 403  # a person is no kiosk
        assert client.get("/api/v1/kiosk-help", headers=KIOSK).status_code == 403
        assert client.get("/api/v1/kiosk/help", headers=KIOSK).status_code == 204
        missing = client.post("/api/v1/kiosk-help/999/answer", headers=staff)
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "help_call_not_found"
        assert client.post("/api/v1/kiosk-help/0/answer", headers=staff).status_code == 422


def test_the_event_stream_tells_staff_who_went_and_the_hall_only_that_someone_did(server: Server) -> None:
    with client_for(server) as client:
        staff = server.login(client, "canbo1")
        call = client.post("/api/v1/kiosk/help", headers=KIOSK).json()
        client.post(f"/api/v1/kiosk-help/{call['id']}/answer", headers=staff)
        for_staff = [
            e for e in client.get("/api/v1/events", headers=staff).json() if e["type"].startswith("kiosk.")
        ]
        for_board = [
            e for e in client.get("/api/v1/events", headers=DISPLAY).json() if e["type"].startswith("kiosk.")
        ]
    assert [e["type"] for e in for_staff] == ["kiosk.help_requested", "kiosk.help_answered"]
    assert for_staff[1]["data"]["help"]["staff"] == "canbo1"
    assert "staff" not in for_board[1]["data"]["help"] and for_board[1]["data"]["help"]["kiosk"] == "kiosk-1"


def test_racing_presses_of_one_kiosk_make_one_call(server: Server) -> None:
    """Eight presses at once (a real server, real threads): one open call, every press counted."""
    with running_server(server) as base, ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: httpx.post(f"{base}/api/v1/kiosk/help", headers=KIOSK), range(8)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.json()["id"] for a in answers}) == 1
    with server.ctx.db.read() as session:
        assert session.scalar(select(func.count()).select_from(HelpCall)) == 1
        assert session.scalar(select(HelpCall.presses)) == 8
    assert len(help_events(server)) == 1


def test_each_office_sees_its_own_kiosks(sqlite_url: str) -> None:
    server = make_server(sqlite_url, ManualClock(T0), config_dir=FIXTURES / "config" / "province")
    auth = server.services.auth
    auth.add_user(username="canbo.ab", role="staff", password=PASSWORD, office="CAXAB")
    auth.add_user(username="canbo.bm", role="staff", password=PASSWORD, office="CAXBM")
    auth.add_user(username="giamsat.tinh", role="supervisor", password=PASSWORD, office="CATTN")
    auth.add_device(name="kiosk-ab", role="kiosk", office="CAXAB", key="kiosk-ab-key-for-tests-0001")
    with client_for(server) as client:
        call = client.post(
            "/api/v1/kiosk/help", headers={"X-Device-Key": "kiosk-ab-key-for-tests-0001"}
        ).json()
        assert call["office"] == "CAXAB"
        ab, bm = server.login(client, "canbo.ab"), server.login(client, "canbo.bm")
        province = server.login(client, "giamsat.tinh")
        assert [c["kiosk"] for c in client.get("/api/v1/kiosk-help", headers=ab).json()] == ["kiosk-ab"]
        assert client.get("/api/v1/kiosk-help", headers=bm).json() == []
        assert [c["kiosk"] for c in client.get("/api/v1/kiosk-help", headers=province).json()] == ["kiosk-ab"]
        refused = client.get("/api/v1/kiosk-help?office=CAXAB", headers=bm)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "office_out_of_scope"
        # Another office's officer cannot close it (not even learn it exists).
        assert client.post(f"/api/v1/kiosk-help/{call['id']}/answer", headers=bm).status_code == 404
        assert client.post(f"/api/v1/kiosk-help/{call['id']}/answer", headers=ab).status_code == 200


def test_a_call_nobody_answered_closes_when_its_citizen_leaves(server: Server) -> None:
    """The kiosk says its citizen left: the call leaves the staff's list, says why, and stays in the record."""
    with client_for(server) as client:
        staff = server.login(client, "canbo1")
        call = client.post("/api/v1/kiosk/help", headers=KIOSK).json()
        left = client.post(f"/api/v1/kiosk/help/{call['id']}/withdraw", json={}, headers=KIOSK)
        assert left.status_code == 200, left.text
        closed = left.json()
        assert closed["withdrawn_reason"] == "citizen_left" and closed["withdrawn_at"]
        assert closed["withdrawn_words"] == "Người dân đã rời đi" and closed["answered_at"] is None
        assert client.get("/api/v1/kiosk-help", headers=staff).json() == []
        # Said twice (the kiosk retrying): nothing changes; an officer's late "Đã đến hỗ trợ" neither.
        again = client.post(f"/api/v1/kiosk/help/{call['id']}/withdraw", json={}, headers=KIOSK).json()
        assert again["withdrawn_at"] == closed["withdrawn_at"]
        late = client.post(f"/api/v1/kiosk-help/{call['id']}/answer", headers=staff).json()
        assert late["staff"] is None and late["withdrawn_reason"] == "citizen_left"
        # The next citizen's press is a new call.
        assert client.post("/api/v1/kiosk/help", headers=KIOSK).json()["id"] != call["id"]
        # Only the kiosk's own call, by a kiosk, for a reason the server knows.
        other = {"X-Device-Key": "kiosk-other-key-for-tests-01"}
        server.services.auth.add_device(
            name="kiosk-2", role="kiosk", office="CAXTP", key=other["X-Device-Key"]
        )
        assert (
            client.post(f"/api/v1/kiosk/help/{call['id']}/withdraw", json={}, headers=other).status_code
            == 404
        )
        assert (
            client.post(f"/api/v1/kiosk/help/{call['id']}/withdraw", json={}, headers=staff).status_code
            == 403
        )
        odd = client.post(f"/api/v1/kiosk/help/{call['id']}/withdraw", json={"reason": "x"}, headers=KIOSK)
        assert odd.status_code == 422
    with server.ctx.db.read() as session:
        record = session.get(HelpCall, call["id"])
        assert record is not None and record.open_for is None and record.withdrawn_reason == "citizen_left"
    events = help_events(server)
    assert [kind for kind, _ in events] == [
        "kiosk.help_requested",
        "kiosk.help_withdrawn",
        "kiosk.help_requested",
    ]
    assert events[1][1]["withdrawn_reason"] == "citizen_left"
