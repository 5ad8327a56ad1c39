"""Medium 2: any staff account, seated nowhere, could receive, refuse or withdraw any case of any office.
Acting on a case needs a seat at a counter of the case's office, or being a supervisor/admin of it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.auth.principal import Principal, Role
from queue_server.dossiers.access import manages_office
from queue_server.tables.dossiers import DossierEvent
from tests.fixtures.dossiers.helpers import seated, submit
from tests.support import Server


@pytest.mark.parametrize(
    ("action", "body"),
    [("receive", None), ("refuse", {"reason": "Không thuộc thẩm quyền"}), ("withdraw", {"reason": "Rút"})],
)
def test_staff_seated_nowhere_cannot_act_on_a_case(
    server: Server, client: TestClient, action: str, body: dict[str, str] | None
) -> None:
    code = submit(client, "kiosk-access-000001", []).json()["dossier"]["code"]
    unseated = server.login(client, "canbo4")
    refused = client.post(f"/api/v1/dossiers/{code}/{action}", json=body, headers=unseated)
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "not_seated_in_office" and "quầy" in refused.json()["message"]
    staff = seated(server, client, "canbo1", 1)
    assert client.get(f"/api/v1/dossiers/{code}", headers=staff).json()["status"] == "new"
    with server.ctx.db.read() as session:
        assert [e.action for e in session.scalars(select(DossierEvent))] == ["submit"]
    done = client.post(f"/api/v1/dossiers/{code}/{action}", json=body, headers=staff)
    assert done.status_code == 200, done.text
    assert done.json()["events"][-1]["counter"] == 1 and done.json()["events"][-1]["actor"] == "user:canbo1"


def test_a_closed_counter_is_no_seat(server: Server, client: TestClient) -> None:
    code = submit(client, "kiosk-access-000002", []).json()["dossier"]["code"]
    staff = seated(server, client, "canbo2", 2)
    assert client.post("/api/v1/counters/2/close", headers=staff).status_code == 200
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 403


def test_a_supervisor_of_the_office_acts_without_a_seat(server: Server, client: TestClient) -> None:
    code = submit(client, "kiosk-access-000003", []).json()["dossier"]["code"]
    supervisor = server.login(client, "giamsat")
    done = client.post(f"/api/v1/dossiers/{code}/receive", headers=supervisor)
    assert done.status_code == 200 and done.json()["events"][-1]["counter"] is None


def test_managers_act_only_in_their_office_and_below(server: Server) -> None:
    office = server.ctx.config.default_office.code
    config = server.ctx.config
    head = Principal("user", 1, "truong", Role.SUPERVISOR, office)
    elsewhere = Principal("user", 2, "khac", Role.SUPERVISOR, "OTHER")
    staff = Principal("user", 3, "canbo", Role.STAFF, office)
    assert manages_office(config, head, office) and not manages_office(config, elsewhere, office)
    assert not manages_office(config, staff, office)
