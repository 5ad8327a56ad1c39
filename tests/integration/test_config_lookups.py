"""Offices, queues, counters and priority groups are looked up on the config object, and an unknown one
is the same clear 4xx everywhere (it was a 500 on /stats and /ratings/stats)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from queue_server.config import UnknownOffice, load_config
from queue_server.domain.errors import InvalidInput, NotFound
from tests.conftest import DEMO_CONFIG
from tests.support import KIOSK, Server


@pytest.mark.parametrize(
    "path", ["/api/v1/stats", "/api/v1/ratings/stats", "/api/v1/queues", "/api/v1/counters"]
)
def test_an_unknown_office_is_a_404_on_every_route(server: Server, client: TestClient, path: str) -> None:
    staff = server.login(client, "canbo1")
    answer = client.get(path, params={"office": "NOPE"}, headers=staff)
    assert answer.status_code == 404, answer.text
    error = answer.json()["error"]
    assert error["code"] == "unknown_office"
    assert "NOPE" in error["message_vi"] and "NOPE" in error["message_en"]


def test_unknown_queue_counter_and_priority_answer_what_is_known(server: Server, client: TestClient) -> None:
    answer = client.post("/api/v1/tickets", json={"queue": "Z"}, headers=KIOSK)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "unknown_queue"
    assert "A, B, C" in answer.json()["error"]["message_vi"]
    answer = client.post("/api/v1/tickets", json={"queue": "a", "priority": "vip"}, headers=KIOSK)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "unknown_priority"
    staff = server.login(client, "canbo1")
    answer = client.post("/api/v1/counters/9/open", headers=staff)
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "unknown_counter"


def test_the_config_object_answers_lookups() -> None:
    config = load_config(DEMO_CONFIG)
    office = config.office(None)
    assert config.office(office.code) is office
    with pytest.raises(UnknownOffice) as raised:
        config.office("NOPE")
    assert isinstance(raised.value, NotFound) and isinstance(raised.value, KeyError)  # old callers still work
    assert office.queue(" b ").code == "B"
    with pytest.raises(NotFound):
        office.queue("Z")
    assert office.counter(3).weights == {"B": 1.0, "C": 2.0} and office.weights_of(99) == {}
    assert config.priority_group(None) is None and config.priority_group("pregnant") is not None
    with pytest.raises(InvalidInput):
        config.priority_group("vip")
