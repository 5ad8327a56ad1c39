"""The case journey: choose a procedure, prepare (papers on file, the declaration), submit.

Scanning papers is in `kiosk.presenters.scan`. The server's contract is docs/api-dossiers.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from kivy.properties import (
    BooleanProperty,
    DictProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)

from kiosk.api import ApiError, KioskApi
from kiosk.presenters import answers
from kiosk.presenters.base import Presenter, Session
from kiosk.presenters.identify import IdentifyPresenter
from kiosk.telex import TelexComposer
from kiosk.text import T, Text

log = logging.getLogger(__name__)


def money(vnd: int | None) -> str:
    """20000 -> "20.000 đ" (Vietnamese thousands separator)."""
    return "" if vnd is None else f"{vnd:,}".replace(",", ".") + " đ"


class ProcedurePresenter(Presenter):
    fields = ListProperty([])  # {"code", "name": Text, "procedures"}
    field = StringProperty("")
    query = StringProperty("")
    results = ListProperty([])  # procedure summaries from the server
    detail = DictProperty({})  # the chosen procedure, with papers and form
    keyboard_open = BooleanProperty(False)

    def __init__(self, api: KioskApi) -> None:
        super().__init__()
        self.api = api
        self.composer = TelexComposer()
        self._soon: asyncio.TimerHandle | None = None
        self._search_task: asyncio.Task[bool] | None = None

    def toggle_keyboard(self) -> None:
        self.keyboard_open = not self.keyboard_open

    def search_soon(self, delay_s: float = 0.4) -> None:
        """Search a moment after the last key, not on every key."""
        if self._soon is not None:
            self._soon.cancel()
        loop = asyncio.get_event_loop()
        self._soon = loop.call_later(delay_s, self._search_now)

    def _search_now(self) -> None:
        self._soon = None
        self._search_task = asyncio.ensure_future(self.search())

    async def load(self) -> bool:
        fields = await self.call(self.api.fields())
        if fields is None:
            return False
        self.fields = [
            {
                "code": f["code"],
                "name": Text(f["name_vi"], f.get("name_en") or f["name_vi"]),
                "procedures": f.get("procedures", 0),
            }
            for f in fields
        ]
        return await self.search()

    async def choose_field(self, code: str) -> bool:
        self.field = "" if code == self.field else code
        return await self.search()

    def press(self, key: str) -> None:
        self.query = self.composer.press(key)

    def backspace(self) -> None:
        self.query = self.composer.backspace()

    def clear_query(self) -> None:
        self.composer.clear()
        self.query = ""

    async def search(self) -> bool:
        found = await self.call(self.api.procedures(self.query.strip(), self.field))
        if found is None:
            return False
        self.results = found
        return True

    async def open(self, code: str) -> bool:
        found = await self.call(self.api.procedure(code))
        if found is None:
            return False
        self.detail = found
        return True

    def reset(self) -> None:
        super().reset()
        if self._soon is not None:
            self._soon.cancel()
            self._soon = None
        self.composer.clear()


class PreparePresenter(Presenter):
    """The checklist of papers and the declaration form, prefilled from the card."""

    papers = ListProperty([])  # checklist rows from the server (status on_file / missing / ...)
    form_fields = ListProperty([])  # field specs from the procedure's form
    values = DictProperty({})  # field name -> text as typed (dates as dd/mm/yyyy)
    field_errors = DictProperty({})  # field name -> [vi, en]
    active = StringProperty("")  # the question on screen
    number = NumericProperty(0)  # its place, from 1
    input_kind = StringProperty("keyboard")  # how it is answered: choice, keypad, keyboard, email
    answer_ok = ObjectProperty(None, allownone=True)  # a Text when the answer just given was checked fine
    registered = BooleanProperty(False)
    loading = BooleanProperty(False)  # registering and asking for the checklist
    claim = StringProperty("")  # the server's token for what this citizen told the kiosk
    needed_count = NumericProperty(0)  # papers the citizen must still supply
    revealed = ListProperty([])  # ID-number answers the citizen asked to see whole on the review

    def __init__(
        self, api: KioskApi, identify: IdentifyPresenter, today: Callable[[], date] = date.today
    ) -> None:
        super().__init__()
        self.api, self.identify, self.today = api, identify, today
        self.composer = TelexComposer()
        self.bind(papers=lambda *_: setattr(self, "needed_count", len(self.needed_papers)))

    async def load(self, procedure: dict[str, Any]) -> bool:
        self.form_fields = list((procedure.get("form") or {}).get("fields", []))
        self.values = {f["name"]: self._prefill(f) for f in self.form_fields}
        self.field_errors = {}
        self.papers = [
            dict(p, status="missing", needed=not p.get("optional")) for p in procedure.get("papers", [])
        ]
        if self.form_fields:
            self.focus(self.form_fields[0]["name"])
        self.loading = True  # the checklist's "Bắt đầu khai" waits until the papers on file are known
        try:
            if await self.register():
                checklist = await self.call(
                    self.api.checklist(self.identify.id_number, procedure["code"], self.claim)
                )
                if checklist is None:
                    return False
                self.papers = checklist.get("papers", [])
            return True
        finally:
            self.loading = False

    async def register(self, force: bool = False) -> bool:
        """Tell the server who the citizen says they are (POST /citizens) and keep the claim token; a typed
        number needs no name (the declaration's name goes with the case)."""
        if self.registered and not force:
            return True
        if self.identify.chip_claim:  # the chip read was claimed with the server already
            self.claim, self.registered = self.identify.chip_claim, True
            return True
        body = self.identify.registration(self.form_payload(strict=False))
        try:
            answer = await self.api.register_citizen(body)
        except ApiError as error:
            if error.code == "server_unavailable":
                self.error = Text(error.message_vi, error.message_en)
            log.info("citizen not registered yet: %s", error.code)
            return False
        self.claim = str(answer.get("claim") or "")
        self.registered = True
        return True

    def _prefill(self, spec: dict[str, Any]) -> str:
        value = str(self.identify.citizen_fields().get(spec.get("prefill") or "", "") or "")
        if spec.get("type") == "date" and value:
            year, month, day = value.split("-")
            return f"{day}/{month}/{year}"
        return value

    @property
    def needed_papers(self) -> list[dict[str, Any]]:
        return [p for p in self.papers if p.get("needed")]

    @property
    def papers_to_supply(self) -> list[dict[str, Any]]:
        """Every paper not on file, needed ones first (an optional one may be skipped)."""
        open_papers = [p for p in self.papers if p.get("status") not in ("on_file", "uploaded")]
        return sorted(open_papers, key=lambda p: not p.get("needed"))

    @property
    def on_file_ids(self) -> list[int]:
        return [
            int(p["document"]["id"])
            for p in self.papers
            if p.get("status") in ("on_file", "uploaded") and p.get("document")
        ]

    def spec(self, name: str) -> dict[str, Any]:
        return next((f for f in self.form_fields if f["name"] == name), {})

    def focus(self, name: str) -> None:
        spec = self.spec(name)
        if not spec:
            return
        self.active = name
        self.number = [f["name"] for f in self.form_fields].index(name) + 1
        self.input_kind = answers.input_kind(spec)
        self.answer_ok = None
        typed = str(self.values.get(name, ""))
        if spec.get("type") == "date":
            typed = "".join(c for c in typed if c.isdigit())
        self.composer = TelexComposer(typed, enabled=spec.get("type") in answers.TELEX_TYPES)

    def check_active(self) -> bool:
        """Check the answer on screen, in plain words; True when it may stay as it is."""
        spec = self.spec(self.active)
        problem = answers.check(spec, str(self.values.get(self.active, "")), self.today())
        if problem is None:
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != self.active}
            self.answer_ok = T["prepare.good"] if self.values.get(self.active) else None
            return True
        self.field_errors = {**self.field_errors, self.active: [problem.vi, problem.en]}
        self.answer_ok = None
        return False

    def answer_next(self) -> bool | None:
        """ "Tiếp tục": check this answer; then the next question (True) or none left (None).
        False: the answer needs fixing first."""
        if not self.check_active():
            return False
        return True if self.next_field() else None

    def previous_question(self) -> bool:
        names = [f["name"] for f in self.form_fields]
        if self.active not in names or names.index(self.active) == 0:
            return False
        self.focus(names[names.index(self.active) - 1])
        return True

    def choose(self, value: str) -> None:
        """A choice (or yes/no) touched: its value, shown by its wording."""
        self.set_value(self.active, value)
        self.check_active()

    def mark(self, kind: str) -> None:
        """A mark from the keyboard's marks bar on the word just typed."""
        if self.active:
            self._set(self.composer.mark(kind))

    def birth_date(self) -> date | None:
        """The birth date the form gives (for priority when the ID number was typed)."""
        spec = next((f for f in self.form_fields if f.get("prefill") == "citizen.birth_date"), None)
        if spec is None:
            return None
        try:
            return date.fromisoformat(answers.convert("date", str(self.values.get(spec["name"], ""))))
        except ValueError:
            return None

    def next_field(self) -> bool:
        """Move to the next field after the active one; False after the last."""
        names = [f["name"] for f in self.form_fields]
        if self.active not in names or names.index(self.active) + 1 >= len(names):
            return False
        self.focus(names[names.index(self.active) + 1])
        return True

    def press(self, key: str) -> None:
        if not self.active:
            return
        if self.spec(self.active).get("type") == "date":
            if key.isdigit() and len(self.composer.text) < answers.DATE_DIGITS:
                self.composer.text += key
            self._set_typed_date()
            return
        self._set(self.composer.press(key))

    def backspace(self) -> None:
        if not self.active:
            return
        if self.spec(self.active).get("type") == "date":
            self.composer.text = self.composer.text[:-1]
            self._set_typed_date()
            return
        self._set(self.composer.backspace())

    def _set_typed_date(self) -> None:
        digits = self.composer.text
        self._set(answers.date_from_digits(digits))
        self.composer.text = digits  # the composer keeps digits; the value shows the slashes

    def set_value(self, name: str, value: str) -> None:
        """Choices and yes/no fields are set by a touch, not typed."""
        self.active = name
        self.composer = TelexComposer(value, enabled=False)
        self._set(value)

    def _set(self, text: str) -> None:
        spec = self.spec(self.active)
        limit = spec.get("max_length") or answers.TYPE_LENGTHS.get(spec.get("type", "text"), 500)
        text = text[: int(limit)]
        self.composer.text = text
        self.answer_ok = None
        self.values = {**self.values, self.active: text}
        if self.active in self.field_errors:
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != self.active}

    def form_payload(self, strict: bool = True) -> dict[str, Any]:
        """The form as the API wants it; strict: a wrong date or number becomes a field error here."""
        payload: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for spec in self.form_fields:
            name, kind = spec["name"], spec.get("type", "text")
            text = str(self.values.get(name, "")).strip()
            if not text:
                continue
            try:
                payload[name] = answers.convert(kind, text)
            except ValueError as error:
                errors[name] = list(error.args[0]) if isinstance(error.args[0], tuple) else [str(error)] * 2
        if strict:
            self.field_errors = errors
        return payload

    def show_server_errors(self, error: ApiError) -> None:
        problems: dict[str, list[str]] = {}
        for item in error.details.get("fields", []) or []:
            name = str(item.get("field", "")).removeprefix("form.")
            vi = str(item.get("message_vi") or item.get("problem") or error.message_vi)
            problems[name] = [vi, str(item.get("message_en") or item.get("problem") or vi)]
        self.field_errors = problems
        labels = [self.spec(name) for name in problems if self.spec(name)]
        self.error = (
            T["prepare.fix_fields"].fill(
                fields=Text(
                    ", ".join(str(f.get("label_vi", f["name"])) for f in labels),
                    ", ".join(str(f.get("label_en") or f.get("label_vi") or f["name"]) for f in labels),
                )
            )
            if labels
            else Text(error.message_vi, error.message_en)
        )
        first = next((f["name"] for f in self.form_fields if f["name"] in problems), "")
        if first:
            self.focus(first)

    def reset(self) -> None:
        super().reset()
        self.composer = TelexComposer()


