"""Issue 12, medium 5: a PDF that would act (scripts, launching programs, attachments …) is refused from its
parsed objects, however its names are spelled (/Java#53cript is /JavaScript); stored pages are downloaded,
not opened inside the server's origin, unless they are images shown as pictures."""

from __future__ import annotations

import httpx
import pytest

from tests.fixtures.dossiers.helpers import page_jpeg, register, upload
from tests.security.conftest import sqlite_server
from tests.support import Server


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return sqlite_server(sqlite_url)  # one process on its SQLite file (see tests/security/conftest.py)


def build_pdf(catalog_extra: str = "", extra_objects: tuple[str, ...] = ()) -> bytes:
    """A one-page PDF with a correct cross-reference table (so strict parsers take it)."""
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


ACTIVE = {
    # Hex-escaped names: the old byte regex looked for /JavaScript, /JS and /Launch only as written.
    "javascript-escaped": build_pdf("/OpenAction << /S /Java#53cript /J#53 (app.alert(1)) >> "),
    "launch-escaped": build_pdf("/OpenAction << /S /La#75nch /F (calc.exe) >> "),
    "open-action-elsewhere": build_pdf("/OpenAction 4 0 R ", ("<< /S /Java#53cript /J#53 (x) >>",)),
    "page-additional-actions": build_pdf("/A#41 << /O << /S /SubmitForm /F (http://x) >> >> "),
    "embedded-file": build_pdf(
        "/Names << /Embedded#46iles << /Names [(a.exe) 4 0 R] >> >> ",
        ("<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>", "<< /Type /EmbeddedFile /Length 0 >>"),
    ),
    "xfa-form": build_pdf("/AcroForm << /Fields [] /X#46A 4 0 R >> ", ("<< /Length 0 >>",)),
}


@pytest.mark.parametrize("name", sorted(ACTIVE))
def test_an_active_pdf_is_refused_however_its_names_are_written(server: Server, base: str, name: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        register(client)
        answer = upload(client, "GTCMCHO", [(f"{name}.pdf", ACTIVE[name], "application/pdf")])
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "pdf_active_content"
    assert "PDF" in answer.json()["message"]


def test_a_plain_pdf_is_stored_and_served_as_a_download_an_image_as_a_picture(
    server: Server, base: str
) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        register(client)
        plain = upload(
            client,
            "GTCMCHO",
            [("giay.pdf", build_pdf("/URI << /Base (https://dichvucong.gov.vn/) >> "), "application/pdf")],
        )
        assert plain.status_code == 201, plain.text
        picture = upload(client, "HDTHUE", [("anh.jpg", page_jpeg("HĐ"), "image/jpeg")])
        assert picture.status_code == 201, picture.text
        staff = server.login(client, "canbo1")
        pdf_page = client.get(f"/api/v1/documents/{plain.json()['id']}/pages/1", headers=staff)
        jpeg_page = client.get(f"/api/v1/documents/{picture.json()['id']}/pages/1", headers=staff)
    assert pdf_page.status_code == 200 and pdf_page.content.startswith(b"%PDF-")
    assert pdf_page.headers["content-disposition"].startswith("attachment;")
    assert pdf_page.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in pdf_page.headers["content-security-policy"]
    assert jpeg_page.status_code == 200
    assert jpeg_page.headers["content-disposition"].startswith("inline;")
    assert jpeg_page.headers["x-content-type-options"] == "nosniff"
