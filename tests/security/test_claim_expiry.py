"""Issue 12 (High, follow-up): a kiosk's claim (who the citizen said they were, with its token) was kept for
ever when no case was submitted: the token kept opening the checklist, and the name, birth date and address
stayed in `citizen_claim`. Now a claim ends after `claim_minutes` (MOTCUA_CLAIM_MINUTES, 60 by default):
refused after that, and deleted by the server's loop unless a submitted case holds it."""

from __future__ import annotations

import pytest

from queue_server.clock import ManualClock
from queue_server.settings import ServerSettings
from queue_server.tables.citizens import CitizenClaim
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import NHUNG_ID, RESIDENCE, register, submit, upload
from tests.support import KIOSK, Server, client_for, make_server, wait_for


@pytest.fixture
def server(database_url: str) -> Server:
    return make_server(database_url, ManualClock(T0))


def _clock(server: Server) -> ManualClock:
    assert isinstance(server.clock, ManualClock)
    return server.clock


def _claims(server: Server) -> dict[int, str | None]:
    with server.ctx.db.read() as session:
        return {c.id: c.full_name for c in session.query(CitizenClaim)}


def test_the_setting_bounds_a_claim() -> None:
    assert ServerSettings().claim_minutes == 60
    assert ServerSettings(claim_minutes=15).claim_minutes == 15
    with pytest.raises(ValueError):
        ServerSettings(claim_minutes=0)


def test_an_unsubmitted_claim_expires_and_is_deleted_a_submitted_one_stays(server: Server) -> None:
    with client_for(server) as client:
        kept = register(client)  # the citizen files a case with this one
        paper = upload(client, "GTCMCHO")
        assert paper.status_code == 201, paper.text
        case = submit(client, "claim-expiry-1", [paper.json()["id"]], claim=kept["claim"])
        assert case.status_code == 201, case.text
        left = register(client)  # scanned again, then walked away
        checklist = {"personal_id": NHUNG_ID, "procedure": RESIDENCE, "claim": left["claim"]}
        fresh = client.post("/api/v1/citizens/documents", json=checklist, headers=KIOSK)
        assert fresh.status_code == 200, fresh.text
    assert len(_claims(server)) == 2

    _clock(server).advance(minutes=61)
    with client_for(server) as client:  # the server's loop runs at start, then every minute
        assert wait_for(lambda: len(_claims(server)) == 1, seconds=30)
        late = client.post("/api/v1/citizens/documents", json=checklist, headers=KIOSK)
        assert late.status_code == 422 and late.json()["error"]["code"] == "bad_claim", late.text
        staff = server.login(client, "canbo1")
        view = client.get(f"/api/v1/dossiers/{case.json()['dossier']['code']}", headers=staff)
        assert view.status_code == 200 and view.json()["citizen"]["source"] == "qr", view.text
    assert list(_claims(server).values()) == ["Nguyễn Thị Hồng Nhung"]  # the case's claim


def test_an_old_claim_is_refused_even_before_the_loop_deletes_it(server: Server) -> None:
    with client_for(server) as client:
        held = register(client)
        paper = upload(client, "GTCMCHO")
        _clock(server).advance(minutes=61)
        late = submit(client, "claim-expiry-2", [paper.json()["id"]], claim=held["claim"])
        assert late.status_code == 422 and late.json()["error"]["code"] == "claim_expired", late.text
        again = register(client)  # identifying again works at once
        ok = submit(client, "claim-expiry-3", [paper.json()["id"]], claim=again["claim"])
        assert ok.status_code == 201, ok.text
