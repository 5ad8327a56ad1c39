"""Everyone in their place: a province (CATTN) with two communes under it (CAXAB, CAXBM).

Staff and devices act only in their own office; a supervisor or admin in their office and the offices below.
Each role and device kind is tried inside (succeeds) and outside (403 office_out_of_scope, audited, nothing
written) for tickets, counters, events and stats — on SQLite and PostgreSQL (the `server` fixture here).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.websockets import WebSocketDisconnect

from queue_server.clock import ManualClock
from queue_server.tables.auth import AccessRefusal
from queue_server.tables.tickets import Ticket
from tests.conftest import FIXTURES, T0
from tests.support import PASSWORD, Server, client_for, make_server

PROVINCE, AB, BM = "CATTN", "CAXAB", "CAXBM"
PEOPLE = {  # username: (role, office)
    "canbo.ab": ("staff", AB),
    "canbo.bm": ("staff", BM),
    "giamsat.ab": ("supervisor", AB),
    "giamsat.tinh": ("supervisor", PROVINCE),
    "quantri.tinh": ("admin", PROVINCE),
}
KIOSK_AB = {"X-Device-Key": "kiosk-ab-key-for-tests-0001"}
BOARD_AB = {"X-Device-Key": "board-ab-key-for-tests-0001"}
KIOSK_BM = {"X-Device-Key": "kiosk-bm-key-for-tests-0001"}


@pytest.fixture
def server(database_url: str) -> Server:
    built = make_server(database_url, ManualClock(T0), config_dir=FIXTURES / "config" / "province")
    auth = built.services.auth
    for username, (role, office) in PEOPLE.items():
        auth.add_user(username=username, role=role, password=PASSWORD, office=office)
    auth.add_device(name="kiosk-ab", role="kiosk", office=AB, key=KIOSK_AB["X-Device-Key"])
    auth.add_device(name="board-ab", role="display", office=AB, key=BOARD_AB["X-Device-Key"])
    auth.add_device(name="kiosk-bm", role="kiosk", office=BM, key=KIOSK_BM["X-Device-Key"])
    return built


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def issue(client: TestClient, headers: dict[str, str], office: str | None = None) -> Any:
    body: dict[str, Any] = {"queue": "A"} if office is None else {"queue": "A", "office": office}
    return client.post("/api/v1/tickets", json=body, headers=headers)


def refused(answer: Any, office: str) -> None:
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert error["code"] == "office_out_of_scope" and error["details"]["office"] == office
    assert "không được làm việc tại đơn vị" in error["message_vi"] and office in error["message_en"]


def refusals(server: Server) -> list[tuple[str, str, str | None]]:
    with server.ctx.db.read() as session:
        rows = session.scalars(select(AccessRefusal).order_by(AccessRefusal.id))
        return [(r.actor, r.office, r.route) for r in rows]


def tickets_in(server: Server, office: str) -> int:
    with server.ctx.db.read() as session:
        return int(session.scalar(select(func.count()).where(Ticket.office == office)) or 0)


def test_the_office_tree_gives_ancestors_and_subtrees(server: Server) -> None:
    config = server.ctx.config
    assert config.ancestors(AB) == [AB, PROVINCE]
    assert config.subtree(PROVINCE) == {PROVINCE, AB, BM} and config.subtree(BM) == {BM}


def test_a_kiosk_issues_only_in_its_office(server: Server, client: TestClient) -> None:
    mine = issue(client, KIOSK_AB)
    assert mine.status_code == 201 and mine.json()["office"] == AB  # no office named: its own
    assert issue(client, KIOSK_AB, AB).status_code == 201
    refused(issue(client, KIOSK_AB, BM), BM)
    refused(issue(client, KIOSK_AB, PROVINCE), PROVINCE)  # not even the office above it
    assert tickets_in(server, BM) == 0 and tickets_in(server, PROVINCE) == 0 and tickets_in(server, AB) == 2
    assert refusals(server) == [
        ("device:kiosk-ab", BM, "POST /api/v1/tickets"),
        ("device:kiosk-ab", PROVINCE, "POST /api/v1/tickets"),
    ]


def test_a_kiosk_reads_only_tickets_of_its_office(server: Server, client: TestClient) -> None:
    theirs = issue(client, KIOSK_BM).json()
    mine = issue(client, KIOSK_AB).json()
    assert client.get(f"/api/v1/tickets/{mine['id']}", headers=KIOSK_AB).status_code == 200
    refused(client.get(f"/api/v1/tickets/{theirs['id']}", headers=KIOSK_AB), BM)


def test_staff_open_and_call_only_in_their_office(server: Server, client: TestClient) -> None:
    issue(client, KIOSK_AB)
    issue(client, KIOSK_BM)
    staff = server.login(client, "canbo.ab")
    refused(client.post(f"/api/v1/counters/1/open?office={BM}", headers=staff), BM)
    refused(client.post(f"/api/v1/counters/1/call-next?office={BM}", headers=staff), BM)
    refused(client.get(f"/api/v1/counters/1/waiting?office={BM}", headers=staff), BM)
    refused(client.post(f"/api/v1/counters/1/close?office={BM}", headers=staff), BM)
    opened = client.post("/api/v1/counters/1/open", headers=staff)  # no office named: their own
    assert opened.status_code == 200 and opened.json()["office"] == AB
    called = client.post(f"/api/v1/counters/1/call-next?office={AB}", headers=staff)
    assert called.status_code == 200 and called.json()["office"] == AB
    assert [office for _, office, _ in refusals(server)] == [BM, BM, BM, BM]
    with server.ctx.db.read() as session:  # nothing of the other office moved
        assert session.scalar(select(Ticket.status).where(Ticket.office == BM)) == "waiting"


def test_staff_act_on_tickets_only_in_their_office(server: Server, client: TestClient) -> None:
    theirs = issue(client, KIOSK_BM).json()
    staff = server.login(client, "canbo.ab")
    client.post("/api/v1/counters/1/open", headers=staff)
    refused(client.post(f"/api/v1/tickets/{theirs['id']}/cancel", headers=staff), BM)
    refused(client.post(f"/api/v1/counters/1/call/{theirs['id']}", headers=staff), BM)
    assert client.get(f"/api/v1/tickets/{theirs['id']}", headers=KIOSK_BM).json()["status"] == "waiting"


def test_a_commune_supervisor_acts_in_their_commune_only(server: Server, client: TestClient) -> None:
    theirs = issue(client, KIOSK_BM).json()
    mine = issue(client, KIOSK_AB).json()
    head = server.login(client, "giamsat.ab")
    assert client.post(f"/api/v1/tickets/{mine['id']}/cancel", headers=head).status_code == 200
    refused(client.post(f"/api/v1/tickets/{theirs['id']}/cancel", headers=head), BM)
    assert client.post(f"/api/v1/counters/2/open?office={AB}", headers=head).status_code == 200
    refused(client.post(f"/api/v1/counters/1/open?office={PROVINCE}", headers=head), PROVINCE)
    assert client.get(f"/api/v1/stats?office={AB}", headers=head).status_code == 200
    refused(client.get(f"/api/v1/stats?office={BM}", headers=head), BM)
    refused(issue(client, head, BM), BM)


@pytest.mark.parametrize("username", ["giamsat.tinh", "quantri.tinh"])
def test_province_managers_act_in_every_office_below(
    server: Server, client: TestClient, username: str
) -> None:
    theirs = issue(client, KIOSK_BM).json()
    head = server.login(client, username)
    for office in (PROVINCE, AB, BM):
        assert client.get(f"/api/v1/stats?office={office}", headers=head).status_code == 200
        assert client.post(f"/api/v1/counters/1/open?office={office}", headers=head).status_code == 200
    assert client.post(f"/api/v1/tickets/{theirs['id']}/cancel", headers=head).status_code == 200
    assert issue(client, head, AB).status_code == 201
    assert refusals(server) == []


def test_staff_read_stats_of_their_office_only(server: Server, client: TestClient) -> None:
    staff = server.login(client, "canbo.bm")
    stats = client.get("/api/v1/stats", headers=staff)
    assert stats.status_code == 200 and stats.json()["office"] == BM
    refused(client.get(f"/api/v1/stats?office={AB}", headers=staff), AB)


def test_the_event_log_over_http_is_scoped(server: Server, client: TestClient) -> None:
    issue(client, KIOSK_BM)
    issue(client, KIOSK_AB)
    board = client.get("/api/v1/events?since=0", headers=BOARD_AB).json()
    assert board and {event["office"] for event in board} == {AB}
    refused(client.get(f"/api/v1/events?since=0&office={BM}", headers=BOARD_AB), BM)
    province = client.get("/api/v1/events?since=0", headers=server.login(client, "giamsat.tinh")).json()
    assert {event["office"] for event in province} == {AB, BM}
    commune = client.get("/api/v1/events?since=0", headers=server.login(client, "giamsat.ab")).json()
    assert {event["office"] for event in commune} == {AB}


def test_a_board_streams_only_its_office(server: Server, client: TestClient) -> None:
    key = BOARD_AB["X-Device-Key"]
    with client.websocket_connect(f"/api/v1/events?key={key}") as socket:
        issue(client, KIOSK_BM)  # another office first: it must never arrive
        number = issue(client, KIOSK_AB).json()["number"]
        event = socket.receive_json()
        assert event["office"] == AB and event["data"]["ticket"]["number"] == number
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(f"/api/v1/events?key={key}&office={BM}"),
    ):
        pass
    assert closed.value.code == 4403
    assert refusals(server) == [("device:board-ab", BM, "WS /api/v1/events")]


def test_a_province_supervisor_streams_every_office_below(server: Server, client: TestClient) -> None:
    token = server.login(client, "giamsat.tinh")["Authorization"][7:]
    with client.websocket_connect(f"/api/v1/events?token={token}") as socket:
        issue(client, KIOSK_BM)
        issue(client, KIOSK_AB)
        assert [socket.receive_json()["office"] for _ in range(2)] == [BM, AB]
    with client.websocket_connect(f"/api/v1/events?token={token}&office={BM}&since=0") as socket:
        assert socket.receive_json()["office"] == BM


def test_an_account_without_an_office_belongs_to_the_first_office(server: Server, client: TestClient) -> None:
    """Accounts made before offices existed (make_server's canbo1, kiosk-1) stay at the first (root) office."""
    staff = server.login(client, "canbo1")
    opened = client.post("/api/v1/counters/1/open", headers=staff)
    assert opened.status_code == 200 and opened.json()["office"] == PROVINCE
    refused(client.post(f"/api/v1/counters/2/open?office={AB}", headers=staff), AB)


def test_the_dashboard_and_reports_are_scoped(server: Server, client: TestClient) -> None:
    issue(client, KIOSK_BM)
    commune = server.login(client, "giamsat.ab")
    province = server.login(client, "giamsat.tinh")
    overview = client.get("/api/v1/analytics/overview", headers=commune)
    assert overview.status_code == 200, overview.text
    refused(client.get(f"/api/v1/analytics/overview?office={BM}", headers=commune), BM)
    assert client.get(f"/api/v1/analytics/overview?office={BM}", headers=province).status_code == 200
    period = "from=2026-03-10&to=2026-03-10"
    refused(client.get(f"/api/v1/reports?{period}&office={BM}", headers=commune), BM)
    report = client.get(f"/api/v1/reports?{period}&office={AB}", headers=commune)
    assert report.status_code == 200 and "CAXAB" in report.headers["content-disposition"]
    assert client.get(f"/api/v1/reports?{period}&office={BM}", headers=province).status_code == 200
    assert client.get("/api/v1/analytics/alerts", headers=commune).status_code == 200


def test_the_province_overview_lists_every_office_below(server: Server, client: TestClient) -> None:
    issue(client, KIOSK_BM)
    issue(client, KIOSK_BM)
    issue(client, KIOSK_AB)
    server.clock.advance(minutes=7)  # type: ignore[attr-defined]
    staff = server.login(client, "canbo.ab")
    head = server.login(client, "giamsat.ab")  # one seat each: a second desk needs a second person
    assert client.post("/api/v1/counters/1/open", headers=staff).status_code == 200
    assert client.post("/api/v1/counters/2/open", headers=head).status_code == 200
    assert client.post("/api/v1/counters/2/pause", json={"reason": "họp"}, headers=head).status_code == 200
    province = client.get("/api/v1/analytics/province", headers=server.login(client, "giamsat.tinh"))
    assert province.status_code == 200, province.text
    rows = {row["office"]: row for row in province.json()["offices"]}
    assert list(rows) == [PROVINCE, AB, BM]
    assert rows[BM]["waiting"] == 2 and rows[BM]["longest_wait_s"] == 7 * 60 and rows[BM]["issued_today"] == 2
    assert rows[AB]["waiting"] == 1 and rows[AB]["counters"] == {"open": 1, "paused": 1, "closed": 0}
    assert rows[PROVINCE]["waiting"] == 0 and rows[BM]["parent"] == PROVINCE
    commune = client.get("/api/v1/analytics/province", headers=server.login(client, "giamsat.ab")).json()
    assert [row["office"] for row in commune["offices"]] == [AB]
    refused(
        client.get(
            f"/api/v1/analytics/province?office={PROVINCE}", headers=server.login(client, "giamsat.ab")
        ),
        PROVINCE,
    )
