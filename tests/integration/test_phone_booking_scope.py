"""Staff book for a citizen only where they work: a commune's staff in their commune, a supervisor in their
office and the offices below it. Crossing is refused (403 office_out_of_scope, a row in access_refusal) and
books nothing — for the console's options, its free slots and the booking itself, on SQLite and PostgreSQL.
The tree: the demo office CAXTP with two communes under it, CAXAB and CAXBM, each taking bookings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from queue_server.clock import ManualClock
from queue_server.tables.appointments import Appointment
from queue_server.tables.auth import AccessRefusal
from tests.conftest import T0
from tests.fixtures.messages.helpers import office_config, sender_toml
from tests.support import PASSWORD, Server, client_for, make_server

TOP, AB, BM = "CAXTP", "CAXAB", "CAXBM"
RESIDENCE = "1.004222"  # queue A
SLOT = "2026-03-11T09:00:00+07:00"
PEOPLE = {  # username: (role, office)
    "canbo.ab": ("staff", AB),
    "giamsat.ab": ("supervisor", AB),
    "giamsat.tp": ("supervisor", TOP),
}
HOURS = "\n".join(f'{d} = ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


def _office(code: str, name: str) -> str:
    return f"""
[[office]]
code = "{code}"
name_vi = "Công an xã {name}"
name_en = "{name} Commune Police"
parent = "{TOP}"
time_zone = "Asia/Ho_Chi_Minh"
issue_cutoff_minutes = 0
open_on_holidays = true

[office.hours]
{HOURS}
lunch = ""
"""


def _config(tmp_path: Path) -> Path:
    """The demo config, and two communes under its office with the same queues and one counter each."""
    phone = sender_toml("fake://") + "".join(
        f'\n[[office]]\ncode = "{code}"\nsender = "fake://"\nbooking = true\nbooking_days_ahead = 14\n'
        for code in (AB, BM)
    )
    directory = office_config(tmp_path, phone)
    queues = (directory / "queues.toml").read_text(encoding="utf-8")
    for code, name in ((AB, "An Bình"), (BM, "Bình Minh")):
        with (directory / "offices.toml").open("a", encoding="utf-8") as f:
            f.write(_office(code, name))
        with (directory / "queues.toml").open("a", encoding="utf-8") as f:
            f.write(queues.replace(f'office = "{TOP}"', f'office = "{code}"'))
        with (directory / "counters.toml").open("a", encoding="utf-8") as f:
            f.write(f'\n[[counter]]\noffice = "{code}"\nnumber = 1\nqueues = {{ A = 1, B = 1, C = 1 }}\n')
    return directory


@pytest.fixture
def server(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("MOTCUA_SEND_MESSAGES", "false")
    built = make_server(database_url, ManualClock(T0), config_dir=_config(tmp_path))
    for username, (role, office) in PEOPLE.items():
        built.services.auth.add_user(username=username, role=role, password=PASSWORD, office=office)
    return built


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def _body(office: str, phone: str = "0944444444") -> dict[str, Any]:
    return {
        "office": office,
        "procedure": RESIDENCE,
        "slot_start": SLOT,
        "name": "Trần Thị Bình",
        "phone": phone,
        "consent": False,
    }


def _refused(answer: Any, office: str) -> None:
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert error["code"] == "office_out_of_scope" and error["details"]["office"] == office
    assert "không được làm việc tại đơn vị" in error["message_vi"] and office in error["message_en"]


def _refusals(server: Server) -> list[tuple[str, str, str | None]]:
    with server.ctx.db.read() as session:
        rows = session.scalars(select(AccessRefusal).order_by(AccessRefusal.id))
        return [(r.actor, r.office, r.route) for r in rows]


def _booked(server: Server, office: str) -> int:
    with server.ctx.db.read() as session:
        count = session.scalar(select(func.count()).where(Appointment.office == office))
        return int(count or 0)


def _try_all(client: TestClient, headers: dict[str, str], office: str, phone: str) -> list[Any]:
    base = "/api/v1/appointments/for-citizen"
    slots = {"procedure": RESIDENCE, "day": "2026-03-11", "office": office}
    return [
        client.get(f"{base}/options", params={"office": office}, headers=headers),
        client.get(f"{base}/slots", params=slots, headers=headers),
        client.post(base, json=_body(office, phone), headers=headers),
    ]


def test_staff_book_only_in_their_own_office(server: Server, client: TestClient) -> None:
    staff = server.login(client, "canbo.ab")
    options, slots, made = _try_all(client, staff, AB, "0944444444")
    assert options.status_code == 200 and options.json()["office"] == AB
    assert slots.status_code == 200 and next(s for s in slots.json() if s["start"] == SLOT)["free"] == 2
    assert made.status_code == 201 and made.json()["office"] == AB
    default = client.get("/api/v1/appointments/for-citizen/options", headers=staff)
    assert default.json()["office"] == AB  # no office named: the staff member's own

    for office in (BM, TOP):  # neither the commune beside it nor the office above it
        for answer in _try_all(client, staff, office, "0955555555"):
            _refused(answer, office)
        assert _booked(server, office) == 0
    lower = client.post("/api/v1/appointments/for-citizen", json=_body("caxbm", "0955555555"), headers=staff)
    _refused(lower, BM)  # the code as typed, in any case
    assert _booked(server, AB) == 1
    routes = [
        "GET /api/v1/appointments/for-citizen/options",
        "GET /api/v1/appointments/for-citizen/slots",
        "POST /api/v1/appointments/for-citizen",
    ]
    expected = [("user:canbo.ab", office, route) for office in (BM, TOP) for route in routes]
    assert _refusals(server) == [*expected, ("user:canbo.ab", BM, routes[2])]


def test_a_supervisor_books_in_their_subtree_only(server: Server, client: TestClient) -> None:
    above = server.login(client, "giamsat.tp")
    for office, phone in ((TOP, "0911111111"), (AB, "0922222222"), (BM, "0933333333")):
        options, slots, made = _try_all(client, above, office, phone)
        assert [options.status_code, slots.status_code, made.status_code] == [200, 200, 201], made.text
        assert made.json()["office"] == office and _booked(server, office) == 1
    commune = server.login(client, "giamsat.ab")
    for answer in _try_all(client, commune, BM, "0966666666"):
        _refused(answer, BM)
    for answer in _try_all(client, commune, TOP, "0977777777"):
        _refused(answer, TOP)
    assert (_booked(server, TOP), _booked(server, AB), _booked(server, BM)) == (1, 1, 1)
    assert [(actor, office) for actor, office, _ in _refusals(server)] == [("user:giamsat.ab", BM)] * 3 + [
        ("user:giamsat.ab", TOP)
    ] * 3
