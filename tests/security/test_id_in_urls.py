"""Issue 12 (personal data): ID numbers travelled in addresses (`/citizens/{id}`, `/citizens/{id}/documents`,
`/citizens/{id}/verify`), so every reverse proxy's access log kept them. Now the number goes in the JSON body of
POST /citizens/person, /citizens/documents and /citizens/verify; the old addresses answer 410
`id_in_path_gone` saying where to go, without repeating the number.

The check: a real uvicorn with its access log on serves a whole case — the kiosk (through its own client code)
identifies a citizen by QR and by a typed number, reads the checklist, uploads and submits; an officer
verifies the card, reads the person, the papers, the case and its receipt; the public looks the case up —
and no 12-digit number appears anywhere in the access log."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from kiosk.api import KioskApi
from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import NHUNG_ID, NHUNG_QR, RESIDENCE, ct01_form, page_jpeg
from tests.support import KIOSK, KIOSK_KEY, Server, client_for, free_port, make_server, wait_for

TYPED_ID = "079085001234"
TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


@pytest.fixture
def server(database_url: str) -> Server:
    return make_server(database_url, ManualClock(T0))


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_log() -> Iterator[_Lines]:
    handler = _Lines()
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture
def base(server: Server, access_log: _Lines) -> Iterator[str]:
    """The app under uvicorn with its access log on, as a deployment behind a proxy logs requests."""
    port = free_port()
    config = uvicorn.Config(
        server.app, host="127.0.0.1", port=port, log_level="info", access_log=True, log_config=None
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    assert wait_for(lambda: instance.started, seconds=30)
    yield url
    instance.should_exit = True
    thread.join()


def _ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def _kiosk_checklist(base: str, personal_id: str, claim: str) -> dict[str, Any]:
    async def read() -> dict[str, Any]:
        api = KioskApi(base, KIOSK_KEY)
        try:
            return await api.checklist(personal_id, RESIDENCE, claim)
        finally:
            await api.aclose()

    return asyncio.run(read())


def test_a_whole_case_leaves_no_id_number_in_the_access_log(
    server: Server, base: str, access_log: _Lines
) -> None:
    with httpx.Client(base_url=base, timeout=60) as http:
        claim = _ok(http.post("/api/v1/citizens", json={"qr": NHUNG_QR}, headers=KIOSK), 201)["claim"]
        typed = _ok(http.post("/api/v1/citizens", json={"personal_id": TYPED_ID}, headers=KIOSK), 201)
        assert typed["claim"]
        checklist = _kiosk_checklist(base, NHUNG_ID, claim)
        assert checklist["needed"] == ["GTCMCHO"]
        paper = _ok(
            http.post(
                "/api/v1/documents",
                data={"citizen_id": NHUNG_ID, "type": "GTCMCHO"},
                files=[("files", ("trang-1.jpg", page_jpeg("so do"), "image/jpeg"))],
                headers=KIOSK,
            ),
            201,
        )
        body = {
            "procedure": RESIDENCE,
            "citizen_id": NHUNG_ID,
            "form": ct01_form(),
            "documents": [paper["id"]],
            "idempotency_key": "access-log-0001",
            "claim": claim,
        }
        case = _ok(http.post("/api/v1/dossiers", json=body, headers=KIOSK), 201)["dossier"]

        staff = {
            "Authorization": "Bearer "
            + _ok(
                http.post(
                    "/api/v1/auth/login", json={"username": "canbo1", "password": "mat-khau-thu-nghiem"}
                )
            )["access_token"]
        }
        _ok(http.post("/api/v1/counters/1/open", headers=staff))
        facts = {
            "personal_id": NHUNG_ID,
            "full_name": "Nguyễn Thị Hồng Nhung",
            "birth_date": "1999-02-01",
            "sex": "Nữ",
            "card_check": "card_shown",
        }
        _ok(http.post("/api/v1/citizens/verify", json=facts, headers=staff))
        person = _ok(http.post("/api/v1/citizens/person", json={"personal_id": NHUNG_ID}, headers=staff))
        assert person["verified"] is True
        listing = _ok(http.post("/api/v1/citizens/documents", json={"personal_id": NHUNG_ID}, headers=staff))
        assert listing["documents"]
        _ok(http.get(f"/api/v1/dossiers/{case['code']}", headers=staff))
        _ok(http.post(f"/api/v1/dossiers/{case['code']}/receive", headers=staff))
        assert http.get(f"/api/v1/dossiers/{case['code']}/receipt", headers=KIOSK).status_code == 200
        assert http.get(f"/api/v1/documents/{paper['id']}/pages/1", headers=staff).status_code == 200
        _ok(http.post("/api/v1/public/dossiers/lookup", json={"code": case["code"], "last4": NHUNG_ID[-4:]}))

    assert wait_for(lambda: any("/public/dossiers/lookup" in line for line in access_log.lines), seconds=30)
    requests = [line for line in access_log.lines if "HTTP/1.1" in line]
    assert len(requests) >= 14, access_log.lines  # the log did record the flow
    leaked = [line for line in requests if TWELVE_DIGITS.search(line)]
    assert leaked == []


@pytest.mark.parametrize(
    ("method", "old", "instead"),
    [
        ("GET", f"/api/v1/citizens/{NHUNG_ID}", "POST /api/v1/citizens/person"),
        (
            "GET",
            f"/api/v1/citizens/{NHUNG_ID}/documents?procedure={RESIDENCE}",
            "POST /api/v1/citizens/documents",
        ),
        ("POST", f"/api/v1/citizens/{NHUNG_ID}/verify", "POST /api/v1/citizens/verify"),
    ],
)
def test_the_old_addresses_answer_410_saying_where_to_go(
    server: Server, method: str, old: str, instead: str
) -> None:
    with client_for(server) as client:
        staff = server.login(client, "canbo1")
        answer = client.request(method, old, headers=staff, json={} if method == "POST" else None)
    assert answer.status_code == 410, answer.text
    error = answer.json()["error"]
    assert (
        error["code"] == "id_in_path_gone"
        and instead in error["message_en"]
        and instead in error["message_vi"]
    )
    assert NHUNG_ID not in answer.text
