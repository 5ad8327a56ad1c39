"""Issue 12, the low findings: clear 4xx (the same on SQLite and PostgreSQL) where a 500 came before; names
from a QR bounded and without bidi controls; pages with a CSP; /health and /metrics not for anyone; a
mistyped lookup at one address does not lock the case for its owner."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import NHUNG_QR
from tests.security.conftest import motcua, production_server, sqlite_server
from tests.support import DISPLAY, DISPLAY_KEY, KIOSK, Server, free_port, make_server, running_server

BEYOND = (2**31, 2**63, 10**30)


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return sqlite_server(sqlite_url)  # one process on its SQLite file (see tests/security/conftest.py)


@pytest.fixture
def either(database_url: str) -> Iterator[tuple[Server, str]]:
    server = make_server(database_url, ManualClock(T0))
    with running_server(server) as base:
        yield server, base


def test_numbers_beyond_what_the_database_holds_are_a_clear_422(either: tuple[Server, str]) -> None:
    server, base = either
    with httpx.Client(base_url=base, timeout=30) as client:
        staff = server.login(client, "canbo1")
        supervisor = server.login(client, "giamsat")
        for number in BEYOND:
            for method, path, headers in (
                ("GET", f"/api/v1/tickets/{number}", staff),
                ("POST", f"/api/v1/tickets/{number}/start", staff),
                ("POST", f"/api/v1/counters/1/call/{number}", staff),
                ("GET", f"/api/v1/documents/{number}", staff),
                ("GET", f"/api/v1/documents/1/pages/{number}", staff),
                ("GET", f"/api/v1/events?since={number}", DISPLAY),
                ("GET", f"/api/v1/dossiers?ticket_id={number}", supervisor),
            ):
                answer = client.request(method, path, headers=headers)
                assert answer.status_code == 422, (path, answer.status_code, answer.text)
                assert answer.json()["code"] in ("invalid_request", "value_out_of_range")


def test_the_event_stream_refuses_a_since_beyond_range(either: tuple[Server, str]) -> None:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    _, base = either
    url = base.replace("http://", "ws://") + f"/api/v1/events?key={DISPLAY_KEY}&since={2**63}"
    with connect(url) as socket, pytest.raises(ConnectionClosed) as closed:
        socket.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400


def test_unknown_offices_and_far_dates_are_clear_4xx(either: tuple[Server, str]) -> None:
    server, base = either
    with httpx.Client(base_url=base, timeout=30) as client:
        supervisor = server.login(client, "giamsat")
        for path in ("/api/v1/stats", "/api/v1/ratings/stats"):
            answer = client.get(path, params={"office": "KHONGCO"}, headers=supervisor)
            assert answer.status_code == 404 and answer.json()["code"] == "unknown_office", answer.text
        slots = client.get(
            "/api/v1/appointments/slots", params={"queue": "A", "day": "9999-12-31"}, headers=KIOSK
        )
        assert slots.status_code == 422, slots.text
        booked = client.post(
            "/api/v1/appointments",
            json={"queue": "A", "citizen_id": "001199004567", "slot_start": "9999-12-30T09:00:00+07:00"},
            headers=KIOSK,
        )
    assert booked.status_code == 422 and booked.json()["code"] == "slot_too_far", booked.text


def test_a_nul_character_gets_the_same_answer_on_both_databases(either: tuple[Server, str]) -> None:
    _, base = either
    with httpx.Client(base_url=base, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"username": "can\u0000bo1", "password": "x" * 8})
        ticket = client.get("/api/v1/public/tickets/abcd%00efgh")
        queue = client.post("/api/v1/tickets", json={"queue": "A\u0000"}, headers=KIOSK)
    for answer in (login, ticket, queue):
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "nul_character"
        assert "NUL" in answer.json()["message"]


@pytest.mark.parametrize(
    ("name", "why"),
    [("Nguyễn " + "Văn " * 40 + "An", "dài quá"), ("Nguyễn Thị \u202egnp.exe", "điều khiển")],
)
def test_a_qr_name_too_long_or_with_bidi_controls_is_refused(
    either: tuple[Server, str], name: str, why: str
) -> None:
    _, base = either
    fields = NHUNG_QR.split("|")
    fields[2] = name
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = client.post("/api/v1/citizens", json={"qr": "|".join(fields)}, headers=KIOSK)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "bad_qr" and why in answer.json()["message"]


def test_health_and_metrics_tell_strangers_nothing(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        anonymous = client.get("/api/v1/health")
        known = client.get("/api/v1/health", headers=DISPLAY)
        metrics = client.get("/metrics")
        scraped = client.get("/metrics", headers=DISPLAY)
    assert anonymous.status_code == 200 and anonymous.json() == {"status": "ok"}
    assert known.json()["status"] == "ok" and "demo" in known.json() and "event_clients" in known.json()
    assert metrics.status_code == 401
    assert scraped.status_code == 200 and "motcua_waiting" in scraped.text


def test_pages_carry_a_content_security_policy(base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        for path in ("/board", "/counter", "/dashboard", "/rate/1"):
            page = client.get(path)
            assert page.status_code == 200, path
            policy = page.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy, path
            assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0], path
            assert page.headers["referrer-policy"] == "no-referrer"
            assert page.headers["x-content-type-options"] == "nosniff"
        rating = client.get("/rate/1")
    assert "'sha256-" in rating.headers["content-security-policy"]  # its own inline script, by hash


def test_wrong_lookups_from_one_address_do_not_lock_the_case_for_its_owner(base: str) -> None:
    code = {"code": "CAXTP-260310-0001", "last4": "0000"}
    with httpx.Client(base_url=base, timeout=30) as client:
        guesser = {"X-Forwarded-For": "203.0.113.7"}
        answers = [
            client.post("/api/v1/public/dossiers/lookup", json=code, headers=guesser).status_code
            for _ in range(6)
        ]
        owner = client.post(
            "/api/v1/public/dossiers/lookup", json=code, headers={"X-Forwarded-For": "198.51.100.4"}
        )
    assert answers[-1] == 429 and 404 in answers
    assert owner.status_code == 404  # answered, not locked out by someone else's guesses


def test_a_second_server_on_the_same_sqlite_file_is_refused(sqlite_url: str) -> None:
    motcua("migrate", database_url=sqlite_url)
    with production_server(sqlite_url) as base:
        second = motcua("serve", "--port", str(free_port()), database_url=sqlite_url, check=False, timeout=60)
        assert httpx.get(f"{base}/api/v1/health").status_code == 200  # the first one serves on
    assert second.returncode == 2
    assert "already serves" in second.stderr and "PostgreSQL" in second.stderr


def test_a_staff_typed_reason_is_shown_at_the_kiosk_as_text_not_markup() -> None:
    from kivy.utils import escape_markup

    from kiosk.ui.views import lookup_text, plain

    reason = "Thiếu [color=ff0000][size=300]giấy tạm trú[/size][/color] & [b]"
    shown = lookup_text(
        [{"code": "CAXTP-260310-0001", "status_name_vi": "Yêu cầu bổ sung", "missing_reason": reason}], "vi"
    )
    assert plain(reason) == escape_markup(reason)  # Kivy's own escaping: shown as typed, no tags
    assert shown.splitlines()[-1].endswith(": " + escape_markup(reason))
    assert "[color=" not in shown and "[size=" not in shown
