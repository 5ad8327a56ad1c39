"""Taking a number from the phone: the kiosk's sequence and rules, the office's remote rules, the
one-time code (or the hall QR), one open ticket per phone, rate limits."""

from __future__ import annotations

import base64
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.messages.fake import FakeMessageSender
from queue_server.tables.messages import MessageContact
from queue_server.tables.phone import PhoneCode
from tests.conftest import T0
from tests.fixtures.messages.helpers import office_config
from tests.support import KIOSK, Server, client_for, make_server

PHONE_TOML = """
[messages]
notify_ahead = 3

[limits]
per_address_per_minute = {per_minute}

[[office]]
code = "CAXTP"
sender = "fake://"
confirm = "{confirm}"
remote_tickets = true
remote_from_minutes_before_open = 60

[[queue]]
office = "CAXTP"
code = "B"
remote_daily_cap = 1

[[queue]]
office = "CAXTP"
code = "C"
remote_min_wait_minutes = 10
"""


def _server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, confirm: str = "code", per_minute: int = 100
) -> Server:
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")
    config = office_config(tmp_path, PHONE_TOML.format(confirm=confirm, per_minute=per_minute))
    offices = (config / "offices.toml").read_text(encoding="utf-8")
    offices = offices.replace('["00:00-24:00"]', '["07:30-17:00"]').replace(
        "issue_cutoff_minutes = 0", "issue_cutoff_minutes = 15"
    )
    (config / "offices.toml").write_text(offices, encoding="utf-8")
    return make_server(f"sqlite:///{tmp_path / 'p.sqlite3'}", ManualClock(T0), config_dir=config)


class Phone:
    """A citizen's phone: asks for a code, reads it from the message that reaches it."""

    def __init__(self, server: Server, client: TestClient, number: str) -> None:
        self.server, self.client, self.number = server, client, number
        self.fake = FakeMessageSender()
        self.dispatcher = MessageDispatcher(server.ctx, senders={"CAXTP": self.fake})

    def code(self) -> str:
        answer = self.client.post("/api/v1/public/phone/code", json={"office": "CAXTP", "phone": self.number})
        assert answer.status_code == 202, answer.text
        self.dispatcher.run_once()
        text = self.fake.sent[-1].text
        assert text.startswith("Mã xác nhận lấy số của Ông/Bà: ")
        found = re.search(r"\d{6}", text)
        assert found is not None
        return found.group(0)

    def take(self, queue: str = "A", code: str | None = None, consent: bool = True) -> object:
        return self.client.post(
            "/api/v1/public/phone/tickets",
            json={"office": "CAXTP", "queue": queue, "phone": self.number, "code": code, "consent": consent},
        )


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    return _server(tmp_path, monkeypatch)


def test_a_phone_number_is_in_the_kiosks_sequence_and_lands_on_its_page(server: Server) -> None:
    with client_for(server) as client:
        kiosk = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        phone = Phone(server, client, "0912 345 678")
        answer = phone.take(code=phone.code())
        assert answer.status_code == 201, answer.text  # type: ignore[attr-defined]
        ticket = answer.json()  # type: ignore[attr-defined]
        assert (kiosk["number"], ticket["number"]) == ("A001", "A002")
        assert ticket["priority"] is None and ticket["people_ahead"] == 1
        page = client.get(f"/t/{ticket['public_code']}")
        assert page.status_code == 200
        with server.ctx.db.read() as session:
            contacts = list(session.scalars(select(MessageContact).order_by(MessageContact.id)))
        # The code's contact was emptied once used; the ticket's is kept (consent given).
        assert [(c.ticket_id, c.address) for c in contacts] == [(None, None), (ticket["id"], "0912345678")]
        again = Phone(server, client, "0912345678")
        refused = again.take("C", code=again.code())
        assert refused.status_code == 409 and "A002" in refused.json()["message"]  # type: ignore[attr-defined]


