"""The whole case over real HTTP, as the kiosk and the counter do it.

A citizen scans the ID card, picks the procedure, declares the form, photographs a paper (the kiosk's
document pipeline makes the PDF), submits and gets a ticket; the counter calls the ticket, receives the case,
prints the receipt on the (file) thermal printer and as an A4 PDF with the right due date; the citizen looks
the case up by code. A second case for the same citizen reuses the paper on file.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import zxingcpp
from PIL import Image

from devices.printers import open_printer
from devices.printers.preview import render_pages
from devices.scanners.document_photo import pages_to_pdf, process_photo
from queue_server.clock import ManualClock
from queue_server.dossiers.receipt import receipt_print
from tests.conftest import T0
from tests.fixtures.document_photo import synth
from tests.fixtures.dossiers.helpers import NHUNG_ID, NHUNG_QR
from tests.support import KIOSK, PASSWORD, make_server, running_server


def scanned_paper_pdf() -> bytes:
    """What the kiosk uploads: a phone-like photo of a page, straightened and judged, as a PDF."""
    import cv2

    photo, _, _ = synth.make_photo("tilted", frame=(1280, 960))
    encoded, jpeg = cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 90])  # as the camera gives it
    assert encoded
    page = process_photo(jpeg.tobytes())
    assert page.quality.ok, page.quality
    return pages_to_pdf([page])


def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def declared_form(procedure: dict[str, Any], citizen: dict[str, Any]) -> dict[str, Any]:
    """Fill the form as the kiosk does: prefilled fields from the ID card, the rest typed in."""
    typed = {"phone": "0912345678", "request": "Đăng ký thường trú vào hộ gia đình ông Nguyễn Văn An"}
    form = {}
    for field in procedure["form"]["fields"]:
        if field["prefill"]:
            form[field["name"]] = {**citizen, "personal_id": NHUNG_ID}[
                field["prefill"].removeprefix("citizen.")
            ]
        elif field["name"] in typed:
            form[field["name"]] = typed[field["name"]]
    return form


def decode_codes(image: Image.Image) -> set[str]:
    return {result.text for result in zxingcpp.read_barcodes(image.convert("L"))}


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_page_image(pdf: Path) -> Image.Image:
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    return Image.open(pdf.with_suffix(".png"))


def test_a_case_from_kiosk_to_receipt_and_a_second_case_reusing_the_paper(tmp_path: Path) -> None:
    clock = ManualClock(T0)  # Tuesday 10 March 2026, 09:00 in Hà Nội
    server = make_server(f"sqlite:///{tmp_path / 'e2e.sqlite3'}", clock)
    with running_server(server) as base, httpx.Client(base_url=base, timeout=30) as http:
        # ---- the kiosk ------------------------------------------------------------------------------
        citizen = ok(http.post("/api/v1/citizens", json={"qr": NHUNG_QR}, headers=KIOSK), 201)
        found = ok(http.get("/api/v1/procedures", params={"q": "dang ky thuong tru"}))
        procedure = ok(http.get(f"/api/v1/procedures/{found[0]['code']}"))
        assert procedure["code"] == "1.004222" and procedure["legal_days"] == 7
        checklist_url = "/api/v1/citizens/documents"
        scanned = {"personal_id": NHUNG_ID, "procedure": "1.004222", "claim": citizen["claim"]}
        needed = ok(http.post(checklist_url, json=scanned, headers=KIOSK))["needed"]
        assert needed == ["GTCMCHO"]
        paper = ok(
            http.post(
                "/api/v1/documents",
                data={"citizen_id": NHUNG_ID, "type": "GTCMCHO"},
                files=[("files", ("so-do.pdf", scanned_paper_pdf(), "application/pdf"))],
                headers=KIOSK,
            ),
            201,
        )
        body = {
            "procedure": "1.004222",
            "citizen_id": NHUNG_ID,
            "form": declared_form(procedure, citizen),
            "documents": [paper["id"]],
            "idempotency_key": "kiosk-1-20260310-000001",
            "claim": citizen["claim"],
        }
        submitted = ok(http.post("/api/v1/dossiers", json=body, headers=KIOSK), 201)
        code = submitted["dossier"]["code"]
        assert code == "CAXTP-260310-0001" and submitted["ticket"]["number"] == "A001"
        retried = http.post("/api/v1/dossiers", json=body, headers=KIOSK)  # the answer was lost: retry
        assert retried.json()["dossier"]["code"] == code and retried.headers["Idempotent-Replayed"] == "true"

        # ---- the counter ----------------------------------------------------------------------------
        token = ok(http.post("/api/v1/auth/login", json={"username": "canbo1", "password": PASSWORD}))
        staff = {"Authorization": f"Bearer {token['access_token']}"}
        ok(http.post("/api/v1/counters/1/open", headers=staff))
        clock.advance(minutes=12)
        called = ok(http.post("/api/v1/counters/1/call-next", headers=staff))
        assert called["number"] == "A001" and called["dossier_code"] == code
        ok(http.post(f"/api/v1/tickets/{called['id']}/start", headers=staff))
        case = ok(http.get(f"/api/v1/dossiers/{code}", headers=staff))
        assert case["form"]["full_name"] == "Nguyễn Thị Hồng Nhung" and case["missing_papers"] == []
        page = http.get(f"/api/v1/documents/{paper['id']}/pages/1", headers=staff)
        assert page.status_code == 200 and page.content.startswith(b"%PDF-")
        received = ok(http.post(f"/api/v1/dossiers/{code}/receive", headers=staff))
        assert received["status"] == "received" and received["due_date"] == "2026-03-19"

        receipt = ok(http.get(f"/api/v1/dossiers/{code}/receipt", headers=staff))
        thermal = tmp_path / "counter" / "receipt.bin"
        printer = open_printer(f"file://{thermal}")
        printer.print_receipt(receipt_print(receipt))
        printer.close()
        printed = render_pages(thermal.read_bytes())
        assert len(printed) == 1 and printed[0].width == 576
        assert code in decode_codes(printed[0])  # the QR and the CODE128 both carry the dossier code

        pdf = tmp_path / "receipt.pdf"
        answer = http.get(f"/api/v1/dossiers/{code}/receipt.pdf", headers=staff)
        assert answer.headers["content-type"] == "application/pdf"
        pdf.write_bytes(answer.content)
        text = pdf_text(pdf)
        for words in (
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
            "Mã hồ sơ: CAXTP-260310-0001",
            "Nguyễn Thị Hồng Nhung",
            "001******567",
            "1.004222 Đăng ký thường trú",
            "09 giờ 12, ngày 10/03/2026",
            "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp — 1 bản sao",
            "Ngày hẹn trả kết quả: 19/03/2026",
        ):
            assert words in text, words
        assert NHUNG_ID not in text
        codes = decode_codes(pdf_page_image(pdf))
        assert code in codes and any(c.endswith(f"tra-cuu?ma={code}") for c in codes)

        ok(http.post(f"/api/v1/tickets/{called['id']}/finish", headers=staff))
        looked_up = ok(http.post("/api/v1/public/dossiers/lookup", json={"code": code, "last4": "4567"}))
        assert (looked_up["status"], looked_up["due_date"], looked_up["missing"]) == (
            "received",
            "2026-03-19",
            [],
        )
        # the paper goes on file once the officer checked it against the original and the case has a result
        ok(http.post(f"/api/v1/dossiers/{code}/checks", json={"subject": "GTCMCHO"}, headers=staff))
        ok(http.post(f"/api/v1/dossiers/{code}/finish", headers=staff))

        # ---- a second case the next day: the paper on file is reused -------------------------------
        clock.advance(days=1)
        citizen = ok(http.post("/api/v1/citizens", json={"qr": NHUNG_QR}, headers=KIOSK), 201)
        scanned = {"personal_id": NHUNG_ID, "procedure": "1.004222", "claim": citizen["claim"]}
        checklist = ok(http.post(checklist_url, json=scanned, headers=KIOSK))
        proof = checklist["papers"][0]
        assert (
            proof["status"] == "on_file"
            and proof["document"]["id"] == paper["id"]
            and checklist["needed"] == []
        )
        second = ok(
            http.post(
                "/api/v1/dossiers",
                json={
                    **body,
                    "documents": [proof["document"]["id"]],
                    "idempotency_key": "kiosk-1-20260311-000001",
                    "claim": citizen["claim"],
                },
                headers=KIOSK,
            ),
            201,
        )
        assert second["dossier"]["code"] == "CAXTP-260311-0001"
        assert (second["dossier"]["papers_reused"], second["dossier"]["papers_new"]) == (1, 0)
        token = ok(http.post("/api/v1/auth/login", json={"username": "canbo2", "password": PASSWORD}))
        staff = {"Authorization": f"Bearer {token['access_token']}"}  # a new day, a new sign-in
        ok(http.post("/api/v1/counters/2/open", headers=staff))  # cases are handled from a seat
        ok(http.post(f"/api/v1/dossiers/{second['dossier']['code']}/receive", headers=staff))
        second_receipt = ok(http.get(f"/api/v1/dossiers/{second['dossier']['code']}/receipt", headers=KIOSK))
        assert second_receipt["due_date"] == str(date(2026, 3, 20))
        assert [
            "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
            "1 bản sao; đã có trong hệ thống",
        ] in second_receipt["papers"]
        stats = ok(http.get("/api/v1/dossiers/stats", params={"day": "2026-03-11"}, headers=staff))
        assert (stats["dossiers"], stats["fully_reused"], stats["reuse_share"]) == (1, 1, 1.0)
