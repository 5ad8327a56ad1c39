"""Appointments: booking within hours and capacity, one per ID and queue, check-in served first."""

from __future__ import annotations

from datetime import timedelta

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK, client_for, make_server

CITIZEN = "001203004567"
OTHER = "079301000123"


def test_book_check_in_and_served_first(sqlite_url: str) -> None:
    clock = ManualClock(T0)  # 09:00 local
    server = make_server(sqlite_url, clock)
    with client_for(server) as client:
        slot = "2026-03-10T09:30:00"  # local time at the office
        booked = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": CITIZEN, "slot_start": slot},
            headers=KIOSK,
        )
        assert booked.status_code == 201, booked.text
        code = booked.json()["code"]
        assert len(code) == 6 and booked.json()["citizen_id_last4"] == "4567"
        assert CITIZEN not in booked.text
        again = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": CITIZEN, "slot_start": slot},
            headers=KIOSK,
        )
        assert again.status_code == 409 and again.json()["error"]["code"] == "already_booked"
        second = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": OTHER, "slot_start": slot},
            headers=KIOSK,
        )
        assert second.status_code == 201
        third = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": "001099000001", "slot_start": slot},
            headers=KIOSK,
        )
        assert third.json()["error"]["code"] == "slot_full"  # capacity 2 in the demo config
        odd = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": OTHER, "slot_start": "2026-03-10T09:37:00"},
            headers=KIOSK,
        )
        assert odd.json()["error"]["code"] in ("bad_slot", "already_booked")
        slots = client.get("/api/v1/appointments/slots?queue=A&day=2026-03-10", headers=KIOSK).json()
        assert {"start": "2026-03-10T09:30:00+07:00", "end": "2026-03-10T09:45:00+07:00", "free": 0} in slots

        walk_in = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        clock.advance(minutes=20)  # 09:20, inside the 15-minute early window
        checked = client.post(f"/api/v1/appointments/{code}/check-in", headers=KIOSK)
        assert checked.status_code == 201 and checked.json()["appointment_at"] is not None
        reused = client.post(f"/api/v1/appointments/{code}/check-in", headers=KIOSK)
        assert reused.json()["error"]["code"] == "appointment_used"

        staff = server.login(client, "canbo1")
        client.post("/api/v1/counters/1/open", headers=staff)
        clock.advance(minutes=10)  # 09:30: the appointment is due
        assert client.post("/api/v1/counters/1/call-next", headers=staff).json()["id"] == checked.json()["id"]
        assert client.post("/api/v1/counters/1/call-next", headers=staff).json()["id"] == walk_in["id"]


def test_late_check_in_is_a_walk_in(sqlite_url: str) -> None:
    clock = ManualClock(T0)
    server = make_server(sqlite_url, clock)
    with client_for(server) as client:
        booked = client.post(
            "/api/v1/appointments",
            json={"queue": "B", "citizen_id": CITIZEN, "slot_start": "2026-03-10T09:15:00+07:00"},
            headers=KIOSK,
        ).json()
        clock.advance(minutes=45)  # 09:45: thirty minutes late
        ticket = client.post(f"/api/v1/appointments/{booked['code']}/check-in", headers=KIOSK).json()
        assert ticket["appointment_at"] is None and ticket["status"] == "waiting"
        assert clock.now - T0 == timedelta(minutes=45)


def test_bad_booking_input(sqlite_url: str) -> None:
    server = make_server(sqlite_url, ManualClock(T0))
    with client_for(server) as client:
        short = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": "12345", "slot_start": "2026-03-10T10:00:00"},
            headers=KIOSK,
        )
        assert short.status_code == 422 and "citizen_id" in short.json()["error"]["message_en"]
        letters = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": "00120300456X", "slot_start": "2026-03-10T10:00:00"},
            headers=KIOSK,
        )
        assert letters.json()["error"]["code"] == "bad_citizen_id"
        past = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": CITIZEN, "slot_start": "2026-03-10T08:00:00"},
            headers=KIOSK,
        )
        assert past.json()["error"]["code"] == "slot_past"
        assert client.post("/api/v1/appointments/NOPE42/check-in", headers=KIOSK).status_code == 404
