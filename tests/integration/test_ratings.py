"""Satisfaction ratings: one per finished visit, reasons when low, the counter tablet's prompt, the shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.fixtures.dossiers.helpers import register, submit
from tests.support import DISPLAY, KIOSK, Server


def serve_one(server: Server, client: TestClient, staff: dict[str, str], counter: int = 1) -> dict[str, Any]:
    """Call, start and finish the next ticket at a counter; the finished ticket."""
    ticket = client.post(f"/api/v1/counters/{counter}/call-next", headers=staff).json()
    client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=staff)
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=4)
    finished = client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=staff).json()
    assert finished["status"] == "done"
    return finished  # type: ignore[no-any-return]


def rate(client: TestClient, ticket: str, score: int, *reasons: str, comment: str | None = None) -> Any:
    return client.post(
        "/api/v1/ratings",
        json={"ticket": ticket, "score": score, "reasons": list(reasons), "comment": comment},
    )


def test_a_finished_visit_is_rated_once(server: Server, client: TestClient) -> None:
    register(client)
    dossier = submit(client, "kiosk-rate-000001", []).json()
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    waiting = dossier["ticket"]["public_code"]
    assert rate(client, waiting, 5).json()["code"] == "ticket_not_finished"
    finished = serve_one(server, client, staff)
    assert finished["public_code"] == waiting

    low = rate(client, waiting, 2)
    assert (low.status_code, low.json()["code"]) == (422, "reasons_required")
    assert rate(client, waiting, 2, "bad_coffee").json()["code"] == "unknown_reason"
    assert rate(client, waiting, 6).status_code == 422
    made = rate(client, waiting, 2, "wait", "guidance", "wait", comment="Chờ hơi lâu")
    assert made.status_code == 201, made.text
    assert made.json()["counter"] == 1 and made.json()["procedure"] == "1.004222"
    assert made.json()["reasons"] == ["wait", "guidance"]
    again = rate(client, waiting, 5)
    assert (again.status_code, again.json()["code"]) == (409, "already_rated")
    assert rate(client, "no-such-ticket-code", 5).status_code == 404


def test_the_counter_tablet_is_offered_the_visit_just_finished(server: Server, client: TestClient) -> None:
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
    prompt_url = "/api/v1/public/counters/1/rating-prompt"
    assert client.get(prompt_url).status_code == 401
    assert client.get(prompt_url, headers=DISPLAY).status_code == 204
    finished = serve_one(server, client, staff)
    prompt = client.get(prompt_url, headers=DISPLAY)
    assert prompt.status_code == 200
    body = prompt.json()
    assert (body["number"], body["counter"]) == (finished["number"], 1)
    assert body["token"].startswith(f"{finished['id']}.") and finished["public_code"] not in prompt.text
    assert datetime.fromisoformat(body["finished_at"]) == datetime.fromisoformat(finished["ended_at"])
    assert client.get("/api/v1/public/counters/2/rating-prompt", headers=DISPLAY).status_code == 204
    assert client.get("/api/v1/public/counters/77/rating-prompt", headers=DISPLAY).status_code == 404
    rate(client, finished["public_code"], 5)
    assert client.get(prompt_url, headers=DISPLAY).status_code == 204  # rated: no longer offered
    client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
    serve_one(server, client, staff)
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(seconds=121)
    assert client.get(prompt_url, headers=DISPLAY).status_code == 204  # too long ago


def test_the_rating_page_and_the_reasons(client: TestClient) -> None:
    page = client.get("/rate/3")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Quầy 3" in page.text and "const COUNTER = 3;" in page.text
    reasons = client.get("/api/v1/ratings/reasons").json()
    assert reasons["ask_reasons_at_or_below"] == 3 and reasons["idle_seconds"] == 30
    assert {r["code"] for r in reasons["reasons"]} >= {"wait", "attitude", "guidance"}
    assert client.get("/rate/0").status_code == 422


def test_the_share_of_satisfied_citizens(server: Server, client: TestClient) -> None:
    first, second = server.login(client, "canbo1"), server.login(client, "canbo2")
    client.post("/api/v1/counters/1/open", headers=first)
    client.post("/api/v1/counters/2/open", headers=second)
    scores = {1: [5, 4, 5], 2: [3, 5]}
    for counter, staff in ((1, first), (2, second)):
        for score in scores[counter]:
            client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
            ticket = serve_one(server, client, staff, counter)
            reasons = ["attitude"] if score <= 3 else []
            assert rate(client, ticket["public_code"], score, *reasons).status_code == 201
    stats = client.get("/api/v1/ratings/stats", params={"day": "2026-03-10"}, headers=first).json()
    assert (stats["ratings"], stats["satisfied"], stats["share_satisfied"]) == (5, 4, 0.8)
    assert stats["mean"] == 4.4 and stats["by_score"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 3}
    assert stats["by_reason"] == {"attitude": 1}
    assert [(c["counter"], c["ratings"], c["share_satisfied"]) for c in stats["by_counter"]] == [
        (1, 3, 1.0),
        (2, 2, 0.5),
    ]
    assert [(o["officer"], o["satisfied"]) for o in stats["by_officer"]] == [("canbo1", 3), ("canbo2", 1)]
    assert stats["by_procedure"] == [
        {"procedure": None, "ratings": 5, "satisfied": 4, "share_satisfied": 0.8}
    ]
    none = client.get("/api/v1/ratings/stats", params={"day": "2026-03-09"}, headers=first).json()
    assert none["ratings"] == 0 and none["share_satisfied"] is None and none["mean"] is None
    assert client.get("/api/v1/ratings/stats", headers=KIOSK).status_code == 403
