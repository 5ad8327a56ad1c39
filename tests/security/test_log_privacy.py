"""Medium 9: database errors logged full personal data (SQLAlchemy's parameters: ID, name, birth date,
address), e.g. a 300-character name from a QR on PostgreSQL. No personal data in any log line: a run full
of failing requests, logged at DEBUG, holds none of the ID numbers or names it used."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from queue_server.tables.citizens import CitizenClaim
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import (
    BINH_ID,
    BINH_QR,
    NHUNG_ID,
    NHUNG_QR,
    RESIDENCE,
    ct01_form,
    register,
    seated,
    submit,
    upload,
)
from tests.support import KIOSK, Server

LONG_NAME = "Nguyễn Văn Dàiquá " * 17  # 306 characters: longer than any name column
TYPED_ID = "036095000888"
TYPED_NAME = "Phạm Thị Bí Mật"
SECRETS = [NHUNG_ID, BINH_ID, TYPED_ID, "Hồng Nhung", "Văn Bình", TYPED_NAME, "Dàiquá", "Tân Phú", "01021999"]


def failing_requests(server: Server, client: TestClient) -> None:
    """Bad input of every kind, each refused (or failing) somewhere between the edge and the database."""
    long_qr = f"{NHUNG_ID}||{LONG_NAME}|01021999|Nữ|Thôn 3, xã Tân Phú, tỉnh Đồng Nai|15082021"
    assert client.post("/api/v1/citizens", json={"qr": long_qr}, headers=KIOSK).status_code == 422
    assert client.post("/api/v1/citizens", json={"qr": NHUNG_QR[:40]}, headers=KIOSK).status_code == 422
    typed = {"personal_id": TYPED_ID, "full_name": TYPED_NAME, "sex": "?"}
    assert client.post("/api/v1/citizens", json=typed, headers=KIOSK).status_code == 422
    typed_long = {"personal_id": TYPED_ID, "full_name": LONG_NAME[:120] + TYPED_NAME}
    assert client.post("/api/v1/citizens", json=typed_long, headers=KIOSK).status_code == 422
    client.post(
        "/api/v1/citizens", json={"personal_id": TYPED_ID, "full_name": f"{TYPED_NAME}\x00"}, headers=KIOSK
    )
    register(client)
    register(client, BINH_QR)
    assert upload(client, "GTCMCHO", personal_id="111111111111").status_code == 404
    wrong_form = ct01_form(BINH_ID, full_name=TYPED_NAME, birth_date="31/31/1999")
    assert submit(client, "kiosk-logs-000001", [], form=wrong_form).status_code == 422
    assert (
        submit(client, "kiosk-logs-000002", [999], personal_id=BINH_ID, form=ct01_form(BINH_ID)).status_code
        == 422
    )
    staff = seated(server, client, "canbo1", 1)
    verify = {"full_name": LONG_NAME, "birth_date": "1999-02-01", "sex": "Nữ", "card_check": "card_shown"}
    assert (
        client.post(
            "/api/v1/citizens/verify", json={"personal_id": NHUNG_ID, **verify}, headers=staff
        ).status_code
        == 422
    )
    client.post("/api/v1/citizens/person", json={"personal_id": TYPED_ID}, headers=staff)
    client.post(
        "/api/v1/public/dossiers/lookup", json={"code": "CAXTP-260310-0001", "birth_date": "1999-02-01"}
    )
    client.post(
        "/api/v1/citizens/documents",
        json={"personal_id": NHUNG_ID, "procedure": RESIDENCE, "claim": "x" * 30},
        headers=KIOSK,
    )


def database_errors(server: Server) -> list[str]:
    """Statements the database refuses, carrying a name and an ID: their errors, as a server logs them."""
    log = logging.getLogger("motcua.test")
    rows = [
        {  # no such citizen: a foreign key violation on both databases
            "token_hash": "f" * 64,
            "citizen_id": 987654,
            "source": "typed",
            "full_name": TYPED_NAME,
            "address": f"nhà của {NHUNG_ID}",
            "created_by": "device:kiosk-1",
            "created_at": T0,
        },
        {  # too long for the column (PostgreSQL refuses it; SQLite has no lengths)
            "token_hash": "e" * 64,
            "citizen_id": 1,
            "source": "qr",
            "full_name": LONG_NAME,
            "address": BINH_ID,
            "created_by": "device:kiosk-1",
            "created_at": T0,
        },
    ]
    messages = []
    for row in rows:
        try:
            with server.ctx.db.write() as session:
                session.execute(insert(CitizenClaim).values(**row))
        except DBAPIError as error:
            log.exception("write failed")
            messages.append(str(error))
    return messages


def test_no_personal_data_in_any_log_line(
    server: Server, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    with TestClient(server.app, raise_server_exceptions=False) as client:  # 500s are answered, and logged
        failing_requests(server, client)
    messages = database_errors(server)
    assert messages, "the database refused nothing: the test would prove nothing"
    captured = capfd.readouterr()
    # httpx is the test's own client here (it logs the URLs it asks for); everything else is the server's.
    full = logging.Formatter("%(name)s %(levelname)s %(message)s")  # with tracebacks, as a server logs
    server_lines = [full.format(r) for r in caplog.records if not r.name.startswith("httpx")]
    logged = "\n".join([*server_lines, captured.out, captured.err, *messages])
    assert "sqlalchemy.engine" in caplog.text or "SELECT" in caplog.text  # statements were logged at all
    assert "parameters hidden" in logged
    leaks = [secret for secret in SECRETS if secret in logged]
    assert leaks == [], f"personal data in the logs: {leaks}"
