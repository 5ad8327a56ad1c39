"""`motcua purge`: personal data past retention goes (rows and files); anonymous counts stay."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from motcua.cli import main
from queue_server.citizens.service import reveal_id
from queue_server.clock import ManualClock
from queue_server.tables.citizens import Citizen, CitizenClaim
from queue_server.tables.documents import Document
from queue_server.tables.dossiers import Dossier, DossierEvent
from queue_server.tables.ratings import Rating
from tests.conftest import DEMO_CONFIG, T0
from tests.fixtures.dossiers.helpers import (
    BINH_ID,
    BINH_QR,
    ct01_form,
    page_jpeg,
    register,
    seated,
    settle,
    submit,
    upload,
)
from tests.support import Server, client_for, make_server


def files_in(server: Server) -> list[Path]:
    root = server.services.cases.store.root
    return sorted(p for p in root.glob("??/??/*") if p.is_file())


def old_case_with_rating(server: Server) -> str:
    """Nhung's case from T0: two papers, refused with a reason, visit rated with a comment."""
    with client_for(server) as client:
        register(client)
        proof = upload(client, "GTCMCHO").json()["id"]
        consent = upload(client, "VBDONGY", [("c.jpg", page_jpeg("đồng ý", 5), "image/jpeg")]).json()["id"]
        answer = submit(client, "kiosk-old-case-01", [proof, consent]).json()
        code, ticket = answer["dossier"]["code"], answer["ticket"]
        staff = server.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)
        client.post(
            f"/api/v1/dossiers/{code}/request-papers",
            json={"reason": "Chủ hộ Nguyễn Văn An chưa ký"},
            headers=staff,
        )
        client.post("/api/v1/counters/1/call-next", headers=staff)
        client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=staff)
        client.post(f"/api/v1/tickets/{ticket['id']}/finish", headers=staff)
        made = client.post(
            "/api/v1/ratings",
            json={
                "ticket": ticket["public_code"],
                "score": 3,
                "reasons": ["wait"],
                "comment": "Tôi là Nhung, chờ lâu",
            },
        )
        assert made.status_code == 201
    return str(code)


def test_purge_removes_personal_data_and_keeps_the_counts(sqlite_url: str) -> None:
    clock = ManualClock(T0)
    server = make_server(sqlite_url, clock)
    code = old_case_with_rating(server)
    assert len(files_in(server)) == 2
    clock.advance(days=400)
    with client_for(server) as client:  # a recent citizen and case must survive
        register(client, BINH_QR)
        # The same page bytes as Nhung's proof: one stored file that two documents share.
        recent = upload(client, "GTCMCHO", personal_id=BINH_ID).json()["id"]
        kept = submit(client, "kiosk-new-case-01", [recent], personal_id=BINH_ID, form=ct01_form(BINH_ID))
        assert kept.status_code == 201

    dry = server.services.cases.purge.purge(older_than_days=365, dry_run=True)
    assert (dry.dossiers, dry.documents, dry.citizens, dry.rating_comments) == (1, 2, 1, 1)
    assert len(files_in(server)) == 2
    report = server.services.cases.purge.purge(older_than_days=365)
    assert (report.dossiers, report.documents, report.citizens, report.rating_comments) == (1, 2, 1, 1)
    assert report.files == 1 and len(files_in(server)) == 1  # the shared page stays for Binh

    with server.ctx.db.read() as session:
        old = session.scalar(select(Dossier).where(Dossier.code == code))
        assert old is not None
        assert (old.citizen_id, old.form_data, old.reason, old.purged_at) == (None, None, None, clock.now)
        assert (old.procedure_code, old.status, old.papers_new) == ("1.004222", "papers_requested", 2)
        events = list(session.scalars(select(DossierEvent).where(DossierEvent.dossier_id == old.id)))
        assert [e.action for e in events] == ["submit", "request-papers"]
        assert all(e.reason is None and e.data is None for e in events)
        assert [reveal_id(server.ctx.ids, c) for c in session.scalars(select(Citizen))] == [BINH_ID]
        # What the kiosk was told about Nhung went with her case; Binh's recent claims stay.
        assert {c.full_name for c in session.scalars(select(CitizenClaim))} == {"Trần Văn Bình"}
        assert session.scalar(select(func.count()).select_from(Document)) == 1
        rating = session.scalar(select(Rating))
        assert rating is not None and (rating.score, rating.reasons, rating.comment) == (3, ["wait"], None)

    with client_for(server) as client:
        staff = server.login(client, "giamsat")
        stats = client.get("/api/v1/dossiers/stats", params={"day": "2026-03-10"}, headers=staff).json()
        assert (stats["dossiers"], stats["papers_new"], stats["by_status"]) == (1, 2, {"papers_requested": 1})
        ratings = client.get("/api/v1/ratings/stats", params={"day": "2026-03-10"}, headers=staff).json()
        assert ratings["ratings"] == 1 and ratings["by_reason"] == {"wait": 1}
        lookup = client.post("/api/v1/public/dossiers/lookup", json={"code": code, "last4": "4567"})
        assert lookup.status_code == 404
        assert client.get(f"/api/v1/dossiers/{code}", headers=staff).json()["citizen"] is None
        assert client.get(f"/api/v1/dossiers/{code}/receipt", headers=staff).status_code == 409

    again = server.services.cases.purge.purge(older_than_days=365)
    assert (again.dossiers, again.documents, again.citizens, again.files) == (0, 0, 0, 0)


