"""Analytics over HTTP and in the server: overview by role, alerts as events, /metrics, staffing advice."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from analytics.alerts import AlertMonitor
from analytics.settings import load_analytics_settings
from queue_server.auth.principal import Principal, Role
from queue_server.clock import ManualClock
from queue_server.domain.tickets import TicketAction
from queue_server.tickets.service import ActOptions
from tests.conftest import T0
from tests.fixtures.analytics.office_day import office_with_a_day
from tests.support import DISPLAY, KIOSK, Server, client_for, make_server

KIOSK_ACTOR = Principal("device", 0, "kiosk-1", Role.KIOSK)


@pytest.fixture(scope="module")
def morning() -> Iterator[tuple[Server, TestClient]]:
    """The demo office after a simulated Monday morning, to 10:15."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-analytics-"))
    server, _ = office_with_a_day(folder, until_s=10.25 * 3600, rate_factor=1.3)
    with client_for(server) as client:
        yield server, client
    shutil.rmtree(folder, ignore_errors=True)


def test_only_supervisors_and_admins_see_the_overview(morning: tuple[Server, TestClient]) -> None:
    server, client = morning
    assert client.get("/api/v1/analytics/overview").status_code == 401
    assert client.get("/api/v1/analytics/overview", headers=DISPLAY).status_code == 403
    staff = client.get("/api/v1/analytics/overview", headers=server.login(client, "canbo2"))
    assert staff.status_code == 403 and staff.json()["error"]["message_vi"]
    for person in ("giamsat", "admin"):
        assert (
            client.get("/api/v1/analytics/overview", headers=server.login(client, person)).status_code == 200
        )
    assert client.get("/dashboard").status_code == 200  # the page itself; its data needs the token


def test_overview_agrees_with_the_server(morning: tuple[Server, TestClient]) -> None:
    server, client = morning
    supervisor = server.login(client, "giamsat")
    data = client.get("/api/v1/analytics/overview", headers=supervisor).json()
    queues = {q["code"]: q for q in client.get("/api/v1/queues").json()}
    stats = client.get("/api/v1/stats", headers=supervisor).json()
    for row in data["queues"]:
        assert row["waiting"] == queues[row["code"]]["waiting"]
        assert row["estimated_wait_s"] == queues[row["code"]]["estimated_wait_s"]
        assert row["over_target"] == (row["estimated_wait_s"] > 900)
        assert row["issued_today"] == stats["queues"][row["code"]]["issued"]
        assert row["served_today"] == stats["queues"][row["code"]]["served"]
    wait = next(k for k in data["kpis"] if k["code"] == "wait")
    assert wait["value"] == pytest.approx(stats["total"]["wait_s"]["mean"])  # the demo office never closes
    assert [k["code"] for k in data["kpis"]] == [
        "wait",
        "handling",
        "satisfaction",
        "reuse",
        "productivity",
        "estimate_error",
    ]
    assert sum(h["issued"] for h in data["waits_by_hour"]) == stats["total"]["issued"]
    assert [c["number"] for c in data["counters"]] == [1, 2, 3, 4]
    assert data["advice"]["message_vi"]


def test_metrics_in_prometheus_text(morning: tuple[Server, TestClient]) -> None:
    server, client = morning
    supervisor = server.login(client, "giamsat")
    staff = server.login(client, "canbo1")
    assert client.get("/metrics").status_code == 401  # queue sizes are not for anyone
    before = client.get("/metrics", headers=supervisor)
    assert before.status_code == 200 and before.headers["content-type"].startswith(
        "text/plain; version=0.0.4"
    )
    issued = client.post("/api/v1/tickets", json={"queue": "B"}, headers=KIOSK).json()
    called = client.post(f"/api/v1/counters/1/call/{issued['id']}", headers=staff)
    assert called.status_code == 200, called.text
    samples = parse_metrics(client.get("/metrics", headers=supervisor).text)
    stats = client.get("/api/v1/stats", headers=supervisor).json()
    for code in ("A", "B", "C"):
        assert (
            samples[f'motcua_tickets_issued_total{{office="CAXTP",queue="{code}"}}']
            == stats["queues"][code]["issued"]
        )
    queues = {q["code"]: q for q in client.get("/api/v1/queues").json()}
    assert samples['motcua_waiting{office="CAXTP",queue="A"}'] == queues["A"]["waiting"]
    assert samples['motcua_counters{office="CAXTP",status="open"}'] == 4
    # This process saw exactly one first call while the app ran: the one above.
    count = sum(v for k, v in samples.items() if k.startswith("motcua_wait_seconds_count"))
    assert count == 1
    assert samples['motcua_wait_seconds_count{office="CAXTP",queue="B"}'] == 1
    data = client.get("/api/v1/analytics/overview", headers=supervisor).json()
    for row in data["queues"]:
        key = f'motcua_estimate_error_seconds{{office="CAXTP",queue="{row["code"]}"}}'
        assert samples[key] == pytest.approx(row["estimate_mae_today_s"], abs=0.1)
    assert "motcua_event_stream_clients 0" in client.get("/metrics", headers=DISPLAY).text
    assert "# TYPE motcua_device_up gauge" in client.get("/metrics", headers=supervisor).text