def test_a_wrong_or_reused_code_is_refused_and_attempts_are_counted(server: Server) -> None:
    with client_for(server) as client:
        phone = Phone(server, client, "0987654321")
        code = phone.code()
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(2):
            refused = phone.take(code=wrong)
            assert refused.status_code == 422  # type: ignore[attr-defined]
            assert refused.json()["message"].startswith("Mã xác nhận không đúng")  # type: ignore[attr-defined]
        with server.ctx.db.read() as session:
            assert session.scalars(select(PhoneCode)).one().attempts == 2
        assert phone.take(code=code, consent=False).status_code == 201  # type: ignore[attr-defined]
        assert phone.take(code=code).status_code == 422  # type: ignore[attr-defined]  # used once
        with server.ctx.db.read() as session:  # no consent: no number kept for the ticket
            assert [c.address for c in session.scalars(select(MessageContact))] == [None]


def test_five_wrong_codes_burn_the_code(server: Server) -> None:
    with client_for(server) as client:
        phone = Phone(server, client, "0987654321")
        code = phone.code()
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            phone.take(code=wrong)
        assert phone.take(code=code).status_code == 422  # type: ignore[attr-defined]


def test_remote_cap_and_short_wait_rules_per_queue(server: Server) -> None:
    with client_for(server) as client:
        first = Phone(server, client, "0911111111")
        assert first.take("B", code=first.code()).status_code == 201  # type: ignore[attr-defined]
        second = Phone(server, client, "0922222222")
        capped = second.take("B", code=second.code())
        assert capped.status_code == 409 and capped.json()["code"] == "remote_cap_reached"  # type: ignore[attr-defined]
        short = second.take("C", code=second.code())
        assert short.status_code == 409 and short.json()["code"] == "wait_short"  # type: ignore[attr-defined]
        info = client.get("/api/v1/public/phone/offices/CAXTP").json()
        by_code = {q["code"]: q for q in info["queues"]}
        assert by_code["A"]["open"] and not by_code["B"]["open"] and not by_code["C"]["open"]
        assert by_code["B"]["reason_vi"].startswith("Hôm nay đã hết số lấy từ xa")
        # The kiosk still issues in B: the remote cap is only for remote numbers.
        assert client.post("/api/v1/tickets", json={"queue": "B"}, headers=KIOSK).json()["number"] == "B002"


@pytest.mark.parametrize(
    ("local", "allowed", "code"),
    [("06:45", True, None), ("06:20", False, "office_closed_hours"), ("16:50", False, "office_issue_cutoff")],
)
def test_from_an_hour_before_opening_until_the_cut_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, local: str, allowed: bool, code: str | None
) -> None:
    server = _server(tmp_path, monkeypatch)
    hour, minute = (int(x) for x in local.split(":"))
    assert isinstance(server.clock, ManualClock)
    server.clock.now = datetime(2026, 3, 10, hour, minute, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).astimezone(
        UTC
    )
    with client_for(server) as client:
        phone = Phone(server, client, "0933333333")
        answer = phone.take(code=phone.code())
        assert (answer.status_code == 201) is allowed, answer.text  # type: ignore[attr-defined]
        if code:
            assert answer.json()["code"] == code  # type: ignore[attr-defined]
        kiosk = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        assert kiosk.status_code == 409  # the kiosk itself waits for the doors to open


def test_hall_qr_mode_needs_the_boards_current_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _server(tmp_path, monkeypatch, confirm="hall_qr")
    with client_for(server) as client:
        display = {"X-Device-Key": "display-key-for-tests-01"}
        link = client.get("/api/v1/public/phone/hall-qr/CAXTP", headers=display).json()["url"]
        assert client.get("/api/v1/public/phone/hall-qr/CAXTP").status_code == 401
        token = link.split("hall=")[1]
        body = {"office": "CAXTP", "queue": "A", "phone": "0944444444", "consent": False}
        assert client.post("/api/v1/public/phone/tickets", json={**body, "hall": "x" * 20}).status_code == 403
        assert (
            client.post(
                "/api/v1/public/phone/code", json={"office": "CAXTP", "phone": "0944444444"}
            ).status_code
            == 409
        )
        assert isinstance(server.clock, ManualClock)
        server.clock.advance(minutes=4)  # the board shows a new one every 5 minutes; the last one still works
        assert client.post("/api/v1/public/phone/tickets", json={**body, "hall": token}).status_code == 201
        server.clock.advance(minutes=10)
        late = client.post(
            "/api/v1/public/phone/tickets", json={**body, "phone": "0955555555", "hall": token}
        )
        assert late.status_code == 403 and late.json()["code"] == "hall_qr_required"


