"""Care for the kiosk and its citizens: the idle countdown, the server's health, the staff screen."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty

from devices.backoff import Backoff
from devices.printers import PrinterError, TicketPrint, TicketPrinter
from kiosk.api import ApiError, KioskApi
from kiosk.presenters.base import Presenter
from kiosk.text import T, Text

log = logging.getLogger(__name__)


class IdleWatch(Presenter):
    """No touch for `idle_s`: ask "Ông/Bà còn ở đây không?"; no answer for `countdown_s`: wipe.

    Time comes in as arguments (monotonic seconds) so that tests need no clock and no sleep.
    """

    asking = BooleanProperty(False)
    seconds_left = NumericProperty(0)

    def __init__(self, idle_s: float, countdown_s: float) -> None:
        super().__init__()
        self.idle_s, self.countdown_s = idle_s, countdown_s
        self.last_touch = 0.0
        self.active = False  # only a citizen's session can go idle; the start screen cannot

    def touch(self, now: float) -> None:
        self.last_touch = now
        self.asking = False

    def begin(self, now: float) -> None:
        self.active = True
        self.touch(now)

    def end(self) -> None:
        self.active, self.asking = False, False

    def tick(self, now: float) -> bool:
        """Advance; True when the session must be wiped now."""
        if not self.active:
            return False
        idle = now - self.last_touch
        if idle < self.idle_s:
            self.asking = False
            return False
        left = self.idle_s + self.countdown_s - idle
        self.asking, self.seconds_left = True, max(0, int(-(-left // 1)))
        return left <= 0

    def reset(self) -> None:  # the timing settings survive a wipe
        self.end()
        self.seconds_left = 0


class HealthMonitor(Presenter):
    """Out of service while the server does not answer; polls /health with backoff until it does."""

    out_of_service = BooleanProperty(False)
    retry_in = NumericProperty(0)

    def __init__(self, api: KioskApi, first_retry_s: float, cap_s: float = 60.0) -> None:
        super().__init__()
        self.api = api
        self.backoff = Backoff(initial_s=first_retry_s, factor=2.0, cap_s=max(cap_s, first_retry_s))
        self._task: asyncio.Task[None] | None = None
        api.on_availability(self._on_availability)

    def _on_availability(self, available: bool) -> None:
        if not available:
            self.out_of_service = True
            self.start_polling()

    def start_polling(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_event_loop().create_task(self._poll())

    async def check(self) -> bool:
        try:
            await self.api.health()
        except ApiError:
            return False
        return True

    async def _poll(self) -> None:
        self.backoff.reset()
        while True:
            delay = self.backoff.next_delay()
            self.retry_in = round(delay)
            await asyncio.sleep(delay)
            if await self.check():
                log.info("server answers again")
                self.out_of_service = False
                return

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def reset(self) -> None:  # server health is not a citizen's data
        pass


class MaintenancePresenter(Presenter):
    """Staff only, behind the PIN from kiosk.toml: the devices' status and the server's."""

    pin_typed = StringProperty("")
    unlocked = BooleanProperty(False)
    rows = ListProperty([])  # {"name", "kind", "url", "state", "message_vi", "message_en"}
    message = ObjectProperty(None, allownone=True)  # a Text: what the last action did

    def __init__(
        self,
        pin: str,
        statuses: Callable[[], list[dict[str, Any]]],
        api: KioskApi,
        printer: TicketPrinter | None = None,
    ) -> None:
        super().__init__()
        self.pin, self.statuses, self.api, self.printer = pin, statuses, api, printer

    async def test_print(self) -> bool:
        """A sample ticket on the printer (staff check the paper and the print quality)."""
        if self.printer is None:
            self.fail(T["ticket.no_printer"])
            return False
        sample = TicketPrint(
            office_name=T["maint.test_print"].vi.upper(),
            number="A000",
            queue_name_vi=T["maint.test_print"].vi,
            queue_name_en=T["maint.test_print"].en,
            issued_at=datetime.now(UTC),
            people_ahead=0,
        )
        self.busy, self.error, self.message = True, None, None
        try:
            await asyncio.to_thread(self.printer.print_ticket, sample)
        except (PrinterError, OSError, ValueError) as error:
            status = self.printer.status()
            self.fail(
                T["maint.test_print.failed"].fill(
                    reason=Text(status.message_vi or str(error), status.message_en or str(error))
                )
            )
            return False
        finally:
            self.busy = False
        self.message = T["maint.test_print.done"]
        await self.refresh()
        return True

    def press_digit(self, digit: str) -> None:
        if digit.isdigit() and len(self.pin_typed) < 8:
            self.pin_typed += digit

    def backspace(self) -> None:
        self.pin_typed = self.pin_typed[:-1]

    def unlock(self) -> bool:
        unlocked = bool(self.pin_typed == self.pin)
        self.unlocked, self.pin_typed = unlocked, ""
        self.error = None if unlocked else T["maint.bad_pin"]
        return unlocked

    async def refresh(self) -> None:
        rows = [
            {
                "name": row["name"],
                "kind": row["kind"],
                "url": row["url"],
                "state": row["status"]["state"],
                "message_vi": row["status"]["message_vi"],
                "message_en": row["status"]["message_en"],
            }
            for row in self.statuses()
        ]
        server_ok = await self.check_server()
        rows.insert(
            0,
            {
                "name": "server",
                "kind": "server",
                "url": self.api.base_url,
                "state": "ready" if server_ok else "offline",
                "message_vi": "" if server_ok else T["maint.server.down"].vi,
                "message_en": "" if server_ok else T["maint.server.down"].en,
            },
        )
        self.rows = rows

    async def check_server(self) -> bool:
        try:
            await self.api.health()
        except ApiError:
            return False
        return True