def parse_metrics(text: str) -> dict[str, float]:
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, value = line.rsplit(" ", 1)
        samples[name] = float(value)
    return samples


# ---- alerts ---------------------------------------------------------------------------------------------


@pytest.fixture
def fresh(sqlite_url: str) -> Server:
    return make_server(sqlite_url, ManualClock(T0))


def alert_events(server: Server) -> list[dict[str, Any]]:
    from queue_server.events.outbox import events_since

    with server.ctx.db.read() as session:
        return [e for e in events_since(session, 0) if e["type"].startswith("alert.")]


def staff_of(server: Server, number: int) -> Principal:
    from analytics.replay import staff_for_counters

    return staff_for_counters(server.services)[number]


def test_a_line_over_its_target_raises_one_alert_then_clears(fresh: Server) -> None:
    monitor = AlertMonitor(fresh.services, load_analytics_settings(fresh.ctx.config.directory))
    desk = staff_of(fresh, 1)
    fresh.services.counters.open(number=1, actor=desk)
    for _ in range(3):
        fresh.services.tickets.issue(actor=KIOSK_ACTOR, queue="A")
    assert monitor.check() == []  # a 4th would wait 3 × 5 min: at the target, not over it
    fresh.services.tickets.issue(actor=KIOSK_ACTOR, queue="A")
    raised = monitor.check()
    assert [e["type"] for e in raised] == ["alert.wait_over_target"]
    alert = raised[0]["data"]["alert"]
    assert alert["queue"] == "A" and alert["estimated_wait_s"] > 900 and "Cư trú" in alert["message_vi"]
    assert monitor.check() == []  # once per episode
    assert [a["key"] for a in monitor.active()] == ["A"]
    clock = fresh.clock
    assert isinstance(clock, ManualClock)
    while True:  # serve the line down until a new ticket would wait well under the target
        view = fresh.services.tickets.call_next(counter=1, actor=desk)
        if view is None:
            break
        clock.advance(minutes=1)
        fresh.services.tickets.act(view.id, TicketAction.START, actor=desk, options=ActOptions())
        clock.advance(minutes=4)
        fresh.services.tickets.act(view.id, TicketAction.FINISH, actor=desk, options=ActOptions())
        monitor.check()
    assert [e["type"] for e in alert_events(fresh)] == ["alert.wait_over_target", "alert.cleared"]
    assert monitor.active() == []


def test_a_desk_paused_too_long(fresh: Server) -> None:
    monitor = AlertMonitor(fresh.services, load_analytics_settings(fresh.ctx.config.directory))
    desk = staff_of(fresh, 2)
    fresh.services.counters.open(number=2, actor=desk)
    fresh.services.counters.pause(number=2, actor=desk, reason="Đi họp")
    clock = fresh.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=14)
    assert monitor.check() == []
    clock.advance(minutes=2)
    raised = monitor.check()
    assert [e["type"] for e in raised] == ["alert.counter_paused_long"]
    assert raised[0]["data"]["alert"]["pause_reason"] == "Đi họp"
    assert "Quầy 2 tạm dừng đã 16 phút" in raised[0]["data"]["alert"]["message_vi"]
    fresh.services.counters.resume(number=2, actor=desk)
    assert [e["type"] for e in monitor.check()] == ["alert.cleared"]


