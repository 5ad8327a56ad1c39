"""Issue 13 item 6: one set of figures. A busy office in one state; every waiting count and wait that the
dashboard's cards, its alerts, its advice, the lines' API (what boards and kiosks read) and a ticket show
must agree — also after the office moved on since an alert was raised."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.conftest import DEMO_CONFIG, T0
from tests.support import KIOSK, Server, client_for, make_server


def busy_office(server: Server, client: TestClient) -> dict[str, dict[str, str]]:
    """Desks 1 and 3 open; line A long, B and C short; some citizens already called."""
    seats = {}
    for user, counter in (("canbo1", 1), ("canbo3", 3)):
        seats[user] = server.login(client, user)
        assert client.post(f"/api/v1/counters/{counter}/open", headers=seats[user]).status_code == 200
    for queue, count in (("A", 9), ("B", 3), ("C", 2)):
        for _ in range(count):
            assert client.post("/api/v1/tickets", json={"queue": queue}, headers=KIOSK).status_code == 201
            server.clock.advance(seconds=40)  # type: ignore[union-attr]
    for user, counter in (("canbo1", 1), ("canbo3", 3)):
        assert client.post(f"/api/v1/counters/{counter}/call-next", headers=seats[user]).status_code == 200
    return seats


def overview(client: TestClient, supervisor: dict[str, str]) -> dict[str, Any]:
    answer = client.get("/api/v1/analytics/overview", headers=supervisor)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def check_agreement(client: TestClient, supervisor: dict[str, str], data: dict[str, Any]) -> None:
    lines = {q["code"]: q for q in client.get("/api/v1/queues", headers=KIOSK).json()}
    cards = {q["code"]: q for q in data["queues"]}
    target = data["targets"]["wait_s"]
    for code, card in cards.items():
        assert card["waiting"] == lines[code]["waiting"], code  # the board's and the kiosk's count
        assert card["estimated_wait_s"] == lines[code]["estimated_wait_s"], code
        assert card["over_target"] == (card["waiting"] > 0 and card["estimated_wait_s"] > target)
    wait_alerts = {a["queue"]: a for a in data["alerts"] if a["kind"] == "wait_over_target"}
    assert set(wait_alerts) == {code for code, card in cards.items() if card["over_target"]}
    for code, alert in wait_alerts.items():
        card = cards[code]
        minutes = int(card["estimated_wait_s"] / 60 + 0.5)
        assert f"dự kiến chờ {minutes} phút" in alert["message_vi"], (alert, card)
        assert f"({card['waiting']} người đang chờ)" in alert["message_vi"]
        assert (alert["estimated_wait_s"], alert["waiting"]) == (card["estimated_wait_s"], card["waiting"])
    advice = data["advice"]
    assert set(advice["over_target"]) >= {code for code, card in cards.items() if card["over_target"]}
    for number in re.findall(r"(\d+) phút", advice["message_vi"]):
        quoted = int(number)
        known = {round(c["estimated_wait_s"] / 60) for c in cards.values()} | {round(target / 60)}
        assert quoted in known, (advice["message_vi"], known)  # no figure of its own ("408 phút")
    for wait in advice["projected_wait_s"].values():
        assert wait is None or wait < 3 * 3600  # never "never called" dressed up as a wait


def test_cards_alerts_advice_and_lines_agree(sqlite_url: str) -> None:
    server = make_server(sqlite_url, ManualClock(T0))
    with client_for(server) as client:
        busy_office(server, client)
        supervisor = server.login(client, "giamsat")
        runtime = client.app.state.analytics  # type: ignore[attr-defined]
        runtime.alerts.check()
        first = overview(client, supervisor)
        assert "A" in [q["code"] for q in first["queues"] if q["over_target"]]
        check_agreement(client, supervisor, first)

        # The office moves on (more people in A, time passes) without a new alert check: the open alert
        # is told with the figures of now, like the card beside it.
        for _ in range(6):
            client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        server.clock.advance(minutes=12)  # type: ignore[union-attr]
        later = overview(client, supervisor)
        card = next(q for q in later["queues"] if q["code"] == "A")
        assert card["waiting"] == 8 + 6 and card["estimated_wait_s"] > first["queues"][0]["estimated_wait_s"]
        check_agreement(client, supervisor, later)
        # A citizen takes a number now: the ticket, its phone page and the line agree with the card.
        before = next(q for q in client.get("/api/v1/queues", headers=KIOSK).json() if q["code"] == "A")
        assert before["estimated_wait_s"] == card["estimated_wait_s"]
        ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        assert ticket["estimated_wait_s"] == before["estimated_wait_s"]
        phone = client.get(f"/api/v1/public/tickets/{ticket['public_code']}").json()
        assert phone["estimated_wait_s"] == ticket["estimated_wait_s"]
        assert phone["people_ahead"] == before["waiting"]


def test_no_figure_for_a_line_without_an_open_desk_and_no_advice_after_hours(
    sqlite_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    offices = (config / "offices.toml").read_text(encoding="utf-8")
    (config / "offices.toml").write_text(
        offices.replace('tue = ["00:00-24:00"]', 'tue = ["07:00-17:00"]', 1), encoding="utf-8"
    )
    server = make_server(sqlite_url, ManualClock(T0), config_dir=config)  # Tuesday 09:00 local
    with client_for(server) as client:
        staff = server.login(client, "canbo3")
        assert client.post("/api/v1/counters/3/open", headers=staff).status_code == 200  # serves B and C
        for _ in range(4):
            client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        supervisor = server.login(client, "giamsat")
        advice = overview(client, supervisor)["advice"]
        assert advice["projected_wait_s"]["A"] is None
        assert advice["message_vi"].startswith(
            "Hàng Cư trú chưa có quầy nào đang mở phục vụ (4 người đang chờ)"
        )
        assert "phút" not in advice["message_vi"]
        server.clock.advance(hours=8, minutes=30)  # 17:30: the day's opening hours are over
        supervisor = server.login(client, "giamsat")
        late = overview(client, supervisor)["advice"]
        assert late["message_vi"] == "Đã hết giờ làm việc hôm nay: không gợi ý mở thêm quầy."
        assert late["suggested_counter"] is None
