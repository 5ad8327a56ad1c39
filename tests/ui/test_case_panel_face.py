"""The chip's face photo in the counter's case panel, in real Chromium against the real server: a case whose
identity came from a genuine chip shows the face beside the citizen with its source, and reading it is
logged as a personal data access; a case identified by the card's QR shows no photo."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from devices.chip import specimen
from queue_server.clock import ManualClock
from queue_server.tables.citizens import PersonalDataAccess
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import ct01_form, page_jpeg, register, submit, upload
from tests.security.test_chip_claims import chip_card, new_challenge, read_body
from tests.support import KIOSK, PASSWORD, Server, free_port, make_server
from tests.ui.conftest import new_page, screenshot, serve

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect


@pytest.fixture(scope="module")
def issuer() -> specimen.Issuer:
    return specimen.make_issuer()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, issuer: specimen.Issuer) -> Server:
    root = tmp_path_factory.mktemp("face")
    (root / "csca").mkdir()
    (root / "csca" / "vn-test.pem").write_bytes(issuer.csca_pem())
    return make_server(f"sqlite:///{root / 'db.sqlite3'}", ManualClock(T0), csca_dir=root / "csca")


@pytest.fixture(scope="module")
def base(server: Server) -> Iterator[str]:
    with serve(server.app, free_port()) as url:
        yield url


def chip_claim(kiosk: httpx.Client, issuer: specimen.Issuer) -> str:
    """What the kiosk's reader hands over (EF.SOD, DG1, DG2 with the face, DG13, DG15 and the chip's answer
    to the server's challenge), checked by the server."""
    challenge = new_challenge(kiosk)  # type: ignore[arg-type]
    answer = kiosk.post("/api/v1/citizens/chip", json=read_body(chip_card(issuer), challenge), headers=KIOSK)
    assert answer.status_code == 201, answer.text
    assert answer.json()["source"] == "chip-genuine"
    return str(answer.json()["claim"])


def kiosk_case(base: str, key: str, chip: specimen.Issuer | None) -> dict[str, Any]:
    """A case identified by the card's chip (signed by `chip`), or by its QR."""
    with httpx.Client(base_url=base) as kiosk:
        by_qr = chip is None
        claim = str(register(kiosk)["claim"]) if by_qr else chip_claim(kiosk, chip)  # type: ignore[arg-type]
        paper = upload(kiosk, "GTCMCHO", [("trang-1.jpg", page_jpeg("GTCMCHO"), "image/jpeg")])  # type: ignore[arg-type]
        assert paper.status_code == 201, paper.text
        answer = submit(kiosk, key, [int(paper.json()["id"])], form=ct01_form(), claim=claim)  # type: ignore[arg-type]
        assert answer.status_code == 201, answer.text
        return dict(answer.json())


def face_reads(server: Server, code: str) -> list[str]:
    with server.ctx.db.read() as session:
        rows = session.scalars(
            select(PersonalDataAccess.actor).where(
                PersonalDataAccess.action == "dossier.face", PersonalDataAccess.dossier_code == code
            )
        )
        return list(rows)


def test_the_chip_face_is_shown_beside_the_citizen_and_logged(
    chromium: Any, page_errors: list[str], base: str, server: Server, issuer: specimen.Issuer
) -> None:
    by_chip = kiosk_case(base, "kiosk-face-000001", issuer)
    by_qr = kiosk_case(base, "kiosk-face-000002", None)
    page = new_page(chromium, page_errors, 1280, 720)
    page.goto(f"{base}/counter")
    page.fill("#username", "canbo1")
    page.fill("#password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.get_by_role("button", name=re.compile("^Quầy 1")).click()

    code = by_chip["dossier"]["code"]
    page.locator(f'#waiting tr[data-number="{by_chip["ticket"]["number"]}"] button').click()
    expect(page.locator("body")).to_have_attribute("data-case-ready", code)
    face = page.locator("#cit-face")
    expect(face).to_be_visible()
    expect(face.locator("figcaption")).to_have_text("Ảnh từ chip, đã xác thực")
    expect(page.locator("#cit-source")).to_have_text("Chip — đã xác thực")
    page.wait_for_function("() => document.querySelector('#cit-face img').naturalWidth === 240")
    assert face_reads(server, code) == ["user:canbo1"]  # the officer's look is a personal data access
    screenshot(page, "case-panel-face-1280x720.png")

    page.keyboard.press("F1")  # the next citizen, identified by the card's QR: no photo
    expect(page.locator("#cur-number")).to_have_text(by_qr["ticket"]["number"])
    expect(page.locator("body")).to_have_attribute("data-case-ready", by_qr["dossier"]["code"])
    expect(face).to_be_hidden()
    expect(page.locator("#cit-source")).to_have_text("QR trên thẻ")
    assert face_reads(server, by_qr["dossier"]["code"]) == []
    assert page_errors == []