def test_the_running_server_checks_alerts_after_events(
    fresh: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("analytics.web.EVENT_CHECK_GAP_S", 0.2)  # the gap between two checks, not 5 s here
    with client_for(fresh) as client:
        staff = fresh.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)
        for _ in range(6):
            assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).status_code == 201
        deadline = time.monotonic() + 10
        while not alert_events(fresh) and time.monotonic() < deadline:
            time.sleep(0.05)  # the check runs on the server's own schedule, soon after the events
        assert [e["type"] for e in alert_events(fresh)] == ["alert.wait_over_target"]
        supervisor = fresh.login(client, "giamsat")
        assert client.get("/api/v1/analytics/alerts", headers=supervisor).json()[0]["queue"] == "A"
        assert client.get("/api/v1/analytics/alerts", headers=staff).status_code == 403


# ---- advice ---------------------------------------------------------------------------------------------


def test_overview_advice_is_consistent_with_its_projection(fresh: Server) -> None:
    fresh.services.counters.open(number=1, actor=staff_of(fresh, 1))
    for _ in range(8):
        fresh.services.tickets.issue(actor=KIOSK_ACTOR, queue="A")
    with client_for(fresh) as client:
        supervisor = fresh.login(client, "giamsat")
        overview = client.get("/api/v1/analytics/overview", headers=supervisor).json()
    advice = overview["advice"]
    projected = advice["projected_wait_s"]
    assert projected["C"] is None  # no open desk serves line C: no number (not "408 phút")
    over = [code for code, wait in projected.items() if wait is None or wait > 900]
    assert sorted(advice["over_target"]) == sorted(over)
    assert "A" in over  # eight people waiting for one desk that also serves B
    assert "C" in over  # people will come to line C, and no open desk serves it
    red = [q for q in overview["queues"] if q["over_target"]]
    assert [q["code"] for q in red] == ["A"]  # the card the advice speaks of first
    name = fresh.ctx.config.default_office.queues["A"].name_vi
    assert advice["message_vi"].startswith(f"Hàng {name}")
    suggested = advice["suggested_counter"]
    assert "A" in fresh.ctx.config.default_office.counters[suggested].weights  # a desk for that line


# ---- visits read back from the server's events -------------------------------------------------------


def test_handling_is_summed_over_desks_and_holds(fresh: Server) -> None:
    from analytics.store import load_visits

    clock = fresh.clock
    assert isinstance(clock, ManualClock)
    tickets, counters = fresh.services.tickets, fresh.services.counters
    one, two = staff_of(fresh, 1), staff_of(fresh, 2)
    counters.open(number=1, actor=one)
    counters.open(number=2, actor=two)
    moved = tickets.issue(actor=KIOSK_ACTOR, queue="A")[0]
    held = tickets.issue(actor=KIOSK_ACTOR, queue="B")[0]
    clock.advance(minutes=3)
    tickets.call_ticket(counter=1, ticket_id=moved.id, actor=one)
    tickets.act(moved.id, TicketAction.START, actor=one, options=ActOptions())
    tickets.call_ticket(counter=2, ticket_id=held.id, actor=two)
    tickets.act(held.id, TicketAction.START, actor=two, options=ActOptions())
    clock.advance(minutes=5)
    tickets.act(moved.id, TicketAction.TRANSFER, actor=one, options=ActOptions(to_queue="B"))
    tickets.act(held.id, TicketAction.HOLD, actor=two, options=ActOptions(reason="đi photo giấy tờ"))
    clock.advance(minutes=10)  # neither is being served now
    tickets.act(held.id, TicketAction.RESUME, actor=two, options=ActOptions())
    tickets.act(held.id, TicketAction.START, actor=two, options=ActOptions())
    tickets.call_ticket(counter=1, ticket_id=moved.id, actor=one)
    tickets.act(moved.id, TicketAction.START, actor=one, options=ActOptions())
    clock.advance(minutes=7)
    for ticket_id, actor in ((moved.id, one), (held.id, two)):
        tickets.act(ticket_id, TicketAction.FINISH, actor=actor, options=ActOptions())
    office = fresh.ctx.config.default_office
    day = moved.business_day
    visits = {v.id: v for v in load_visits(fresh.ctx.db, office=office, first=day, last=day)}
    assert visits[moved.id].handling_s == 12 * 60 and visits[moved.id].transfers == 1
    assert visits[moved.id].wall_wait_s == 3 * 60  # to the first call
    assert visits[held.id].handling_s == 12 * 60 and visits[held.id].transfers == 0


