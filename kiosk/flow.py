"""The citizen's journey across screens: which screen is up, what a touch or a scan does next, the wipe.

`KioskFlow` owns the presenters and moves between screens by setting `screen` (the ScreenManager binds
to it). It is plain EventDispatcher code: tests drive a whole journey without a window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from devices.audio import Speaker, SpeechSynth
from devices.chip import ChipReader
from devices.printers import TicketPrinter
from kiosk.api import KioskApi
from kiosk.config import KioskConfig
from kiosk.guidance import screen_words
from kiosk.presenters.base import Presenter, Session
from kiosk.presenters.care import HealthMonitor, IdleWatch, MaintenancePresenter
from kiosk.presenters.case import PreparePresenter, ProcedurePresenter, SubmitPresenter
from kiosk.presenters.chip import ChipPresenter
from kiosk.presenters.help import HelpPresenter, SpokenGuide
from kiosk.presenters.identify import IdentifyPresenter
from kiosk.presenters.lookup import LookupPresenter, RatingPresenter
from kiosk.presenters.scan import Frame, ScanPresenter
from kiosk.presenters.tickets import TakeNumberPresenter, TicketPresenter
from kiosk.text import T

log = logging.getLogger(__name__)
FAULTS_KEPT = 10  # the maintenance screen lists the last few unexpected failures

# Screens that belong to no citizen: the idle countdown never runs there.
RESTING_SCREENS = ("start", "out_of_service", "maintenance")
HEALTH_RETRY_CAP_S = 10.0  # after an outage the kiosk tries again at least this often


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
    editing_from_review = BooleanProperty(False)  # "Sửa" on the review: one answer, then back to it
    started = BooleanProperty(False)  # what the server said at start is known (office, appointments)
    # After an unexpected failure: "Xin lỗi Ông/Bà…" over the start screen until touched (a Text, or None).
    trouble = ObjectProperty(None, allownone=True)
    faults = ListProperty([])  # {"at", "what", "error"}: kept across citizens, for the maintenance screen
    has_chip_reader = BooleanProperty(False)  # the identify screen offers the card's chip first

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
        forget_frames: Callable[[], None] = lambda: None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        chip_reader: ChipReader | None = None,
        speaker: Speaker | None = None,
        synth: SpeechSynth | None = None,
    ) -> None:
        super().__init__()
        self.api, self.config, self.today, self.now = api, config, today, now
        self.forget_frames, self.wall_clock = forget_frames, wall_clock
        self.office_defaults()
        self.session = Session()
        self.identify_opened_at: datetime | None = None  # codes read before this are another moment's
        self.lookup_opened_at: datetime | None = None  # the same for the lookup screen
        self.identify = IdentifyPresenter()
        self.chip = ChipPresenter(chip_reader, api, self.identify)
        self.has_chip_reader = chip_reader is not None
        self.take_number = TakeNumberPresenter(api, lambda: self.session, self.identify)
        self.ticket = TicketPresenter(printer, config.ticket_page_base, lambda: self.office_name)
        self.lookup = LookupPresenter(api)
        self.rating = RatingPresenter(api)
        self.procedure = ProcedurePresenter(api)
        self.prepare = PreparePresenter(api, self.identify, today)
        self.scan = ScanPresenter(api, self.identify, frames)
        self.submit = SubmitPresenter(api, lambda: self.session, self.identify, self.prepare)
        self.idle = IdleWatch(config.idle_seconds, config.idle_countdown_seconds)
        self.health = HealthMonitor(api, config.health_poll_seconds, cap_s=HEALTH_RETRY_CAP_S)
        self.maintenance = MaintenancePresenter(config.maintenance_pin, device_statuses, api, printer)
        self.health.bind(out_of_service=self._on_service_change)
        self.help = HelpPresenter(api, now)
        self.voice = SpokenGuide(speaker, synth)
        # 🔊: what changes what the citizen is asked to do is said again (when the guide is on).
        self.bind(screen=self._speak_screen, lang=self._speak_screen)
        self.prepare.bind(active=self._speak_screen)
        self.scan.bind(index=self._speak_screen, papers=self._speak_screen)
        self.ticket.bind(number=self._speak_screen)
        self.help.bind(showing=self._speak_help)
        self.bind(screen=self._mask_ids_again)
        self._before_outage = "start"
        self._tasks: set[asyncio.Future[Any]] = set()

    def office_defaults(self) -> None:
        """Language, contrast and text size as the office set them (each citizen starts from these)."""
        self.lang, self.high_contrast = self.config.language, self.config.high_contrast
        self.large_text = self.config.font_scale > 1.0

    @property
    def citizen_presenters(self) -> list[Presenter]:
        """Every presenter that may hold a citizen's data: all of them are reset by a wipe."""
        return [
            self.identify,
            self.chip,
            self.take_number,
            self.ticket,
            self.lookup,
            self.rating,
            self.procedure,
            self.prepare,
            self.scan,
            self.submit,
            self.maintenance,
            self.help,
            self.voice,
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
        if self.screen == "question" and not self.editing_from_review and self.prepare.previous_question():
            return  # the question before, on the same screen
        if self.screen == "ticket":
            # The number is taken: going back starts a new request, never a replay of the last one.
            self.session = Session()
            self.ticket.reset()
            self.submit.reset()
        if previous == "start":
            self.wipe()
        elif previous == "identify":
            self.forget_frames()
            self.identify_opened_at = self.wall_clock()
            self.go(previous, remember=False)
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
                self.started = True
        else:
            self.health.out_of_service = True
            self.health.start_polling()

    async def begin(self, journey: str) -> None:
        self.journey = journey
        if journey == "case":
            self.open_identify()
        elif journey == "ticket":
            self.go("queues")
            await self.take_number.load(self.today())
        elif journey == "lookup":
            self.open_lookup()
        elif journey == "rate":
            self.go("rate")
            await self.rating.load()
        elif journey == "appointment":
            self.go("appointment")
        else:
            raise ValueError(f"unknown journey {journey!r}")

    def open_identify(self) -> None:
        """Only a card shown from now on counts: frames and codes from before are forgotten."""
        self.forget_frames()
        self.identify_opened_at = self.wall_clock()
        self.identify.error = None
        self.go("identify")

    def open_lookup(self) -> None:
        """ "Tra cứu hồ sơ": like identify, only a card or receipt shown from now on counts."""
        self.forget_frames()
        self.lookup_opened_at = self.wall_clock()
        self.lookup.again()
        self.go("lookup")

    async def search_lookup(self) -> None:
        """ "Tra cứu" under the code and the last 4 digits."""
        if await self.lookup.search():
            self.go("lookup_result")

    async def _lookup_scanned(self, text: str) -> None:
        kind = self.lookup.handle_scan(text)
        if kind == "card":
            if await self.lookup.search_by_card(text):
                self.go("lookup_result")
        elif kind == "code" and len(self.lookup.last4) == 4:
            await self.search_lookup()

    def lookup_again(self) -> None:
        """ "Tra cứu hồ sơ khác" under an answer."""
        self.open_lookup()

    def open_chip(self) -> None:
        """ "Đặt thẻ căn cước lên đầu đọc": the CAN pad, with the card on the reader."""
        self.chip.clear()
        self.go("chip")

    async def read_chip(self) -> None:
        """ "Đọc thẻ" under the CAN pad: the card read off the UI thread; the server's claim, then confirm."""
        self.user_touch()
        if await self.chip.read():
            self.go("confirm")

    def user_touch(self) -> None:
        self.idle.touch(self.now())

    # --- help at the kiosk ------------------------------------------------------------------------

    async def call_help(self) -> None:
        """ "Gọi cán bộ hỗ trợ": a staff member is called; the citizen is told so over the screen."""
        self.user_touch()
        self._watch_idle()
        await self.help.press()

    def close_help(self) -> None:
        self.user_touch()
        self.help.close()

    def toggle_voice(self) -> None:
        """🔊: on, the screen's instruction is read now and on every screen after; off, silence."""
        self.user_touch()
        self._watch_idle()
        if self.voice.toggle():
            self.background(self.voice.say(screen_words(self), self.lang, again=True))

    def _watch_idle(self) -> None:
        """Help asked for on the start screen: the idle wipe (which ends it) runs there too."""
        if self.screen == "start" and not self.idle.active:
            self.idle.begin(self.now())

    def _speak_help(self, _help: object, showing: bool) -> None:
        if showing:  # the confirmation is read; closing it says nothing more
            self._speak_screen()

    def _speak_screen(self, *_: Any) -> None:
        if self.voice.enabled:
            self.background(self.voice.say(screen_words(self), self.lang))

    def tick(self) -> None:
        """Called every second by the app: the idle countdown; whether someone answered the call for help."""
        if self.help.called:
            self.background(self.help.poll())
        if self.help.left_open and not self.health.out_of_service:
            self.background(self.help.close_left_calls())
        if self.idle.tick(self.now()):
            log.info("idle timeout: session wiped")
            self.wipe()

    def wipe(self) -> None:
        """Forget the citizen: new session, every presenter reset, start screen; the view drops its images."""
        self.session = Session()
        self.trouble = None
        self.forget_frames()
        self.identify_opened_at = self.lookup_opened_at = None
        self.help.citizen_left()  # before the reset forgets which call was this citizen's
        for presenter in self.citizen_presenters:
            presenter.reset()
        self.idle.reset()
        self.journey, self.history, self.appointment_code = "", [], ""
        self.editing_from_review = False
        self.office_defaults()
        self.screen = "out_of_service" if self.health.out_of_service else "start"
        self.dispatch("on_wipe")
        if self.help.left_open:
            self.background(self.help.close_left_calls())

    def on_wipe(self) -> None:
        pass

    def _on_service_change(self, _monitor: object, out: bool) -> None:
        if out and self.screen != "out_of_service":
            self._before_outage = self.screen
            self.screen = "out_of_service"
        elif not out and self.screen == "out_of_service":
            # Back where the citizen was, unless the session went away meanwhile; the outage's
            # messages go, and what the screen lists is asked for again.
            for presenter in self.citizen_presenters:
                presenter.error = None
            keep = self.identify.identified or self.journey or self._before_outage == "maintenance"
            self.screen = self._before_outage if keep else "start"
            self._reload_after_outage()

    def _reload_after_outage(self) -> None:
        reloads = {
            "queues": lambda: self.take_number.load(self.today()),
            "priority": lambda: self.take_number.load(self.today()),
            "procedures": self.procedure.load,
            "rate": self.rating.load,
        }
        reload = reloads.get(self.screen)
        if reload is not None:
            self.background(reload())
        if not self.office_name:  # started while the server was away
            self.background(self.startup())

    def background(self, awaitable: Any) -> None:
        """Run a coroutine on the loop, kept until it ends; an unexpected failure is logged and listed."""
        task = asyncio.ensure_future(awaitable)
        self._tasks.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Work the citizen did not ask for (a poll, a reload): nothing of theirs is lost, so no wipe.
            self.task_failed(task_name(task), task.exception(), recover=False)

    # --- failures nobody expected --------------------------------------------------------------------

    def task_failed(self, what: str, error: BaseException | None, recover: bool = True) -> None:
        """A task broke in a way no presenter handles: the maintenance log gets it; when it was the
        citizen's own step, the kiosk goes back to the start and says so in plain words."""
        log.error("kiosk task %s failed unexpectedly", what, exc_info=error)
        at = self.wall_clock().astimezone().strftime("%H:%M:%S")
        fault = {"at": at, "what": what, "error": type(error).__name__}
        self.faults = [*self.faults[-(FAULTS_KEPT - 1) :], fault]
        if not recover or self.screen in ("maintenance", "out_of_service"):
            return
        self.wipe()
        self.trouble = T["trouble.body"]

    def close_trouble(self) -> None:
        """ "Làm lại" under the apology."""
        self.user_touch()
        self.trouble = None

    # --- scans from the camera or a scanner -------------------------------------------------------

    async def on_scan(self, text: str, at: datetime | None = None) -> None:
        """A code from a scanner; read only where the screen uses it, and on the identify screen only
        when it was read after that screen opened (never a card of the previous citizen)."""
        screen = self.screen
        if screen not in ("identify", "queues", "priority", "lookup", "rate"):
            return
        if screen in ("identify", "lookup"):
            since = self.identify_opened_at if screen == "identify" else self.lookup_opened_at
            if since is None or (at is not None and at < since):
                return  # read before the screen opened: another citizen's card or receipt
        self.user_touch()
        if screen == "identify":
            if self.identify.handle_scan(text):
                self.go("confirm")
        elif screen in ("queues", "priority") and not self.identify.identified:
            if self.identify.handle_scan(text):  # the card gives the age for priority
                await self.take_number.suggest_from_birth_date()
        elif screen == "lookup" and not self.lookup.busy:
            await self._lookup_scanned(text)
        elif screen == "rate":
            await self.rating.read_ticket(text)

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
        await self.ticket.show(ticket, note=T["ticket.checked_in"])
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

    async def start_form(self) -> None:
        """From the checklist to the first question (or on to the papers when there is no form)."""
        self.editing_from_review = False
        if not self.prepare.form_fields:
            await self.to_scan()
            return
        self.prepare.focus(self.prepare.form_fields[0]["name"])
        self.go("question")

    async def answer_next(self) -> None:
        """ "Tiếp tục" under a question: checked, then the next one; after the last, the papers."""
        moved = self.prepare.answer_next()
        if moved is False:
            return
        if self.editing_from_review:
            self.editing_from_review = False
            await self.to_review()
        elif moved is None:
            await self.to_scan()

    def edit_answer(self, name: str) -> None:
        """ "Sửa" beside an answer on the review."""
        self.prepare.focus(name)
        self.editing_from_review = True
        self.go("question")

    def toggle_id_shown(self, name: str) -> None:
        """ "Hiện số" / "Ẩn số" beside an ID number on the review (masked again when the review is left)."""
        self.user_touch()
        shown = list(self.prepare.revealed)
        self.prepare.revealed = [n for n in shown if n != name] if name in shown else [*shown, name]

    def _mask_ids_again(self, _flow: object, screen: str) -> None:
        if screen != "review" and self.prepare.revealed:
            self.prepare.revealed = []  # an ID shown whole for a check is hidden again behind the citizen

    def edit_paper(self, paper_type: str) -> None:
        """ "Sửa" beside a paper on the review: photograph it (again)."""
        self.scan.start(self.prepare.papers_to_supply)
        self.scan.show_paper(paper_type)
        self.go("scan")

    async def to_scan(self) -> None:
        self.prepare.form_payload()
        if self.prepare.field_errors:
            first = next(
                f["name"] for f in self.prepare.form_fields if f["name"] in self.prepare.field_errors
            )
            self.prepare.focus(first)
            self.prepare.check_active()
            self.go("question")
            return
        self._claimed_birth_date()
        # A typed ID number: the citizen's claim (number + the form's name and birth date) is
        # recorded before papers are sent for it.
        if not self.prepare.registered and not await self.prepare.register():
            self.prepare.error = self.prepare.error or T["prepare.not_registered"]
            return
        papers = self.prepare.papers_to_supply
        if papers:
            self.scan.start(papers)
            self.go("scan")
        else:
            await self.to_review()

    def _claimed_birth_date(self) -> None:
        """Priority is offered from the birth date however it was given: the card, or the form."""
        if self.identify.birth_date is None:
            self.identify.birth_date = self.prepare.birth_date()

    async def to_review(self) -> None:
        if self.scan.pages and await self.scan.upload() is None:
            return
        self.go("review")
        if not self.take_number.groups:
            await self.take_number.load(self.today())
        else:
            await self.take_number.suggest_from_birth_date()

    async def submit_case(self) -> bool:
        documents = self.prepare.on_file_ids + list(self.scan.uploaded.values())
        answer = await self.submit.submit(
            self.procedure.detail.get("code", ""), documents, self.take_number.priority
        )
        if answer is None:
            if self.prepare.field_errors:  # the server's word on an answer: back to that question
                first = next(
                    (f["name"] for f in self.prepare.form_fields if f["name"] in self.prepare.field_errors),
                    "",
                )
                if first:
                    errors = dict(self.prepare.field_errors)
                    self.edit_answer(first)
                    self.prepare.field_errors = errors
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


def task_name(task: asyncio.Future[Any]) -> str:
    """What a task was doing, for the maintenance log: its coroutine's name ("KioskFlow.begin")."""
    coro = task.get_coro() if isinstance(task, asyncio.Task) else None
    return str(getattr(coro, "__qualname__", "") or "task")
