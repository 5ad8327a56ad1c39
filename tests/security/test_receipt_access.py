"""Medium 3: a kiosk key read name, masked ID and procedure of every received case through its receipt.
A kiosk may read only the receipt of a case it submitted itself, in the last few minutes (configurable)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.tables.citizens import PersonalDataAccess
from tests.fixtures.dossiers.helpers import seated, submit
from tests.support import KIOSK, Server

OTHER_KIOSK = {"X-Device-Key": "kiosk-key-for-tests-0002"}


@pytest.fixture
def code(server: Server, client: TestClient) -> str:
    server.services.auth.add_device(name="kiosk-2", role="kiosk", key=OTHER_KIOSK["X-Device-Key"])
    code = str(submit(client, "kiosk-receipt-00001", []).json()["dossier"]["code"])
    staff = seated(server, client, "canbo1", 1)
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 200
    return code


@pytest.mark.parametrize("path", ["receipt", "receipt.pdf"])
def test_another_kiosk_cannot_read_the_receipt(client: TestClient, code: str, path: str) -> None:
    answer = client.get(f"/api/v1/dossiers/{code}/{path}", headers=OTHER_KIOSK)
    assert answer.status_code == 403 and answer.json()["code"] == "receipt_not_for_this_kiosk"
    assert "Nhung" not in answer.text
    own = client.get(f"/api/v1/dossiers/{code}/{path}", headers=KIOSK)
    assert own.status_code == 200


def test_the_submitting_kiosk_reads_it_only_for_a_few_minutes(
    server: Server, client: TestClient, code: str
) -> None:
    assert isinstance(server.clock, ManualClock)
    server.clock.advance(minutes=server.ctx.settings.kiosk_receipt_minutes - 1)
    assert client.get(f"/api/v1/dossiers/{code}/receipt", headers=KIOSK).status_code == 200
    server.clock.advance(minutes=2)
    late = client.get(f"/api/v1/dossiers/{code}/receipt", headers=KIOSK)
    assert late.status_code == 403 and late.json()["code"] == "receipt_not_for_this_kiosk"


def test_staff_reads_of_receipts_are_audited(server: Server, client: TestClient, code: str) -> None:
    staff = server.login(client, "canbo1")
    assert client.get(f"/api/v1/dossiers/{code}/receipt", headers=staff).status_code == 200
    with server.ctx.db.read() as session:
        rows = list(
            session.scalars(select(PersonalDataAccess).where(PersonalDataAccess.action == "dossier.receipt"))
        )
    assert [(r.actor, r.dossier_code, r.route) for r in rows] == [
        ("user:canbo1", code, "GET /api/v1/dossiers/{code}/receipt")
    ]
