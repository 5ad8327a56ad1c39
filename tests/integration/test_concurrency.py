"""Numbers and calls under real concurrency, on SQLite and on PostgreSQL, through a real uvicorn."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from queue_server.tables.tickets import Ticket
from tests.support import KIOSK, PASSWORD, STAFF, make_server, running_server

CLIENTS = 20
TICKETS = 200


def issue_many(base: str, keys: list[str | None], queue: str = "A") -> list[dict]:  # type: ignore[type-arg]
    def worker(chunk: list[str | None]) -> list[dict]:  # type: ignore[type-arg]
        results = []
        with httpx.Client(base_url=base, headers=KIOSK, timeout=60) as client:
            for key in chunk:
                body = {"queue": queue} if key is None else {"queue": queue, "idempotency_key": key}
                answer = client.post("/api/v1/tickets", json=body)
                assert answer.status_code == 201, answer.text
                results.append(answer.json())
        return results

    chunks = [keys[i::CLIENTS] for i in range(CLIENTS)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        return [ticket for part in pool.map(worker, chunks) for ticket in part]


def test_200_tickets_from_20_clients_are_distinct_and_consecutive(database_url: str) -> None:
    server = make_server(database_url)
    with running_server(server) as base:
        tickets = issue_many(base, [None] * TICKETS)
    numbers = sorted(t["number"] for t in tickets)
    assert numbers == [f"A{n:03d}" for n in range(1, TICKETS + 1)]
    assert len({t["id"] for t in tickets}) == TICKETS


def test_retried_idempotency_keys_never_make_a_second_ticket(database_url: str) -> None:
    server = make_server(database_url)
    keys: list[str | None] = [f"kiosk-1-{uuid.uuid4()}" for _ in range(50)]
    with running_server(server) as base:
        # Every key is sent four times, by different clients at the same moment.
        tickets = issue_many(base, keys * 4)
    by_key: dict[str, set[int]] = {}
    for key, ticket in zip(_interleaved(keys * 4), tickets, strict=False):
        by_key.setdefault(str(key), set()).add(ticket["id"])
    # The four answers for one key name one ticket, and no two keys share one.
    assert len(by_key) == 50
    assert {key: len(ids) for key, ids in by_key.items() if len(ids) != 1} == {}
    assert len(set().union(*by_key.values())) == 50
    assert len({t["id"] for t in tickets}) == 50
    assert sorted({t["number"] for t in tickets}) == [f"A{n:03d}" for n in range(1, 51)]
    with server.ctx.db.read() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 50


def _interleaved(keys: list[str | None]) -> list[str | None]:
    return [k for i in range(CLIENTS) for k in keys[i::CLIENTS]]


def test_four_counters_calling_at_once_never_share_a_ticket(database_url: str) -> None:
    server = make_server(database_url)
    with running_server(server) as base:
        issue_many(base, [None] * 60, queue="B")  # queue B is served by all four counters
        tokens = []
        for number, username in enumerate(STAFF, start=1):
            login = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
            token = {"Authorization": f"Bearer {login.json()['access_token']}"}
            assert httpx.post(f"{base}/api/v1/counters/{number}/open", headers=token).status_code == 200
            tokens.append((number, token))

        def counter_loop(seat: tuple[int, dict[str, str]]) -> list[int]:
            number, token = seat
            called = []
            with httpx.Client(base_url=base, headers=token, timeout=60) as client:
                while True:
                    answer = client.post(f"/api/v1/counters/{number}/call-next")
                    if answer.status_code == 204:
                        return called
                    assert answer.status_code == 200, answer.text
                    assert answer.json()["counter"] == number
                    called.append(answer.json()["id"])

        with ThreadPoolExecutor(4) as pool:
            per_counter = list(pool.map(counter_loop, tokens))
    every_call = [ticket for calls in per_counter for ticket in calls]
    assert len(every_call) == 60
    assert len(set(every_call)) == 60  # no ticket went to two counters
    assert all(calls for calls in per_counter)  # every counter got work
