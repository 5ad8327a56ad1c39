"""The priority streak is counted in one place (domain/calling.py streak_after): a ticket called by hand
moves a counter's streak exactly as the same call chosen by the rule would. Before, a hand call of a
priority ticket always counted, even with no normal ticket waiting, and the next "call next" then skipped
a priority citizen the rule should have called."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from queue_server.domain.calling import Candidate, FairnessRule, choose_next, streak_after
from tests.conftest import T0
from tests.support import KIOSK, Server


def issue(client: TestClient, server: Server, priority: str | None = None) -> dict[str, Any]:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(seconds=30)
    answer = client.post("/api/v1/tickets", json={"queue": "A", "priority": priority}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_hand_calls_with_no_normal_ticket_waiting_do_not_use_up_the_priority_streak(
    server: Server, client: TestClient
) -> None:
    first, second, third = (issue(client, server, "pregnant") for _ in range(3))
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    for chosen in (first, second):  # two priority calls by hand; nobody else waits
        called = client.post(f"/api/v1/counters/1/call/{chosen['id']}", headers=staff)
        assert called.status_code == 200 and called.json()["status"] == "called"
    normal = issue(client, server)
    # The rule (at most 2 priority calls in a row *while normal tickets wait*) has counted none so far.
    nxt = client.post("/api/v1/counters/1/call-next", headers=staff).json()
    assert nxt["id"] == third["id"], "the third priority citizen is next; the streak was miscounted"
    assert client.post("/api/v1/counters/1/call-next", headers=staff).json()["id"] == normal["id"]


def test_hand_calls_while_normal_tickets_wait_count_like_rule_calls(
    server: Server, client: TestClient
) -> None:
    normal = issue(client, server)
    priority = [issue(client, server, "elderly") for _ in range(3)]
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    for chosen in priority[:2]:
        client.post(f"/api/v1/counters/1/call/{chosen['id']}", headers=staff)
    # Two priority calls in a row while a normal ticket waited: now the normal one is due.
    assert client.post("/api/v1/counters/1/call-next", headers=staff).json()["id"] == normal["id"]
    assert client.post("/api/v1/counters/1/call-next", headers=staff).json()["id"] == priority[2]["id"]


def test_streak_after_is_what_the_rule_decides() -> None:
    rule = FairnessRule(max_priority_in_row=3)
    for with_normal in (False, True):
        for streak in range(3):
            waiting = [Candidate(1, "A", T0, T0, priority="elderly")]
            if with_normal:
                waiting.append(Candidate(2, "A", T0, T0))
            decision = choose_next(waiting, weights={"A": 1}, now=T0, priority_streak=streak, rule=rule)
            assert decision is not None and decision.ticket.id == 1
            assert decision.priority_streak == streak_after(streak, waiting[0], normal_waiting=with_normal)