def test_a_document_still_used_by_a_live_case_is_kept(sqlite_url: str) -> None:
    clock = ManualClock(T0)
    server = make_server(sqlite_url, clock)
    with client_for(server) as client:
        register(client)
        proof = upload(client, "GTCMCHO").json()["id"]
        first = submit(client, "kiosk-first-case-1", [proof]).json()["dossier"]["code"]
        settle(client, seated(server, client, "canbo1", 1), first, ["GTCMCHO"])
        clock.advance(days=400)
        assert submit(client, "kiosk-reuse-later-1", [proof]).json()["dossier"]["papers_reused"] == 1
    report = server.services.cases.purge.purge(older_than_days=365)
    assert (report.dossiers, report.documents, report.citizens, report.files) == (1, 0, 0, 0)
    assert len(files_in(server)) == 1


def test_the_purge_command(tmp_path: Path, capsys: object) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    server = make_server(url, ManualClock(datetime(2020, 1, 7, 2, 0, tzinfo=UTC)))  # long before any run
    old_case_with_rating(server)
    server.ctx.db.dispose()
    common = ["--database-url", url, "--config", str(DEMO_CONFIG)]
    assert main(["purge", "--older-than", "365", "--dry-run", *common]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "would remove" in out and "1 dossier(s), 2 document(s), 1 citizen(s)" in out
    assert main(["purge", "--older-than", "365", *common]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert out.startswith("removed") and "2 file(s)" in out and "001199004567" not in out
    assert files_in(server) == []
    assert main(["purge", "--older-than", "0", *common]) == 2


def test_a_still_valid_result_of_the_office_is_never_purged(sqlite_url: str, tmp_path: Path) -> None:
    """An issued paper without an expiry date stays on file; one that expired goes; each kind keeps its own
    retention (photos: 30 days in this test's catalogue) instead of one period for everything."""
    config = tmp_path / "config"
    shutil.copytree(DEMO_CONFIG, config)
    catalogue = (config / "procedures.toml").read_text(encoding="utf-8")
    photo = 'code = "ANH4X6"\n'
    assert photo in catalogue
    (config / "procedures.toml").write_text(catalogue.replace(photo, photo + "retention_days = 30\n"))
    clock = ManualClock(T0)
    server = make_server(sqlite_url, clock, config_dir=config)
    with client_for(server) as client:
        register(client)
        staff = server.login(client, "canbo1")
        lasting = upload_as(client, staff, "GTCMCHO")
        expiring = upload_as(client, staff, "HDTHUE", valid_until="2026-06-30")
        portrait = upload(client, "ANH4X6").json()["id"]
    clock.advance(days=40)
    early = server.services.cases.purge.purge(older_than_days=365)
    assert early.documents == 1  # only the photo: its kind is kept 30 days
    clock.advance(days=400)
    report = server.services.cases.purge.purge(older_than_days=365)
    with server.ctx.db.read() as session:
        left = set(session.scalars(select(Document.id)))
    assert report.documents == 1 and left == {lasting}
    assert expiring not in left and portrait not in left


def upload_as(client: object, staff: dict[str, str], type_code: str, **fields: str) -> int:
    """A paper the office issued (a result), uploaded from the counter."""
    from tests.fixtures.dossiers.helpers import NHUNG_ID

    answer = client.post(  # type: ignore[attr-defined]
        "/api/v1/documents",
        data={"citizen_id": NHUNG_ID, "type": type_code, "source": "issued", **fields},
        files=[("files", ("kq.jpg", page_jpeg(type_code), "image/jpeg"))],
        headers=staff,
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])
