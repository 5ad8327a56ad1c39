"""Age priority is decided on the server, from the citizen's birth date and the groups' min_age and max_age
(max_age was validated and never read; the kiosk decided "60 or over" itself)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.conftest import DEMO_CONFIG, T0
from tests.support import KIOSK, Server, client_for, make_server

CHILD_GROUP = """
[[group]]
code = "child"
name_vi = "Trẻ em dưới 6 tuổi"
name_en = "Child under 6"
max_age = 5
"""
TODAY = T0.date()  # 2026-03-10, morning in Hà Nội


@pytest.fixture
def server(sqlite_url: str, tmp_path: Path) -> Server:
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    with (config / "priority.toml").open("a", encoding="utf-8") as groups:
        groups.write(CHILD_GROUP)
    return make_server(sqlite_url, ManualClock(T0), config_dir=config)


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def offered(client: TestClient, birth: date | None) -> tuple[str | None, set[str]]:
    params = {"birth_date": birth.isoformat()} if birth else {}
    groups = client.get("/api/v1/priority-groups", params=params).json()
    suggested = [g["code"] for g in groups if g["suggested"]]
    assert len(suggested) <= 1
    return (suggested[0] if suggested else None), {g["code"] for g in groups if g["eligible"]}


def test_the_server_offers_the_age_group_that_fits_the_birth_date(client: TestClient) -> None:
    assert offered(client, date(1960, 3, 10)) == ("elderly", {"elderly"})  # 66
    assert offered(client, date(1966, 3, 11)) == (None, set())  # 59, sixty tomorrow
    assert offered(client, date(1966, 3, 10)) == ("elderly", {"elderly"})  # sixty today
    assert offered(client, date(2020, 3, 11)) == ("child", {"child"})  # 5
    assert offered(client, date(2020, 3, 10)) == (None, set())  # 6 today: no longer under 6
    assert offered(client, None) == (None, set())
    groups = {g["code"]: g for g in client.get("/api/v1/priority-groups").json()}
    assert groups["child"]["max_age"] == 5 and groups["child"]["by_age"]
    assert not groups["pregnant"]["by_age"]  # declared, not decided by age


def test_an_age_group_asked_for_must_fit_the_birth_date_sent(client: TestClient) -> None:
    def take(priority: str, birth: str | None) -> tuple[int, str]:
        body = {"queue": "A", "priority": priority, **({"birth_date": birth} if birth else {})}
        answer = client.post("/api/v1/tickets", json=body, headers=KIOSK)
        return answer.status_code, answer.json().get("priority") or answer.json().get("error", {}).get("code")

    assert take("child", "2022-01-01") == (201, "child")
    assert take("child", "1990-01-01") == (422, "priority_not_eligible")
    assert take("elderly", "1990-01-01") == (422, "priority_not_eligible")
    assert take("elderly", "1950-01-01") == (201, "elderly")
    assert take("pregnant", "1990-01-01") == (201, "pregnant")  # not an age group: the citizen declares it
    assert take("elderly", "2030-01-01") == (422, "bad_birth_date")
    refused = client.post(
        "/api/v1/tickets", json={"queue": "A", "priority": "child", "birth_date": "1990-01-01"}, headers=KIOSK
    ).json()["error"]
    assert "Trẻ em dưới 6 tuổi" in refused["message_vi"] and "Child under 6" in refused["message_en"]
