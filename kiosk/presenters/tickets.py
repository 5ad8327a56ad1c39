"""Taking a number: the queues with their waits, priority, the ticket on screen and on paper.

The ticket is always shown on screen with its QR (PUBLIC_URL/t/{public_code}), so a printer that fails
never leaves the citizen with nothing; the print result is a message beside it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from kivy.properties import ListProperty, NumericProperty, ObjectProperty, StringProperty

from devices.printers import PrinterError, TicketPrint, TicketPrinter
from kiosk.api import KioskApi
from kiosk.presenters.base import Presenter, Session
from kiosk.presenters.identify import IdentifyPresenter
from kiosk.text import T, Text, minutes

log = logging.getLogger(__name__)


def queue_row(queue: dict[str, Any]) -> dict[str, Any]:
    """A queue as its button shows it."""
    wait = minutes(queue.get("estimated_wait_s"))
    return {
        "code": queue["code"],
        "name": Text(queue.get("name_vi") or queue["code"], queue.get("name_en") or queue.get("name_vi", "")),
        "open": bool(queue.get("open", True)),
        "waiting": int(queue.get("waiting") or 0),
        "wait_minutes": wait,
        "appointments": bool(queue.get("appointments")),
    }


class TakeNumberPresenter(Presenter):
    queues = ListProperty([])  # queue_row dicts
    groups = ListProperty([])  # {"code", "name": Text, "min_age"}
    selected_queue = StringProperty("")
    priority = StringProperty("")  # a group code, "" for none
    suggested_priority = StringProperty("")  # from the card's age

    def __init__(self, api: KioskApi, session: Callable[[], Session], identify: IdentifyPresenter) -> None:
        super().__init__()
        self.api, self.session, self.identify = api, session, identify

    async def load(self, today: date) -> bool:
        queues = await self.call(self.api.queues())
        groups = await self.call(self.api.priority_groups(self.identify.birth_date))
        if queues is None or groups is None:
            return False
        self.queues = [queue_row(q) for q in queues]
        self.groups = [
            {
                "code": g["code"],
                "name": Text(g["name_vi"], g.get("name_en") or g["name_vi"]),
                "min_age": g.get("min_age"),
            }
            for g in groups
        ]
        self._offer(groups, replace=False)
        return True

    async def suggest_from_birth_date(self) -> None:
        """A card read on this screen: ask the server which age group fits its birth date, and offer it."""
        groups = await self.call(self.api.priority_groups(self.identify.birth_date))
        if groups is not None:
            self._offer(groups, replace=True)

    def _offer(self, groups: list[dict[str, Any]], *, replace: bool) -> None:
        # The server decides the age groups (min_age, max_age) from the birth date.
        self.suggested_priority = next((str(g["code"]) for g in groups if g.get("suggested")), "")
        if self.suggested_priority and (replace or not self.priority):
            self.priority = self.suggested_priority

    @property
    def takes_appointments(self) -> bool:
        return any(q["appointments"] for q in self.queues)

    def choose_queue(self, code: str) -> bool:
        row = next((q for q in self.queues if q["code"] == code), None)
        if row is None:
            self.fail(T["queue.unknown"].fill(code=code))
            return False
        if not row["open"]:
            self.fail(T["queue.closed.now"])
            return False
        self.selected_queue, self.error = code, None
        return True

    def choose_priority(self, code: str) -> None:
        self.priority = code if any(g["code"] == code for g in self.groups) else ""

    def group_name(self, code: str) -> Text | None:
        return next((g["name"] for g in self.groups if g["code"] == code), None)

    async def take(self) -> dict[str, Any] | None:
        """Issue the ticket; a retry in the same session answers the same ticket (idempotency key)."""
        if not self.selected_queue:
            self.fail(T["queue.choose"])
            return None
        key = self.session().idempotency_key("ticket")
        result: dict[str, Any] | None = await self.call(
            self.api.issue_ticket(self.selected_queue, self.priority or None, key, self.identify.birth_date)
        )
        return result

    async def check_in(self, code: str) -> dict[str, Any] | None:
        code = code.strip().upper()
        if not 4 <= len(code) <= 12:
            self.fail(T["appointment.bad_code"])
            return None
        result: dict[str, Any] | None = await self.call(self.api.check_in(code))
        return result


class TicketPresenter(Presenter):
    """The ticket as shown and printed."""

    number = StringProperty("")
    queue_name = ListProperty(["", ""])  # [vi, en]
    people_ahead = NumericProperty(0)
    wait_minutes = NumericProperty(-1)  # -1: unknown
    qr_url = StringProperty("")
    dossier_code = StringProperty("")
    priority_label = StringProperty("")
    print_state = StringProperty("")  # "", "printing", "printed", "failed", "no_printer"
    print_message = ListProperty(["", ""])  # [vi, en]
    note = ObjectProperty(None, allownone=True)  # a Text: what happens next (an appointment's check-in)

    def __init__(
        self, printer: TicketPrinter | None, public_base: str, office_name: Callable[[], str]
    ) -> None:
        super().__init__()
        self.printer, self.public_base, self.office_name = printer, public_base.rstrip("/"), office_name

    async def show(
        self,
        ticket: dict[str, Any],
        dossier_code: str = "",
        priority_label: Text | None = None,
        note: Text | None = None,
    ) -> None:
        self.note = note
        self.number = ticket["number"]
        self.queue_name = [ticket.get("queue_name_vi") or "", ticket.get("queue_name_en") or ""]
        self.people_ahead = int(ticket.get("people_ahead") or 0)
        wait = minutes(ticket.get("estimated_wait_s"))
        self.wait_minutes = -1 if wait is None else wait
        self.qr_url = f"{self.public_base}/t/{ticket['public_code']}"
        self.dossier_code = dossier_code
        self.priority_label = priority_label.vi if priority_label else ""
        await self._print(ticket, priority_label)

    async def _print(self, ticket: dict[str, Any], priority_label: Text | None) -> None:
        if self.printer is None:
            self._print_result("no_printer", T["ticket.no_printer"])
            return
        document = TicketPrint(
            office_name=self.office_name() or T["app.title"].vi,
            number=ticket["number"],
            queue_name_vi=ticket.get("queue_name_vi") or ticket["queue"],
            queue_name_en=ticket.get("queue_name_en") or "",
            issued_at=datetime.fromisoformat(ticket["issued_at"].replace("Z", "+00:00")),
            people_ahead=int(ticket.get("people_ahead") or 0),
            estimated_wait_s=ticket.get("estimated_wait_s"),
            qr_url=self.qr_url,
            dossier_code=self.dossier_code or None,
            priority_label=priority_label.vi if priority_label else None,
        )
        self.print_state = "printing"
        try:
            await asyncio.to_thread(self.printer.print_ticket, document)
        except (PrinterError, OSError, ValueError) as error:  # a printer problem is a message, never a crash
            log.warning("ticket %s not printed: %s", ticket["number"], error)
            status = self.printer.status()
            vi, en = status.message_vi or str(error), status.message_en or str(error)
            reason = Text(vi[:1].lower() + vi[1:], en[:1].lower() + en[1:])
            failed = T["ticket.print_failed"]
            self._print_result(
                "failed", Text(failed.vi.format(reason=reason.vi), failed.en.format(reason=reason.en))
            )
            return
        self._print_result("printed", T["ticket.printed"])

    def _print_result(self, state: str, message: Text) -> None:
        self.print_state, self.print_message = state, [message.vi, message.en]
