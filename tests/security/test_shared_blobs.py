"""Issue 12, low: identical bytes share one stored file. A purge that removed one paper deleted the file as
soon as no committed row used it, while an upload of the same bytes had already stored (touched) the file and
not yet committed its row: the new paper pointed at a deleted file. Now the file stays while another paper
uses it, and while an upload touched it lately; the check and the unlink are locked against `put`."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from queue_server.clock import ManualClock
from queue_server.dossiers.purge import PurgeReport
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import page_jpeg, register, submit, upload
from tests.support import Server, client_for, make_server

# Reports count every file a purge removed; on PostgreSQL the files folder (var/files) is shared by the
# tests, so these tests look at this page's own file.
PAGE = page_jpeg("GIẤY XÁC NHẬN CHỖ Ở", seed=11)


@pytest.fixture
def server(database_url: str) -> Server:
    return make_server(database_url, ManualClock(T0))


def _clock(server: Server) -> ManualClock:
    assert isinstance(server.clock, ManualClock)
    return server.clock


def _old_case_with_the_page(server: Server) -> None:
    """A case filed 400 days ago with PAGE: past the retention, so a purge removes its paper."""
    with client_for(server) as client:
        register(client)
        paper = upload(client, "GTCMCHO", [("p.jpg", PAGE, "image/jpeg")])
        assert paper.status_code == 201, paper.text
        assert submit(client, "shared-old", [paper.json()["id"]]).status_code == 201
    _clock(server).advance(days=400)


def _digest(document: dict[str, Any]) -> str:
    return str(document["pages"][0]["sha256"])


def _page(server: Server, document_id: int) -> Any:
    with client_for(server) as client:
        staff = server.login(client, "canbo1")
        return client.get(f"/api/v1/documents/{document_id}/pages/1", headers=staff)


def test_purging_one_paper_keeps_the_file_another_paper_uses(server: Server) -> None:
    _old_case_with_the_page(server)
    with client_for(server) as client:
        register(client)
        again = upload(client, "GTCMCHO", [("p.jpg", PAGE, "image/jpeg")])
        assert again.status_code == 201, again.text
    report = server.services.cases.purge.purge(older_than_days=365)
    assert report.documents == 1, report
    assert server.services.cases.documents.store.path(_digest(again.json())).exists()
    page = _page(server, again.json()["id"])
    assert page.status_code == 200 and page.content == PAGE


def test_a_purge_during_an_upload_of_the_same_bytes_leaves_the_new_paper_its_file(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    _old_case_with_the_page(server)
    store = server.app.state.services.cases.documents.store  # the one the served app uploads with
    real_put = store.put
    reports: list[PurgeReport] = []

    def put_then_purge(data: bytes) -> str:
        """The upload has stored its file; its row is not committed yet. Another process purges now."""
        digest = real_put(data)
        if data == PAGE and not reports:
            other = threading.Thread(
                target=lambda: reports.append(server.services.cases.purge.purge(older_than_days=365))
            )
            other.start()
            other.join()
        return digest

    monkeypatch.setattr(store, "put", put_then_purge)
    with client_for(server) as client:
        register(client)
        racing = upload(client, "GTCMCHO", [("p.jpg", PAGE, "image/jpeg")])
        assert racing.status_code == 201, racing.text
    assert reports and reports[0].documents == 1, reports  # the old paper went
    assert store.path(_digest(racing.json())).exists()  # its file did not: the new paper uses the same bytes
    page = _page(server, racing.json()["id"])
    assert page.status_code == 200, page.text
    assert page.content == PAGE

    # Once nothing uses it and nobody touched it for a while, the file does go.
    _clock(server).advance(days=400)
    later = server.services.cases.purge.purge(older_than_days=365)
    assert later.documents == 1 and later.files >= 1, later
    assert not store.path(_digest(racing.json())).exists()
