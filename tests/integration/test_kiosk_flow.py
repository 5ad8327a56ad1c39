"""The kiosk's journeys without a window: presenters and flow against a real server, fake devices."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")

import httpx
import pytest

from devices.printers.fake import FakeTicketPrinter
from devices.scanners.cccd import CccdCard, format_cccd
from kiosk.api import KioskApi
from kiosk.config import KioskConfig
from kiosk.flow import HEALTH_RETRY_CAP_S, KioskFlow
from kiosk.presenters import answers
from queue_server.clock import ManualClock
from tests.conftest import ROOT, T0
from tests.support import KIOSK_KEY, free_port, make_server, running_server

R = TypeVar("R")
TODAY = date(2026, 3, 10)
YOUNG = CccdCard(
    "001099004567",
    "",
    "Nguyễn Thị Hồng Nhung",
    date(1999, 2, 1),
    "Nữ",
    "Thôn 3, xã Tân Phú",
    date(2021, 8, 15),
)
ELDER = CccdCard(
    "001045001234", "", "Trần Văn Bình", date(1945, 5, 19), "Nam", "Số 5, đường Lê Lợi", date(2021, 8, 15)
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("kiosk") / "motcua.sqlite3"
    server = make_server(f"sqlite:///{database}", ManualClock(T0))
    with running_server(server) as url:
        yield url


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def run_flow(
    base: str,
    scenario: Callable[[KioskFlow], Awaitable[R]],
    printer: FakeTicketPrinter | None = None,
    clock: Clock | None = None,
    **config: Any,
) -> R:
    async def main() -> R:
        settings = KioskConfig(server=base, device_key=KIOSK_KEY, **config)
        api = KioskApi(settings.server, settings.device_key, timeout_s=2.0)
        flow = KioskFlow(api, settings, printer, today=lambda: TODAY, now=clock or Clock())
        try:
            return await scenario(flow)
        finally:
            flow.health.stop()
            await api.aclose()

    return asyncio.run(main())


def test_the_demo_kiosk_config_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    from kiosk.config import KEY_ENV, load_kiosk_config

    monkeypatch.delenv(KEY_ENV, raising=False)
    config = load_kiosk_config(ROOT / "config" / "demo" / "kiosk.toml", {"server": "http://10.0.0.1:8000"})
    assert config.server == "http://10.0.0.1:8000" and config.device_key == "demo-kiosk-key"
    assert config.devices == "config/demo/devices.toml" and config.maintenance_pin.isdigit()


def test_take_a_number_shows_and_prints_the_ticket(base_url: str) -> None:
    printer = FakeTicketPrinter()

    async def scenario(flow: KioskFlow) -> None:
        await flow.startup()
        assert flow.office_name == "Công an xã Tân Phú"
        assert flow.takes_appointments
        await flow.begin("ticket")
        assert flow.screen == "queues"
        assert [q["code"] for q in flow.take_number.queues] == ["A", "B", "C"]
        assert all(q["wait_minutes"] is not None for q in flow.take_number.queues)
        flow.choose_queue("B")
        assert flow.screen == "priority"
        assert await flow.take_ticket()
        assert flow.screen == "ticket"
        ticket = flow.ticket
        assert ticket.number.startswith("B") and ticket.queue_name[0] == "Căn cước"
        assert ticket.qr_url.startswith(base_url + "/t/")
        assert ticket.print_state == "printed"

    run_flow(base_url, scenario, printer)
    assert len(printer.jobs) == 1
    printed = printer.jobs[0].document
    assert printed.number.startswith("B") and printed.qr_url and "/t/" in printed.qr_url


def test_a_retry_in_one_session_never_makes_a_second_ticket(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> tuple[str, str, str]:
        await flow.begin("ticket")
        flow.choose_queue("A")
        first = await flow.take_number.take()
        again = await flow.take_number.take()  # the answer was lost: the citizen presses again
        assert first is not None and again is not None
        flow.wipe()
        await flow.begin("ticket")
        flow.choose_queue("A")
        other = await flow.take_number.take()
        assert other is not None
        return first["number"], again["number"], other["number"]

    first, again, other = run_flow(base_url, scenario)
    assert first == again
    assert other != first


def test_printer_out_of_paper_still_shows_the_number(base_url: str) -> None:
    printer = FakeTicketPrinter(fault="paper_out")

    async def scenario(flow: KioskFlow) -> None:
        await flow.begin("ticket")
        flow.choose_queue("C")
        assert await flow.take_ticket()
        assert flow.screen == "ticket" and flow.ticket.number.startswith("C")
        assert flow.ticket.print_state == "failed"
        assert "hết giấy" in flow.ticket.print_message[0]
        assert "chụp" in flow.ticket.print_message[0]
        assert flow.ticket.qr_url

    run_flow(base_url, scenario, printer)
    assert printer.jobs == []


def test_no_printer_says_so(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> str:
        await flow.begin("ticket")
        flow.choose_queue("A")
        assert await flow.take_ticket()
        return str(flow.ticket.print_state)

    assert run_flow(base_url, scenario, None) == "no_printer"


def test_the_card_of_an_elderly_citizen_offers_priority(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> None:
        await flow.begin("ticket")
        flow.choose_queue("A")
        assert flow.take_number.priority == ""
        await flow.on_scan(format_cccd(ELDER))
        assert flow.take_number.suggested_priority == "elderly"
        assert flow.take_number.priority == "elderly"
        ticket = await flow.take_number.take()
        assert ticket is not None and ticket["priority"] == "elderly"

    run_flow(base_url, scenario)


def test_a_young_citizen_is_offered_no_age_priority_but_may_declare_one(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> str | None:
        await flow.begin("ticket")
        flow.choose_queue("A")
        await flow.on_scan(format_cccd(YOUNG))
        assert flow.take_number.suggested_priority == ""
        flow.take_number.choose_priority("pregnant")
        ticket = await flow.take_number.take()
        return None if ticket is None else ticket["priority"]

    assert run_flow(base_url, scenario) == "pregnant"


def test_identify_by_card_and_by_keypad(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> None:
        await flow.begin("case")
        await flow.on_scan("https://example.org/not-a-card")
        assert flow.screen == "identify" and "căn cước" in flow.identify.error.vi
        await flow.on_scan("001099004567|x|y")
        assert "7" in flow.identify.error.vi and flow.screen == "identify"
        await flow.on_scan(format_cccd(YOUNG))
        assert flow.screen == "confirm"
        assert flow.identify.full_name == YOUNG.full_name and flow.identify.birth_text == "01/02/1999"
        assert flow.identify.id_masked == "001******567"
        flow.back()
        for digit in "00109900456":
            flow.identify.press_digit(digit)
        flow.submit_typed_id()
        assert flow.identify.error is not None and flow.screen == "identify"
        flow.identify.press_digit("7")
        flow.submit_typed_id()
        assert flow.screen == "confirm" and flow.identify.id_number == "001099004567"
        assert flow.identify.full_name == ""

    run_flow(base_url, scenario)


def _personal_strings(flow: KioskFlow) -> list[str]:
    found = []
    for presenter in flow.citizen_presenters:
        for name, value in presenter.snapshot().items():
            text = repr(value)
            for secret in (YOUNG.full_name, YOUNG.id_number, YOUNG.id_number[-5:], YOUNG.address):
                if secret in text:
                    found.append(f"{type(presenter).__name__}.{name}")
    return found


def test_idle_asks_then_wipes_every_personal_detail(base_url: str) -> None:
    clock = Clock()
    wiped: list[bool] = []

    async def scenario(flow: KioskFlow) -> None:
        flow.bind(on_wipe=lambda *_: wiped.append(True))
        await flow.begin("case")
        await flow.on_scan(format_cccd(YOUNG))
        key = flow.session.key
        assert _personal_strings(flow)  # the check sees the data while the citizen is here
        clock.t += 59
        flow.tick()
        assert not flow.idle.asking
        clock.t += 2
        flow.tick()
        assert flow.idle.asking and flow.idle.seconds_left == 14
        flow.user_touch()  # "Tôi vẫn ở đây"
        flow.tick()
        assert not flow.idle.asking and flow.screen == "confirm"
        clock.t += 60 + 15
        flow.tick()
        assert flow.screen == "start" and wiped == [True]
        assert flow.session.key != key
        assert _personal_strings(flow) == []
        assert flow.identify.id_number == "" and not flow.identify.identified

    run_flow(base_url, scenario, clock=clock, idle_seconds=60, idle_countdown_seconds=15)


def test_idle_never_runs_on_the_start_screen(base_url: str) -> None:
    clock = Clock()

    async def scenario(flow: KioskFlow) -> str:
        clock.t += 10_000
        flow.tick()
        return str(flow.screen)

    assert run_flow(base_url, scenario, clock=clock) == "start"


def test_maintenance_needs_the_pin(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> list[Any]:
        flow.open_maintenance()
        for digit in "1111":
            flow.maintenance.press_digit(digit)
        await flow.unlock_maintenance()
        assert not flow.maintenance.unlocked and flow.maintenance.error is not None
        for digit in "2468":
            flow.maintenance.press_digit(digit)
        await flow.unlock_maintenance()
        assert flow.maintenance.unlocked
        return list(flow.maintenance.rows)

    rows = run_flow(base_url, scenario)
    assert rows[0]["name"] == "server" and rows[0]["state"] == "ready"


def _serve_later(app: Any, port: int, after_s: float, stop: threading.Event) -> threading.Thread:
    import uvicorn

    def run() -> None:
        time.sleep(after_s)
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        watcher = threading.Thread(target=lambda: (stop.wait(), setattr(server, "should_exit", True)))
        watcher.start()
        server.run()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_server_down_shows_out_of_service_and_recovers_by_itself(tmp_path: Path) -> None:
    port = free_port()
    server = make_server(f"sqlite:///{tmp_path / 'late.sqlite3'}", ManualClock(T0))
    stop = threading.Event()

    async def scenario(flow: KioskFlow) -> list[str]:
        seen = [flow.screen]
        await flow.startup()
        seen.append(flow.screen)
        assert flow.health.out_of_service
        _serve_later(server.app, port, 0.3, stop)
        for _ in range(200):
            if not flow.health.out_of_service:
                break
            await asyncio.sleep(0.05)
        seen.append(flow.screen)
        return seen

    try:
        seen = run_flow(f"http://127.0.0.1:{port}", scenario, health_poll_seconds=0.1)
    finally:
        stop.set()
    assert seen == ["start", "out_of_service", "start"]


def test_a_lost_connection_mid_journey_returns_to_the_same_screen(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> list[str]:
        await flow.begin("ticket")
        flow.choose_queue("A")
        seen = [flow.screen]
        flow.api.base_url = flow.api._client.base_url = httpx.URL("http://127.0.0.1:9")  # nothing listens
        assert await flow.take_number.take() is None
        seen.append(flow.screen)
        assert flow.take_number.error is not None and "Máy chủ" in flow.take_number.error.vi
        flow.api._client.base_url = httpx.URL(base_url)
        for _ in range(200):
            if not flow.health.out_of_service:
                break
            await asyncio.sleep(0.05)
        seen.append(flow.screen)
        return seen

    assert run_flow(base_url, scenario, health_poll_seconds=0.1) == ["priority", "out_of_service", "priority"]


def test_after_an_outage_the_old_error_goes_and_the_queues_come_back(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> tuple[object, int]:
        await flow.begin("ticket")
        flow.api.base_url = flow.api._client.base_url = httpx.URL("http://127.0.0.1:9")
        flow.take_number.queues = []
        assert not await flow.take_number.load(TODAY)
        assert flow.health.out_of_service and flow.take_number.error is not None
        flow.api._client.base_url = httpx.URL(base_url)
        for _ in range(200):
            if not flow.health.out_of_service and flow.take_number.queues:
                break
            await asyncio.sleep(0.05)
        return flow.take_number.error, len(flow.take_number.queues)

    error, queues = run_flow(base_url, scenario, health_poll_seconds=0.1)
    assert error is None and queues > 0
    assert HEALTH_RETRY_CAP_S <= 10  # an outage is retried at least every 10 s


def test_staff_at_the_maintenance_screen_come_back_to_it_after_an_outage(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> list[str]:
        flow.open_maintenance()
        seen = [flow.screen]
        flow.api.base_url = flow.api._client.base_url = httpx.URL("http://127.0.0.1:9")
        assert not await flow.health.check()
        flow.health.out_of_service = True
        seen.append(flow.screen)
        flow.api._client.base_url = httpx.URL(base_url)
        for _ in range(200):
            if not flow.health.out_of_service:
                break
            await asyncio.sleep(0.05)
        return [*seen, flow.screen]

    assert run_flow(base_url, scenario, health_poll_seconds=0.1) == [
        "maintenance",
        "out_of_service",
        "maintenance",
    ]


def test_a_typed_id_number_finishes_a_whole_case_one_question_at_a_time(base_url: str) -> None:
    """Typed ID (an elderly citizen's) → procedure → each question on its own (choices by touch, the
    date on the keypad) → a photographed paper → review (priority offered from the typed birth date)."""
    from kiosk.demo_frames import page_photo

    page = page_photo()

    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        flow.scan.frames = lambda: page
        await flow.begin("case")
        for digit in ELDER.id_number:
            flow.identify.press_digit(digit)
        flow.submit_typed_id()
        assert flow.screen == "confirm" and not flow.identify.from_card
        await flow.open_procedures()
        await flow.choose_procedure("1.004222")
        await flow.prepare_case()
        assert all(p.get("status") != "on_file" for p in flow.prepare.papers)  # typed: nothing on file
        await flow.start_form()
        asked: list[tuple[str, str]] = []
        while flow.screen == "question":
            spec = flow.prepare.spec(flow.prepare.active)
            asked.append((spec["name"], flow.prepare.input_kind))
            kind = spec.get("type", "text")
            if flow.prepare.input_kind == "choice":
                flow.prepare.choose(str(answers.choices(spec)[0]["value"]))
            elif kind == "date":
                for digit in "19051945":
                    flow.prepare.press(digit)
                assert flow.prepare.values[spec["name"]] == "19/05/1945"
            elif kind in ("phone", "personal_id") and not flow.prepare.values.get(spec["name"]):
                typed = "0912345678" if kind == "phone" else ELDER.id_number
                for digit in typed:
                    flow.prepare.press(digit)
            elif spec.get("required"):
                for key in "Traanf Vawn Binhf":
                    flow.prepare.press(key)
            await flow.answer_next()
            assert not flow.prepare.field_errors, flow.prepare.field_errors
        kinds = dict(asked)
        assert (
            kinds["sex"] == "choice" and kinds["birth_date"] == "keypad" and kinds["full_name"] == "keyboard"
        )
        assert flow.screen == "scan" and flow.prepare.registered
        assert await flow.scan.look(force=True)
        while flow.scan.next_paper():
            pass
        await flow.to_review()
        assert flow.screen == "review" and flow.scan.uploaded
        assert flow.take_number.suggested_priority == "elderly"
        assert await flow.submit_case()
        return {
            "screen": flow.screen,
            "dossier": flow.ticket.dossier_code,
            "priority": flow.ticket.priority_label,
        }

    done = run_flow(base_url, scenario, FakeTicketPrinter())
    assert done["screen"] == "ticket" and done["dossier"].startswith("CAXTP-") and done["priority"]


def test_a_wrong_answer_is_said_plainly_and_stops_there(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> list[str]:
        await flow.begin("case")
        await flow.on_scan(format_cccd(YOUNG))
        await flow.open_procedures()
        await flow.choose_procedure("1.004222")
        await flow.prepare_case()
        await flow.start_form()
        flow.edit_answer("birth_date")
        flow.editing_from_review = False
        for _ in range(10):
            flow.prepare.backspace()
        for digit in "31022020":
            flow.prepare.press(digit)
        await flow.answer_next()
        said = [flow.prepare.field_errors["birth_date"][0]]
        flow.prepare.backspace()
        await flow.answer_next()
        said.append(flow.prepare.field_errors["birth_date"][0])
        return [*said, flow.prepare.active]

    unreal, short, active = run_flow(base_url, scenario)
    assert unreal == "Ngày này không có thật." and "ngày/tháng/năm" in short and active == "birth_date"


def test_the_next_citizen_starts_from_the_office_look_and_no_earlier_card(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> list[Any]:
        flow.toggle_language()
        flow.toggle_contrast()
        flow.toggle_large_text()
        before = datetime.now(UTC)
        await flow.on_scan(format_cccd(YOUNG), before)  # held up at the start screen: not read
        await flow.begin("case")
        await flow.on_scan(format_cccd(YOUNG), before)  # read before the identify screen opened
        stale = flow.screen
        await flow.on_scan(format_cccd(YOUNG), datetime.now(UTC))
        fresh = flow.screen
        flow.wipe()
        return [stale, fresh, flow.lang, flow.high_contrast, flow.large_text, flow.screen]

    assert run_flow(base_url, scenario) == ["identify", "confirm", "vi", False, False, "start"]


def test_back_from_a_ticket_takes_another_number_cleanly(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> tuple[str, str, object]:
        await flow.begin("ticket")
        flow.choose_queue("A")
        assert await flow.take_ticket()
        first = flow.ticket.number
        flow.back()
        assert flow.screen == "priority" and flow.ticket.number == ""
        assert await flow.take_ticket()
        return first, flow.ticket.number, flow.take_number.error

    first, second, error = run_flow(base_url, scenario, FakeTicketPrinter())
    assert first != second and error is None


def test_a_lookup_never_shows_the_previous_result_under_a_new_question(base_url: str) -> None:
    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        await flow.begin("lookup")
        flow.lookup.cases = [{"code": "CAXTP-260310-0001", "status": "new"}]  # an earlier answer
        flow.lookup.handle_scan("CAXTP-260310-9999")
        for digit in "1234":
            flow.lookup.press(digit)
        assert not await flow.lookup.search() and flow.lookup.error is not None
        return list(flow.lookup.cases)

    assert run_flow(base_url, scenario) == []


def test_a_whole_case_without_a_window(base_url: str) -> None:
    """Card → procedure → form → a photographed paper → submit (twice: one case) → ticket → lookup."""
    from kiosk.demo_frames import page_photo

    page = page_photo()
    printer = FakeTicketPrinter()

    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        flow.scan.frames = lambda: page
        await flow.begin("case")
        await flow.on_scan(format_cccd(YOUNG))
        await flow.open_procedures()
        assert flow.procedure.fields and flow.procedure.results
        for key in "thuowngf tru":
            flow.procedure.press(key)
        assert flow.procedure.query == "thường tru"
        assert await flow.procedure.search()
        assert flow.procedure.results[0]["code"] == "1.004222"
        await flow.choose_procedure("1.004222")
        assert flow.screen == "procedure_detail" and flow.procedure.detail["papers"]
        await flow.prepare_case()
        assert flow.prepare.registered and flow.prepare.values["full_name"] == YOUNG.full_name
        assert flow.prepare.needed_count >= 1
        for spec in flow.prepare.form_fields:
            if spec.get("required") and not flow.prepare.values.get(spec["name"]):
                answer = {"phone": "0912345678", "date": "01/01/2020"}.get(spec["type"], "Nhaapj khaaur")
                flow.prepare.set_value(spec["name"], answer)
        await flow.to_scan()
        assert flow.screen == "scan"
        assert await flow.scan.look(force=True)
        while flow.scan.next_paper():
            pass
        await flow.to_review()
        assert flow.screen == "review" and flow.scan.uploaded
        assert await flow.submit_case()
        first = dict(flow.submit.dossier)
        again = await flow.submit.submit("1.004222", list(flow.scan.uploaded.values()))  # a lost answer
        assert again is not None and again["dossier"]["code"] == first["code"]
        assert flow.screen == "ticket" and flow.ticket.dossier_code == first["code"]
        flow.wipe()
        await flow.begin("lookup")
        flow.lookup.handle_scan(first["code"])
        for digit in YOUNG.id_number[-4:]:
            flow.lookup.press(digit)
        assert await flow.lookup.search()
        return {"dossier": first, "lookup": dict(flow.lookup.cases[0])}

    found = run_flow(base_url, scenario, printer)
    assert found["dossier"]["code"].startswith("CAXTP-") and found["lookup"]["status"] == "new"
    assert found["dossier"]["papers_new"] >= 1
    assert printer.jobs[-1].document.dossier_code == found["dossier"]["code"]


def test_an_appointment_checks_in_to_a_ticket(base_url: str) -> None:
    headers = {"X-Device-Key": KIOSK_KEY}
    slots = httpx.get(
        f"{base_url}/api/v1/appointments/slots", params={"queue": "B", "day": "2026-03-10"}, headers=headers
    ).json()
    slot = next(s for s in slots if s["free"] and s["start"] >= "2026-03-10T09:00")
    booked = httpx.post(
        f"{base_url}/api/v1/appointments",
        headers=headers,
        json={"queue": "B", "citizen_id": YOUNG.id_number, "slot_start": slot["start"]},
    )
    assert booked.status_code == 201, booked.text

    async def scenario(flow: KioskFlow) -> tuple[bool, str, str]:
        await flow.begin("appointment")
        flow.appointment_code = "x"
        assert not await flow.check_in() and flow.take_number.error is not None  # too short: said plainly
        flow.appointment_code = booked.json()["code"]
        done = await flow.check_in()
        return done, str(flow.screen), str(flow.ticket.number)

    done, screen, number = run_flow(base_url, scenario)
    assert done and screen == "ticket" and number.startswith("B")


def test_a_whole_case_from_a_typed_number_without_a_window(base_url: str) -> None:
    """No card: a typed number, the name typed in the form, a photographed paper → the case and its ticket."""
    from kiosk.demo_frames import page_photo

    page = page_photo()
    typed_id = "036095000555"

    async def scenario(flow: KioskFlow) -> dict[str, Any]:
        flow.scan.frames = lambda: page
        await flow.begin("case")
        for digit in typed_id:
            flow.identify.press_digit(digit)
        flow.submit_typed_id()
        assert flow.identify.identified and not flow.identify.from_card
        await flow.open_procedures()
        await flow.choose_procedure("1.004222")
        await flow.prepare_case()
        assert flow.prepare.registered and flow.prepare.claim  # a claim without a name is enough
        assert all(p["status"] != "on_file" for p in flow.prepare.papers)
        typed = {"full_name": "Lê Văn Tám", "birth_date": "05/05/1995", "sex": "Nam"}
        for spec in flow.prepare.form_fields:
            if spec["name"] in typed:
                flow.prepare.set_value(spec["name"], typed[spec["name"]])
            elif spec.get("required") and not flow.prepare.values.get(spec["name"]):
                answer = {"phone": "0912345678", "date": "01/01/2020"}.get(spec["type"], "Nhaapj khaaur")
                flow.prepare.set_value(spec["name"], answer)
        await flow.to_scan()
        assert await flow.scan.look(force=True)
        while flow.scan.next_paper():
            pass
        await flow.to_review()
        assert flow.screen == "review" and flow.scan.uploaded, flow.scan.error
        assert await flow.submit_case(), flow.submit.error
        return dict(flow.submit.dossier)

    dossier = run_flow(base_url, scenario)
    assert (
        dossier["citizen"]["source"] == "typed" and dossier["citizen"]["personal_id_masked"] == "036******555"
    )
    assert dossier["citizen"]["full_name"] == "Lê Văn Tám"  # the declaration's name, kept with the case
    assert dossier["papers_new"] >= 1 and dossier["papers_reused"] == 0
