"""The citizen's journey across screens: which screen is up, what a touch or a scan does next, the wipe.

`KioskFlow` owns the presenters and moves between screens by setting `screen` (the ScreenManager binds
to it). It is plain EventDispatcher code: tests drive a whole journey without a window.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from devices.printers import TicketPrinter
from kiosk.api import KioskApi
from kiosk.config import KioskConfig
from kiosk.presenters.base import Presenter, Session
from kiosk.presenters.care import HealthMonitor, IdleWatch, MaintenancePresenter
from kiosk.presenters.case import PreparePresenter, ProcedurePresenter, SubmitPresenter
from kiosk.presenters.identify import IdentifyPresenter
from kiosk.presenters.lookup import LookupPresenter, RatingPresenter
from kiosk.presenters.scan import Frame, ScanPresenter
from kiosk.presenters.tickets import TakeNumberPresenter, TicketPresenter

log = logging.getLogger(__name__)

# Screens that belong to no citizen: the idle countdown never runs there.
RESTING_SCREENS = ("start", "out_of_service", "maintenance")
RECENT_SCAN_S = 4.0  # a card read this long before "Nộp hồ sơ" still counts


class KioskFlow(Presenter):
    screen = StringProperty("start")
    lang = StringProperty("vi")
    high_contrast = BooleanProperty(False)
    large_text = BooleanProperty(False)
    journey = StringProperty("")  # "case", "ticket", "lookup", "rate", "appointment"
    office_name = StringProperty("")
    takes_appointments = BooleanProperty(False)
    history = ListProperty([])
    appointment_code = StringProperty("")

    __events__ = ("on_wipe",)

    def __init__(
        self,
        api: KioskApi,
        config: KioskConfig,
        printer: TicketPrinter | None = None,
        frames: Callable[[], Frame | None] = lambda: None,
        device_statuses: Callable[[], list[dict[str, Any]]] = list,
        today: Callable[[], date] = date.today,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.api, self.config, self.today, self.now = api, config, today, now
        self.lang, self.high_contrast = config.language, config.high_contrast
        self.large_text = config.font_scale > 1.0
        self.session = Session()
        self.identify = IdentifyPresenter()
        self.take_number = TakeNumberPresenter(api, lambda: self.session, self.identify)
        self.ticket = TicketPresenter(printer, config.ticket_page_base, lambda: self.office_name)
        self.lookup = LookupPresenter(api)
        self.rating = RatingPresenter(api)
        self.procedure = ProcedurePresenter(api)
        self.prepare = PreparePresenter(api, self.identify)
        self.scan = ScanPresenter(api, self.identify, frames)
        self.submit = SubmitPresenter(api, lambda: self.session, self.identify, self.prepare)
        self.idle = IdleWatch(config.idle_seconds, config.idle_countdown_seconds)
        self.health = HealthMonitor(api, config.health_poll_seconds)
        self.maintenance = MaintenancePresenter(config.maintenance_pin, device_statuses, api)
        self.health.bind(out_of_service=self._on_service_change)
        self._before_outage = "start"
        self._recent_scan: tuple[str, float] = ("", 0.0)

    @property
    def citizen_presenters(self) -> list[Presenter]:
        """Every presenter that may hold a citizen's data: all of them are reset by a wipe."""
        return [
            self.identify,
            self.take_number,
            self.ticket,
            self.lookup,
            self.rating,
            self.procedure,
            self.prepare,
            self.scan,
            self.submit,
            self.maintenance,
        ]

    # --- screens ----------------------------------------------------------------------------------

    def go(self, screen: str, remember: bool = True) -> None:
        if remember and self.screen not in ("out_of_service",) and screen != self.screen:
            self.history = [*self.history[-20:], self.screen]
        self.screen = screen
        if screen in RESTING_SCREENS:
            self.idle.end()
        elif not self.idle.active:
            self.idle.begin(self.now())

    def back(self) -> None:
        if not self.history:
            self.go("start", remember=False)
            return
        *rest, previous = self.history
        self.history = rest
        if previous == "start":
            self.wipe()
        else:
            self.go(previous, remember=False)

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "vi" else "vi"

    def toggle_contrast(self) -> None:
        self.high_contrast = not self.high_contrast

    def toggle_large_text(self) -> None:
        self.large_text = not self.large_text

    # --- start ------------------------------------------------------------------------------------

    async def startup(self) -> None:
        """Learn the office's name and whether any queue takes appointments; fine if the server is down."""
        if await self.health.check():
            health = await self.api.health()
            self.office_name = str(health.get("office_name_vi") or "")
            if await self.take_number.load(self.today()):
                self.takes_appointments = self.take_number.takes_appointments
        else:
            self.health.out_of_service = True
            self.health.start_polling()

    async def begin(self, journey: str) -> None:
        self.journey = journey
        if journey == "case":
            self.go("identify")
            text, seen_at = self._recent_scan
            self._recent_scan = ("", 0.0)
            if text and self.now() - seen_at <= RECENT_SCAN_S and self.identify.handle_scan(text):
                self.go("confirm")
            self.identify.error = None
        elif journey == "ticket":
            self.go("queues")
            await self.take_number.load(self.today())
        elif journey == "lookup":
            self.go("lookup")
        elif journey == "rate":
            self.go("rate")
            await self.rating.load()
        elif journey == "appointment":
            self.go("appointment")
        else:
            raise ValueError(f"unknown journey {journey!r}")

    def user_touch(self) -> None:
        self.idle.touch(self.now())

    def tick(self) -> None:
        """Called every second by the app: the idle countdown."""
        if self.idle.tick(self.now()):
            log.info("idle timeout: session wiped")
            self.wipe()

    def wipe(self) -> None:
        """Forget the citizen: new session, every presenter reset, start screen; the view drops its images."""
        self.session = Session()
        self._recent_scan = ("", 0.0)
        for presenter in self.citizen_presenters:
            presenter.reset()
        self.idle.reset()
        self.journey, self.history, self.appointment_code = "", [], ""
        self.screen = "out_of_service" if self.health.out_of_service else "start"
        self.dispatch("on_wipe")

    def on_wipe(self) -> None:
        pass

    def _on_service_change(self, _monitor: object, out: bool) -> None:
        if out and self.screen != "out_of_service":
            self._before_outage = self.screen
            self.screen = "out_of_service"
        elif not out and self.screen == "out_of_service":
            # Back where the citizen was, unless the session went away meanwhile.
            self.screen = self._before_outage if self.identify.identified or self.journey else "start"

    # --- scans from the camera or a scanner -------------------------------------------------------

    async def on_scan(self, text: str) -> None:
        """A code from a scanner; it counts as the citizen's activity only where the screen uses it."""
        screen = self.screen
        if screen in ("identify", "queues", "priority", "review", "lookup", "rate"):
            self.user_touch()
        else:
            # A card held up before "Nộp hồ sơ" is touched: scanners report a code once while it
            # stays in view, so the identify screen takes it from here if it is that recent.
            self._recent_scan = (text, self.now())
        if screen == "identify":
            if self.identify.handle_scan(text):
                self.go("confirm")
        elif screen in ("queues", "priority", "review"):
            if self.identify.handle_scan(text):  # the card gives the age for priority
                await self.take_number.suggest_from_birth_date()
        elif screen == "lookup":
            self.lookup.handle_scan(text)
        elif screen == "rate":
            self.rating.handle_scan(text)

    # --- the short path: a number -----------------------------------------------------------------

    def choose_queue(self, code: str) -> None:
        if self.take_number.choose_queue(code):
            self.go("priority")

    async def take_ticket(self) -> bool:
        ticket = await self.take_number.take()
        if ticket is None:
            return False
        label = self.take_number.group_name(self.take_number.priority)
        self.go("ticket")
        await self.ticket.show(ticket, priority_label=label)
        return True

    async def check_in(self) -> bool:
        ticket = await self.take_number.check_in(self.appointment_code)
        if ticket is None:
            return False
        self.go("ticket")
        await self.ticket.show(ticket)
        return True

    # --- the case ---------------------------------------------------------------------------------

    def confirm_identity(self) -> None:
        self.go("procedures")

    def submit_typed_id(self) -> None:
        if self.identify.submit_typed():
            self.go("confirm")

    async def open_procedures(self) -> None:
        self.go("procedures")
        await self.procedure.load()

    async def choose_procedure(self, code: str) -> None:
        if await self.procedure.open(code):
            self.go("procedure_detail")

    async def prepare_case(self) -> None:
        self.go("prepare")
        await self.prepare.load(dict(self.procedure.detail))

    async def form_ok(self) -> None:
        """OK on the keyboard: the next field, and after the last one, on to the papers."""
        if not self.prepare.next_field():
            await self.to_scan()

    async def to_scan(self) -> None:
        needed = self.prepare.needed_papers
        self.prepare.form_payload()
        if self.prepare.field_errors:
            self.prepare.error = None
            return
        if needed:
            self.scan.start(needed)
            self.go("scan")
        else:
            await self.to_review()

    async def to_review(self) -> None:
        if self.scan.pages and await self.scan.upload() is None:
            return
        self.go("review")
        if not self.take_number.groups:
            await self.take_number.load(self.today())

    async def submit_case(self) -> bool:
        documents = self.prepare.on_file_ids + list(self.scan.uploaded.values())
        answer = await self.submit.submit(
            self.procedure.detail.get("code", ""), documents, self.take_number.priority
        )
        if answer is None:
            if self.prepare.field_errors:
                self.go("prepare")
            return False
        label = self.take_number.group_name(self.take_number.priority)
        self.go("ticket")
        await self.ticket.show(answer["ticket"], answer["dossier"]["code"], label)
        return True

    # --- staff ------------------------------------------------------------------------------------

    def open_maintenance(self) -> None:
        self.maintenance.reset()
        self.go("maintenance")

    async def unlock_maintenance(self) -> None:
        if self.maintenance.unlock():
            await self.maintenance.refresh()

    def close_maintenance(self) -> None:
        self.maintenance.reset()
        self.wipe()

    def reset(self) -> None:  # the flow's own state is reset by wipe()
        self.wipe()