class SubmitPresenter(Presenter):
    """Review and submit: one idempotency key per citizen session, so a retry never makes two cases."""

    dossier = DictProperty({})
    submitted = BooleanProperty(False)

    def __init__(
        self,
        api: KioskApi,
        session: Callable[[], Session],
        identify: IdentifyPresenter,
        prepare: PreparePresenter,
    ) -> None:
        super().__init__()
        self.api, self.session, self.identify, self.prepare = api, session, identify, prepare

    async def submit(self, procedure: str, documents: list[int], priority: str = "") -> dict[str, Any] | None:
        form = self.prepare.form_payload()
        if self.prepare.field_errors:
            self.error = T["prepare.fix"]
            return None
        if not await self.prepare.register():
            self.error = self.prepare.error or T["prepare.not_registered"]
            return None
        body = {
            "procedure": procedure,
            "citizen_id": self.identify.id_number,
            "form": form,
            "documents": sorted(set(documents)),
            "idempotency_key": self.session().idempotency_key("dossier"),
            "claim": self.prepare.claim,
            "priority": priority or None,
        }
        self.busy, self.error = True, None
        try:
            answer: dict[str, Any] = await self.api.submit_dossier(body)
        except ApiError as error:
            if error.code == "form_invalid":
                self.prepare.show_server_errors(error)
            self.error = Text(error.message_vi, error.message_en)
            return None
        finally:
            self.busy = False
        self.dossier, self.submitted = answer["dossier"], True
        return answer