def test_satisfaction_comes_from_the_ratings(fresh: Server) -> None:
    desk = staff_of(fresh, 1)
    fresh.services.counters.open(number=1, actor=desk)
    codes = []
    for _ in range(3):
        view = fresh.services.tickets.issue(actor=KIOSK_ACTOR, queue="A")[0]
        fresh.services.tickets.call_ticket(counter=1, ticket_id=view.id, actor=desk)
        fresh.services.tickets.act(view.id, TicketAction.START, actor=desk, options=ActOptions())
        fresh.services.tickets.act(view.id, TicketAction.FINISH, actor=desk, options=ActOptions())
        codes.append(view.public_code)
    with client_for(fresh) as client:
        supervisor = fresh.login(client, "giamsat")

        def kpi(code: str) -> dict[str, Any]:
            kpis = client.get("/api/v1/analytics/overview", headers=supervisor).json()["kpis"]
            return next(k for k in kpis if k["code"] == code)

        assert kpi("satisfaction")["status"] == "no_data"
        assert kpi("satisfaction")["note_vi"] == "chưa có lượt đánh giá nào"
        reasons = client.get("/api/v1/ratings/reasons").json()["reasons"]
        for code, score in zip(codes, (5, 4, 2), strict=True):
            body = {"ticket": code, "score": score, "reasons": [reasons[0]["code"]] if score <= 2 else []}
            assert client.post("/api/v1/ratings", json=body).status_code == 201
        satisfaction = kpi("satisfaction")
        assert satisfaction["value"] == pytest.approx(2 / 3) and satisfaction["count"] == 3
        assert satisfaction["status"] == "off_target"  # 67 % satisfied, the plan asks for 95 %
        assert kpi("reuse")["note_vi"] == "chưa có hồ sơ nào cần giấy tờ đã có trong hệ thống"
        day = fresh.clock().date().isoformat()
        text = client.get(f"/api/v1/reports?from={day}&to={day}&format=csv", headers=supervisor).content
        assert "Tỷ lệ người dân hài lòng,66.7,≥ 95.0 %,Chưa đạt" in text.decode("utf-8")


def test_the_alerts_api_words_alerts_with_the_figures_the_dashboard_shows(fresh: Server) -> None:
    """Raised with the figures of one moment; asked later, the API tells the same as the dashboard's card."""
    clock = fresh.clock
    assert isinstance(clock, ManualClock)
    with client_for(fresh) as client:
        monitor = fresh.app.state.analytics.alerts
        fresh.services.counters.open(number=1, actor=staff_of(fresh, 1))
        fresh.services.counters.open(number=2, actor=staff_of(fresh, 2))
        fresh.services.counters.pause(number=2, actor=staff_of(fresh, 2), reason="Đi họp")
        for _ in range(5):
            fresh.services.tickets.issue(actor=KIOSK_ACTOR, queue="A")
        clock.advance(minutes=16)
        raised = {e["data"]["alert"]["kind"]: e["data"]["alert"]["message_vi"] for e in monitor.check()}
        assert set(raised) == {"wait_over_target", "counter_paused_long"}
        for _ in range(4):  # the queue grows and the pause goes on: the raised wording is now stale
            fresh.services.tickets.issue(actor=KIOSK_ACTOR, queue="A")
        clock.advance(minutes=10)
        supervisor = fresh.login(client, "giamsat")
        api = {
            a["kind"]: a["message_vi"]
            for a in client.get("/api/v1/analytics/alerts", headers=supervisor).json()
        }
        cards = client.get("/api/v1/analytics/overview", headers=supervisor).json()["alerts"]
        province = client.get("/api/v1/analytics/province", headers=supervisor).json()["alerts"]
    assert (
        api == {a["kind"]: a["message_vi"] for a in cards} == {a["kind"]: a["message_vi"] for a in province}
    )
    assert (
        api["wait_over_target"] != raised["wait_over_target"]
        and "(9 người đang chờ)" in api["wait_over_target"]
    )
    assert api["counter_paused_long"] != raised["counter_paused_long"]
    assert "Quầy 2 tạm dừng đã 26 phút" in api["counter_paused_long"]