def test_rate_limit_per_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _server(tmp_path, monkeypatch, per_minute=3)
    with client_for(server) as client:
        answers = [client.get("/api/v1/public/phone/offices/CAXTP").status_code for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        assert isinstance(server.clock, ManualClock)
        server.clock.advance(seconds=61)
        assert client.get("/api/v1/public/phone/offices/CAXTP").status_code == 200


def test_bad_input_says_what_is_wrong(server: Server) -> None:
    with client_for(server) as client:
        bad_phone = client.post("/api/v1/public/phone/code", json={"office": "CAXTP", "phone": "12"})
        assert bad_phone.status_code == 422 and "Số điện thoại" in bad_phone.json()["message"]
        assert client.get("/api/v1/public/phone/offices/NOPE").status_code == 404
        unknown = client.post(
            "/api/v1/public/phone/tickets",
            json={"office": "CAXTP", "queue": "Z", "phone": "0912345678", "code": "123456"},
        )
        assert unknown.status_code == 404


def test_the_citizen_gives_up_the_place_from_the_ticket_page(server: Server) -> None:
    with client_for(server) as client:
        ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        behind = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        office = client.get(f"/api/v1/public/phone/tickets/{ticket['public_code']}/office").json()
        assert office == {"name_vi": "Công an xã Tân Phú", "time_zone": "Asia/Ho_Chi_Minh"}
        cancelled = client.post(f"/api/v1/public/phone/tickets/{ticket['public_code']}/cancel")
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
        assert client.get(f"/api/v1/public/tickets/{behind['public_code']}").json()["people_ahead"] == 0
        again = client.post(f"/api/v1/public/phone/tickets/{ticket['public_code']}/cancel")
        assert again.status_code == 409 and again.json()["code"] == "cannot_cancel"
        assert client.post("/api/v1/public/phone/tickets/" + "x" * 16 + "/cancel").status_code == 404


def test_a_sent_one_time_code_is_not_kept(server: Server) -> None:
    from queue_server.tables.messages import OutboundMessage

    with client_for(server) as client:
        code = Phone(server, client, "0966666666").code()
    with server.ctx.db.read() as session:
        row = session.scalars(select(OutboundMessage)).one()
    assert (row.kind, row.status, row.text, row.data) == ("one_time_code", "sent", None, {})
    assert code not in str(row.__dict__)


@pytest.mark.parametrize("confirm", ["code", "hall_qr"])
def test_the_offices_printed_poster_links_to_taking_a_number_and_booking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, confirm: str
) -> None:
    """The QR poster for the office's walls: its codes read back (zxing) as the pages' addresses; a
    hall-QR office sends citizens to the board's rotating code instead of printing one that never expires."""
    zxingcpp = pytest.importorskip("zxingcpp", reason="zxing-cpp is not installed")
    from PIL import Image

    server = _server(tmp_path, monkeypatch, confirm=confirm)
    with client_for(server) as client:
        answer = client.get("/p/poster/CAXTP")
        assert client.get("/p/poster/NOWHERE").status_code == 404
    assert answer.status_code == 200 and "Công an xã Tân Phú" in answer.text
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', answer.text)
    read = [
        found.text
        for data in images
        for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(data))))
    ]
    base = server.ctx.settings.public_url.rstrip("/")
    if confirm == "code":
        assert read == [f"{base}/p/so/CAXTP", f"{base}/p/hen/CAXTP"]
    else:
        assert read == [f"{base}/p/hen/CAXTP"]
        assert "quét mã QR trên màn hình tại sảnh" in answer.text
