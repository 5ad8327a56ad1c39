"""Booking a time from the phone: procedures, days and free slots; a code, a QR and a link to move or
cancel; slots that never over-fill under concurrent requests (SQLite and PostgreSQL); staff booking for a
citizen; the confirmation and the day-before reminder; check-in carries the contact to the ticket."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.messages.dispatcher import MessageDispatcher
from queue_server.messages.fake import FakeMessageSender
from queue_server.tables.appointments import Appointment
from queue_server.tables.messages import MessageContact
from tests.conftest import T0
from tests.fixtures.messages.helpers import office_config, sender_toml
from tests.support import KIOSK, Server, client_for, make_server, running_server

RESIDENCE = "1.004222"  # queue A: 15-minute slots, 2 bookings each
PASSPORT = "1.001456"  # queue C: 30-minute slots, 1 booking each
SLOT = "2026-03-11T09:00:00+07:00"


def _server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None = None) -> Server:
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")
    config = office_config(tmp_path, sender_toml("fake://"))
    return make_server(
        database_url or f"sqlite:///{tmp_path / 'b.sqlite3'}", ManualClock(T0), config_dir=config
    )


def _body(
    phone: str, slot: str = SLOT, procedure: str = RESIDENCE, consent: bool = True
) -> dict[str, object]:
    return {
        "office": "CAXTP",
        "procedure": procedure,
        "slot_start": slot,
        "name": "Trần Thị Bình",
        "phone": phone,
        "consent": consent,
    }


def test_book_see_move_cancel_and_check_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _server(tmp_path, monkeypatch)
    fake = FakeMessageSender()
    dispatcher = MessageDispatcher(server.ctx, senders={"CAXTP": fake})
    with client_for(server) as client:
        info = client.get("/api/v1/public/booking/CAXTP").json()
        assert RESIDENCE in [p["code"] for p in info["procedures"]]
        assert info["days"][0] == "2026-03-10" and len(info["days"]) == 15
        slots = client.get(
            "/api/v1/public/booking/CAXTP/slots", params={"procedure": RESIDENCE, "day": "2026-03-11"}
        ).json()
        assert slots[0]["start"] == "2026-03-11T00:00:00+07:00" and slots[0]["free"] == 2

        made = client.post("/api/v1/public/booking", json=_body("0912345678"))
        assert made.status_code == 201, made.text
        booking = made.json()
        assert (booking["local_time"], booking["local_date"], booking["phone_last4"]) == (
            "09:00",
            "11/03/2026",
            "5678",
        )
        token = booking["manage_token"]
        assert client.get(f"/api/v1/public/booking/manage/{token}").json()["code"] == booking["code"]
        qr = client.get(f"/api/v1/public/booking/manage/{token}/qr.png")
        assert qr.status_code == 200 and qr.content.startswith(b"\x89PNG")
        assert client.get(f"/p/booking/{token}").status_code == 200
        again = client.post("/api/v1/public/booking", json=_body("0912345678", "2026-03-11T10:00:00+07:00"))
        assert again.status_code == 409 and again.json()["code"] == "already_booked"

        dispatcher.run_once()
        (confirmation,) = fake.sent
        assert confirmation.text.startswith(
            "Công an xã Tân Phú: Ông/Bà đã đặt lịch Cư trú lúc 09:00 ngày 11/03/2026."
        )
        assert (
            f"Mã lịch hẹn {booking['code']}." in confirmation.text
            and f"/p/booking/{token}" in confirmation.text
        )
        assert "Bình" not in confirmation.text

        moved = client.post(
            f"/api/v1/public/booking/manage/{token}/move", json={"slot_start": "2026-03-11T09:30:00"}
        )
        assert moved.status_code == 200 and moved.json()["local_time"] == "09:30"
        dispatcher.run_once()
        assert "lúc 09:30 ngày 11/03/2026" in fake.sent[-1].text

        # Booked today for tomorrow: the confirmation is enough. Booked earlier: a reminder the day before,
        # once however often the schedule runs (a restarted sender plans again).
        later = client.post("/api/v1/public/booking", json=_body("0955555555", "2026-03-12T14:00:00+07:00"))
        assert later.status_code == 201
        assert [m.kind for m in fake.sent] == ["appointment_booked", "appointment_booked"]
        assert isinstance(server.clock, ManualClock)
        server.clock.advance(hours=22)  # 07:00 on 11 March in Hà Nội
        for _ in range(2):
            MessageDispatcher(server.ctx, senders={"CAXTP": fake}).run_once()
        kinds = [m.kind for m in fake.sent]
        assert kinds.count("appointment_reminder") == 1 and kinds.count("appointment_booked") == 3
        reminder = next(m for m in fake.sent if m.kind == "appointment_reminder")
        assert reminder.to == "0955555555"
        assert "nhắc Ông/Bà lịch hẹn Cư trú lúc 14:00 ngày mai 12/03/2026" in reminder.text

        # Check-in the next morning at the kiosk: the ticket is served as an appointment and gets the call.
        server.clock.now = T0.replace(day=11, hour=2, minute=25)  # 09:25 on the 11th, Hà Nội
        ticket = client.post(f"/api/v1/appointments/{booking['code']}/check-in", headers=KIOSK)
        assert ticket.status_code == 201, ticket.text
        with server.ctx.db.read() as session:
            linked = session.scalars(
                select(MessageContact.ticket_id).where(MessageContact.address == "0912345678")
            )
            assert list(linked) == [ticket.json()["id"]]
        assert client.post(f"/api/v1/public/booking/manage/{token}/cancel").status_code == 409  # used


def test_cancel_frees_the_slot_and_bad_requests_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _server(tmp_path, monkeypatch)
    with client_for(server) as client:
        first = client.post("/api/v1/public/booking", json=_body("0911111111", procedure=PASSPORT)).json()
        full = client.post("/api/v1/public/booking", json=_body("0922222222", procedure=PASSPORT))
        assert full.status_code == 409 and full.json()["code"] == "slot_full"
        cancelled = client.post(f"/api/v1/public/booking/manage/{first['manage_token']}/cancel").json()
        assert cancelled["status"] == "cancelled"
        assert (
            client.post("/api/v1/public/booking", json=_body("0922222222", procedure=PASSPORT)).status_code
            == 201
        )
        for change, code in (
            ({"slot_start": "2026-03-11T09:07:00+07:00"}, "bad_slot"),
            ({"slot_start": "2026-03-09T09:00:00+07:00"}, "slot_past"),
            ({"slot_start": "2026-04-30T09:00:00+07:00"}, "day_not_bookable"),
            ({"phone": "123"}, "bad_phone"),
            ({"name": " "}, "bad_name"),
            ({"procedure": "9.999"}, "unknown_procedure"),
        ):
            answer = client.post("/api/v1/public/booking", json={**_body("0933333333"), **change})
            assert answer.json()["code"] == code, (change, answer.text)
        assert client.get("/api/v1/public/booking/manage/" + "x" * 24).status_code == 404


def test_staff_book_for_a_citizen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _server(tmp_path, monkeypatch)
    with client_for(server) as client:
        assert client.post("/api/v1/appointments/for-citizen", json=_body("0944444444")).status_code == 401
        staff = server.login(client, "canbo2")
        made = client.post(
            "/api/v1/appointments/for-citizen", json=_body("0944444444", consent=False), headers=staff
        )
        assert made.status_code == 201 and made.json()["code"]
        # The console's dialog reads the staff member's office: procedures, days, then free slots.
        assert client.get("/api/v1/appointments/for-citizen/options").status_code == 401
        options = client.get("/api/v1/appointments/for-citizen/options", headers=staff).json()
        assert options["office"] == "CAXTP" and RESIDENCE in [p["code"] for p in options["procedures"]]
        query = {"procedure": RESIDENCE, "day": "2026-03-11"}
        assert client.get("/api/v1/appointments/for-citizen/slots", params=query).status_code == 401
        slots = client.get("/api/v1/appointments/for-citizen/slots", params=query, headers=staff).json()
        assert next(s for s in slots if s["start"] == SLOT)["free"] == 1  # the booking above took one of 2


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_many_citizens_racing_for_one_slot_never_over_fill_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url"))
    server = _server(tmp_path, monkeypatch, url)
    with running_server(server) as base:

        def book(n: int) -> int:
            body = _body(f"09{n:08d}", procedure=RESIDENCE)
            return httpx.post(f"{base}/api/v1/public/booking", json=body, timeout=30).status_code

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(book, range(24)))
        slots = httpx.get(
            f"{base}/api/v1/public/booking/CAXTP/slots", params={"procedure": RESIDENCE, "day": "2026-03-11"}
        ).json()
    assert sorted(answers) == [201, 201] + [409] * 22  # capacity 2
    nine = next(s for s in slots if s["start"] == SLOT)
    assert nine["free"] == 0


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_kiosk_staff_and_phone_bookings_racing_for_one_slot_share_its_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, request: pytest.FixtureRequest
) -> None:
    """The older kiosk/staff `POST /appointments` books through the same locked step as the phone: 24
    racers, kiosks and phones mixed, for a 2-place slot give exactly 2 bookings."""
    url = str(request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url"))
    server = _server(tmp_path, monkeypatch, url)
    with running_server(server) as base:

        def book(n: int) -> tuple[str, int]:
            if n % 2:
                body = _body(f"09{n:08d}", procedure=RESIDENCE)
                answer = httpx.post(f"{base}/api/v1/public/booking", json=body, timeout=30)
                return "phone", answer.status_code
            kiosk = {"queue": "A", "citizen_id": f"0010{n:08d}", "slot_start": SLOT}
            answer = httpx.post(f"{base}/api/v1/appointments", json=kiosk, headers=KIOSK, timeout=30)
            return "kiosk", answer.status_code

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(book, range(24)))
        slots = httpx.get(
            f"{base}/api/v1/appointments/slots", params={"queue": "A", "day": "2026-03-11"}, headers=KIOSK
        ).json()
    assert sorted(status for _, status in answers) == [201, 201] + [409] * 22, answers
    assert next(s for s in slots if s["start"] == SLOT)["free"] == 0
    with server.ctx.db.read() as session:
        booked = session.scalars(
            select(Appointment.id).where(Appointment.slot_start == datetime.fromisoformat(SLOT))
        )
        assert len(list(booked)) == 2
