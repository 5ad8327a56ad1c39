"""Issue 12, medium 6: papers photographed at a kiosk and never attached to a submitted case stayed for ever
(a person's papers, and disk anyone with a kiosk key could fill). Now the server's maintenance loop deletes
them after `unattached_upload_hours` (24 h), rows and files; nothing of an attached paper is touched."""

from __future__ import annotations

import pytest

from queue_server.clock import ManualClock
from queue_server.tables.documents import Document, DocumentPage
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import page_jpeg, register, submit, upload
from tests.support import Server, client_for, make_server, wait_for


@pytest.fixture
def server(database_url: str) -> Server:
    return make_server(database_url, ManualClock(T0))


def _clock(server: Server) -> ManualClock:
    assert isinstance(server.clock, ManualClock)
    return server.clock


def _documents(server: Server) -> set[int]:
    with server.ctx.db.read() as session:
        return set(session.scalars(Document.__table__.select().with_only_columns(Document.id)))


def _page_hashes(server: Server, document_id: int) -> list[str]:
    with server.ctx.db.read() as session:
        query = DocumentPage.__table__.select().with_only_columns(DocumentPage.sha256)
        return list(session.scalars(query.where(DocumentPage.document_id == document_id)))


def _stored(server: Server, digest: str) -> bool:
    return server.services.cases.documents.store.path(digest).exists()


def test_unattached_uploads_are_deleted_after_24_hours_by_the_servers_loop(server: Server) -> None:
    with client_for(server) as client:
        register(client)
        attached = upload(client, "GTCMCHO", [("a.jpg", page_jpeg("attached", seed=1), "image/jpeg")])
        left = upload(client, "HDTHUE", [("b.jpg", page_jpeg("left behind", seed=2), "image/jpeg")])
        assert attached.status_code == 201 and left.status_code == 201, (attached.text, left.text)
        case = submit(client, "unattached-1", [attached.json()["id"]])
        assert case.status_code == 201, case.text
    attached_id, left_id = attached.json()["id"], left.json()["id"]
    attached_files, left_files = _page_hashes(server, attached_id), _page_hashes(server, left_id)
    assert all(_stored(server, d) for d in attached_files + left_files)

    _clock(server).advance(hours=23, minutes=59)
    with client_for(server) as client:  # the server starts: its loop sweeps at once, then every minute
        _sweeps_done(server)
    assert {attached_id, left_id} <= _documents(server)  # not yet 24 hours

    _clock(server).advance(minutes=2)
    with client_for(server) as client:
        assert wait_for(lambda: left_id not in _documents(server), seconds=30)
        staff = server.login(client, "canbo1")
        gone = client.get(f"/api/v1/documents/{left_id}", headers=staff)
        assert gone.status_code == 404 and gone.json()["error"]["code"] == "document_not_found"
        kept = client.get(f"/api/v1/documents/{attached_id}/pages/1", headers=staff)
        assert kept.status_code == 200, kept.text
    assert _page_hashes(server, left_id) == []
    assert not any(_stored(server, d) for d in left_files)
    assert all(_stored(server, d) for d in attached_files)
    assert attached_id in _documents(server)


def _sweeps_done(server: Server) -> None:
    """The loop's first round is over once a sweep in this process finds nothing more to do."""
    report = server.services.cases.purge.expire_leftovers()
    assert report.documents == 0 and report.files == 0, report


def test_an_upload_younger_than_24_hours_stays_even_when_old_ones_go(server: Server) -> None:
    with client_for(server) as client:
        register(client)
        old = upload(client, "HDTHUE", [("b.jpg", page_jpeg("old", seed=3), "image/jpeg")])
        _clock(server).advance(hours=12)
        young = upload(client, "HDTHUE", [("c.jpg", page_jpeg("young", seed=4), "image/jpeg")])
    assert old.status_code == 201 and young.status_code == 201
    _clock(server).advance(hours=12, minutes=1)
    report = server.services.cases.purge.expire_leftovers()
    assert report.documents == 1 and report.files == 1
    assert young.json()["id"] in _documents(server) and old.json()["id"] not in _documents(server)
    _clock(server).advance(hours=12)
    assert server.services.cases.purge.expire_leftovers().documents == 1
    assert young.json()["id"] not in _documents(server)
