"""Medium 10: ID numbers were stored in clear, `serve` took an empty secret and MOTCUA_DEMO could switch it
into demo mode. ID numbers, paper codes `<ID>.<type>` and declarations are sealed (AES-GCM, key id beside
them) and found by an HMAC; keys rotate with `motcua keys rotate`; `serve` refuses weak secrets."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from queue_server.app import build_context, create_app
from queue_server.clock import ManualClock
from queue_server.db.base import Base
from queue_server.db.engine import Database
from queue_server.db.migrate import alembic_config
from queue_server.sealing import PERSONAL_ID, IdVault, UnknownKey
from queue_server.settings import ServerSettings
from queue_server.tables.citizens import Citizen
from queue_server.tables.documents import Document
from tests.conftest import DEMO_CONFIG, ROOT, T0
from tests.fixtures.dossiers.helpers import (
    BINH_ID,
    NHUNG_ID,
    claim_typed,
    ct01_form,
    register,
    seated,
    submit,
    upload,
)
from tests.support import KIOSK, Server, make_server

OLD = "test-secret-" + "x" * 20  # make_server's
NEW = "a-new-secret-for-the-province-" + "y" * 20


def everything_stored(server: Server) -> str:
    """Every row of every table, as text."""
    with server.ctx.db.read() as session:
        return "\n".join(
            str(row) for table in Base.metadata.sorted_tables for row in session.execute(select(table)).all()
        )


def a_case(server: Server, client: TestClient) -> str:
    register(client)
    paper = upload(client, "GTCMCHO").json()["id"]
    code = str(submit(client, "kiosk-seal-000001", [paper]).json()["dossier"]["code"])
    claim_typed(client, BINH_ID, full_name="Trần Văn Bình")
    staff = seated(server, client, "canbo1", 1)
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 200
    return code


def test_no_id_number_or_paper_code_is_stored_in_clear(server: Server, client: TestClient) -> None:
    a_case(server, client)
    stored = everything_stored(server)
    for clear in (NHUNG_ID, BINH_ID, f"{NHUNG_ID}.GTCMCHO", "0912345678"):
        assert clear not in stored, clear
    for clear in (NHUNG_ID, BINH_ID):  # the look-up hash is keyed: a plain hash could be brute-forced
        assert hashlib.sha256(clear.encode()).hexdigest() not in stored
    with server.ctx.db.read() as session:
        citizen = session.scalars(select(Citizen)).first()
        document = session.scalars(select(Document)).first()
    assert citizen is not None and document is not None
    assert citizen.personal_id_key == document.code_key == server.ctx.ids.key_id


def test_sealed_values_are_authenticated_bound_to_their_purpose_and_key() -> None:
    vault = IdVault(OLD)
    sealed = vault.seal(NHUNG_ID, PERSONAL_ID)
    assert vault.open(sealed.ciphertext, sealed.key_id, PERSONAL_ID) == NHUNG_ID
    assert vault.seal(NHUNG_ID, PERSONAL_ID).ciphertext != sealed.ciphertext  # a fresh nonce each time
    assert vault.seal(NHUNG_ID, PERSONAL_ID).lookup == sealed.lookup  # the same look-up hash
    tampered = sealed.ciphertext[:-4] + ("AAAA" if not sealed.ciphertext.endswith("AAAA") else "BBBB")
    for ciphertext, purpose in ((tampered, PERSONAL_ID), (sealed.ciphertext, "document.code")):
        with pytest.raises(UnknownKey):
            vault.open(ciphertext, sealed.key_id, purpose)
    with pytest.raises(UnknownKey):
        IdVault(NEW).open(sealed.ciphertext, sealed.key_id, PERSONAL_ID)
    assert IdVault(NEW).key_id != vault.key_id
    both = IdVault(NEW, [OLD])
    assert both.open(sealed.ciphertext, sealed.key_id, PERSONAL_ID) == NHUNG_ID
    assert sealed.lookup in both.lookup_hashes(NHUNG_ID, PERSONAL_ID)
    with pytest.raises(ValueError):
        IdVault("")


def reopen(database_url: str, secret: str, old: list[str] | None = None) -> TestClient:
    settings = ServerSettings(
        database_url=database_url, config_dir=DEMO_CONFIG, secret=secret, old_secrets=old or []
    )
    return TestClient(create_app(build_context(settings, ManualClock(T0))))


def test_keys_rotate_reseals_every_row_and_both_keys_read_meanwhile(
    server: Server, client: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.cli import main

    code = a_case(server, client)
    old_key = server.ctx.ids.key_id
    with reopen(database_url, NEW, [OLD]) as during:  # several key ids readable at once
        staff = seated(server, during, "canbo2", 2)
        case = during.get(f"/api/v1/dossiers/{code}", headers=staff).json()
        assert case["citizen"]["personal_id"] == NHUNG_ID and case["form"]["personal_id"] == NHUNG_ID
        assert (
            during.post("/api/v1/citizens", json={"personal_id": NHUNG_ID}, headers=KIOSK).status_code == 201
        )
    with server.ctx.db.read() as session:
        assert len(list(session.scalars(select(Citizen)))) == 2  # found under the old key, not added again

    monkeypatch.setenv("MOTCUA_SECRET", NEW)
    assert (
        main(
            [
                "keys",
                "rotate",
                "--old-secret",
                OLD,
                "--database-url",
                database_url,
                "--config",
                str(DEMO_CONFIG),
            ]
        )
        == 0
    )
    new_key = IdVault(NEW).key_id
    with server.ctx.db.read() as session:
        keys = {c.personal_id_key for c in session.scalars(select(Citizen))}
        keys |= {d.code_key for d in session.scalars(select(Document))}
        forms = {str(row[0]) for row in session.execute(text("SELECT form_data FROM dossier")).all()}
    assert keys == {new_key} and all(new_key in form and old_key not in form for form in forms)

    with reopen(database_url, NEW) as after:  # the old secret is no longer needed
        staff = seated(server, after, "canbo3", 3)
        case = after.get(f"/api/v1/dossiers/{code}", headers=staff).json()
        assert case["citizen"]["personal_id"] == NHUNG_ID and case["papers"][0]["document"][
            "code"
        ].startswith(NHUNG_ID)
        looked_up = after.post("/api/v1/public/dossiers/lookup", json={"code": code, "last4": "4567"})
        assert looked_up.status_code == 200
    with server.ctx.db.read() as session:  # and the old key opens nothing any more
        citizen = session.scalars(select(Citizen)).first()
        assert citizen is not None
        with pytest.raises(UnknownKey):
            IdVault(OLD).open(citizen.personal_id_enc, citizen.personal_id_key, PERSONAL_ID)


def test_the_migration_seals_clear_rows_of_an_older_database(empty_database_url: str) -> None:
    db = Database(empty_database_url)
    config = alembic_config(db)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    at = datetime(2026, 3, 10, 2, tzinfo=UTC)
    with db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO citizen (id, personal_id, full_name, birth_date, sex, address, created_at, updated_at)"
                " VALUES (1, :p, 'Nguyễn Thị Hồng Nhung', :b, 'Nữ', 'Thôn 3', :at, :at)"
            ),
            {"p": NHUNG_ID, "b": date(1999, 2, 1), "at": at},
        )
        connection.execute(
            text(
                "INSERT INTO document (id, citizen_id, type_code, code, source, created_by, created_at)"
                " VALUES (1, 1, 'GTCMCHO', :c, 'kiosk', 'device:kiosk-1', :at)"
            ),
            {"c": f"{NHUNG_ID}.GTCMCHO", "at": at},
        )
        connection.execute(
            text(
                "INSERT INTO dossier (id, code, office, business_day, sequence, procedure_code, citizen_id, status,"
                " form_data, submitted_by, submitted_at, papers_reused, papers_new, papers_resupplied, updated_at)"
                " VALUES (1, 'CAXTP-260310-0001', 'CAXTP', :d, 1, '1.004222', 1, 'new', :f, 'device:kiosk-1',"
                " :at, 0, 1, 0, :at)"
            ),
            {"d": date(2026, 3, 10), "f": __import__("json").dumps(ct01_form()), "at": at},
        )
        connection.execute(
            text(
                "INSERT INTO dossier_document (dossier_id, document_id, type_code, reused, resupplied, added_at)"
                " VALUES (1, 1, 'GTCMCHO', false, false, :at)"
            ),
            {"at": at},
        )
    db.dispose()
    server = make_server(empty_database_url, ManualClock(T0))  # builds its context: migrates with its secret
    stored = everything_stored(server)
    assert NHUNG_ID not in stored and "0912345678" not in stored
    with TestClient(server.app) as client:
        staff = seated(server, client, "canbo1", 1)
        case = client.get("/api/v1/dossiers/CAXTP-260310-0001", headers=staff).json()
        assert case["citizen"]["personal_id"] == NHUNG_ID and case["citizen"]["source"] == "legacy"
        assert case["citizen"]["full_name"] == "Nguyễn Thị Hồng Nhung" and case["form"] == ct01_form()
        assert case["papers"][0]["document"]["code"] == f"{NHUNG_ID}.GTCMCHO"
        person = client.post("/api/v1/citizens/person", json={"personal_id": NHUNG_ID}, headers=staff).json()
        assert person["verified"] is False and person["full_name"] is None  # kiosk-given facts were claims


def serve(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("MOTCUA_SECRET", "MOTCUA_DEMO")}
    return subprocess.run(
        [sys.executable, "-m", "motcua", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        env={**base, "MOTCUA_CONFIG_DIR": str(DEMO_CONFIG), **env},
        cwd=ROOT,
        check=False,
        timeout=120,  # a server that starts would run until killed: the test then fails
    )


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("", "MOTCUA_SECRET is empty"),
        ("short-but-not-default", "shorter than 32 bytes"),
        ("é" * 15, "32 bytes"),
    ],
)
def test_serve_refuses_empty_and_short_secrets(empty_sqlite_url: str, secret: str, message: str) -> None:
    done = serve({"MOTCUA_DATABASE_URL": empty_sqlite_url, "MOTCUA_SECRET": secret})
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not Path(
        empty_sqlite_url.removeprefix("sqlite:///")
    ).exists()  # refused before touching the database


def test_motcua_demo_in_the_environment_does_not_make_serve_a_demo(sqlite_url: str) -> None:
    done = serve({"MOTCUA_DATABASE_URL": sqlite_url, "MOTCUA_DEMO": "1"})
    assert done.returncode == 2 and "MOTCUA_SECRET is the default" in done.stderr, done.stderr
