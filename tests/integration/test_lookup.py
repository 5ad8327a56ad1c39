"""Public status lookup: code + second factor, nothing more, and limits so codes cannot be walked."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.fixtures.dossiers.helpers import register, seated, submit
from tests.support import Server

LOOKUP = "/api/v1/public/dossiers/lookup"
ANSWER_KEYS = {
    "code",
    "status",
    "status_number",
    "status_name_vi",
    "status_name_en",
    "procedure_name_vi",
    "office_name_vi",  # where to bring missing papers
    "office_name_en",
    "procedure_name_en",
    "due_date",
    "missing",
    "missing_reason",
}


@pytest.fixture
def client(client: TestClient) -> TestClient:
    register(client)  # the conftest's client, with a citizen on file
    return client


@pytest.fixture
def code(client: TestClient) -> str:
    return str(submit(client, "kiosk-lookup-0001", []).json()["dossier"]["code"])


def test_lookup_answers_status_due_date_and_what_is_missing_only(
    server: Server, client: TestClient, code: str
) -> None:
    fresh = client.post(LOOKUP, json={"code": code, "last4": "4567"})
    assert fresh.status_code == 200 and set(fresh.json()) == ANSWER_KEYS
    assert fresh.json()["status"] == "new" and [m["type"] for m in fresh.json()["missing"]] == ["GTCMCHO"]
    staff = seated(server, client, "canbo1", 1)
    client.post(
        f"/api/v1/dossiers/{code}/request-papers",
        json={"reason": "Cần bản sao sổ đỏ", "papers": ["GTCMCHO", "GTQHNT"]},
        headers=staff,
    )
    by_birth = client.post(LOOKUP, json={"code": code.lower(), "last4": "4567"}).json()
    assert (
        by_birth["status"] == "papers_requested" and by_birth["status_name_vi"] == "Yêu cầu bổ sung giấy tờ"
    )
    assert [m["type"] for m in by_birth["missing"]] == ["GTCMCHO", "GTQHNT"]
    assert by_birth["missing_reason"] == "Cần bản sao sổ đỏ"
    client.post(f"/api/v1/dossiers/{code}/receive", headers=staff)
    received = client.post(LOOKUP, json={"code": code, "last4": "4567"}).json()
    assert received["due_date"] == "2026-03-19" and received["missing"] == []
    text = str(received)
    assert "Nhung" not in text and "001199" not in text


def test_a_wrong_second_factor_looks_like_an_unknown_code(client: TestClient, code: str) -> None:
    wrong = client.post(LOOKUP, json={"code": code, "last4": "0000"})
    unknown = client.post(LOOKUP, json={"code": "CAXTP-260310-0999", "last4": "4567"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "dossier_not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"code": "CAXTP-260310-0001"},
        {"code": "CAXTP-260310-0001", "last4": "4567", "birth_date": "1999-02-01"},
        {"code": "CAXTP-260310-0001", "birth_date": "1999-02-01"},  # a kiosk could set a birth date
        {"code": "CAXTP-260310-0001", "last4": "45a7"},
        {"code": "x", "last4": "4567"},
    ],
)
def test_malformed_lookups_are_refused(client: TestClient, body: dict[str, str]) -> None:
    answer = client.post(LOOKUP, json=body)
    assert answer.status_code == 422 and answer.json()["code"] == "invalid_request"


def test_wrong_guesses_lock_the_code_with_a_retry_after(
    server: Server, client: TestClient, code: str
) -> None:
    for guess in ("0001", "0002", "0003", "0004", "0005"):
        assert client.post(LOOKUP, json={"code": code, "last4": guess}).status_code == 404
    locked = client.post(LOOKUP, json={"code": code, "last4": "4567"})  # even the right answer waits now
    assert locked.status_code == 429 and locked.json()["code"] == "too_many_lookups"
    assert locked.headers["Retry-After"] == "900" and locked.json()["error"]["details"] == {
        "retry_after_s": 900
    }
    assert "15 phút" in locked.json()["message"]
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(minutes=15)
    assert client.post(LOOKUP, json={"code": code, "last4": "4567"}).status_code == 200


def test_one_client_cannot_walk_codes(server: Server, client: TestClient, code: str) -> None:
    day_codes = [f"CAXTP-260310-{n:04d}" for n in range(2, 12)]
    answers = [client.post(LOOKUP, json={"code": c, "last4": "4567"}).status_code for c in day_codes]
    assert answers == [404] * 10
    walked = client.post(LOOKUP, json={"code": "CAXTP-260310-0012", "last4": "4567"})
    assert walked.status_code == 429 and int(walked.headers["Retry-After"]) == 60
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(seconds=61)
    assert client.post(LOOKUP, json={"code": code, "last4": "4567"}).status_code == 200
