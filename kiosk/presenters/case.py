"""The case journey: choose a procedure, prepare (papers on file, the declaration), submit.

Scanning papers is in `kiosk.presenters.scan`. The server's contract is docs/api-dossiers.md.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from kivy.properties import BooleanProperty, DictProperty, ListProperty, NumericProperty, StringProperty

from kiosk.api import ApiError, KioskApi
from kiosk.presenters.base import Presenter, Session
from kiosk.presenters.identify import IdentifyPresenter
from kiosk.telex import TelexComposer
from kiosk.text import Text

log = logging.getLogger(__name__)
TYPED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
TELEX_TYPES = ("text", "textarea")


def money(vnd: int | None) -> str:
    """20000 -> "20.000 đ" (Vietnamese thousands separator)."""
    return "" if vnd is None else f"{vnd:,}".replace(",", ".") + " đ"


class ProcedurePresenter(Presenter):
    fields = ListProperty([])  # {"code", "name": Text, "procedures"}
    field = StringProperty("")
    query = StringProperty("")
    results = ListProperty([])  # procedure summaries from the server
    detail = DictProperty({})  # the chosen procedure, with papers and form

    def __init__(self, api: KioskApi) -> None:
        super().__init__()
        self.api = api
        self.composer = TelexComposer()

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
        self.composer.clear()


class PreparePresenter(Presenter):
    """The checklist of papers and the declaration form, prefilled from the card."""

    papers = ListProperty([])  # checklist rows from the server (status on_file / missing / ...)
    form_fields = ListProperty([])  # field specs from the procedure's form
    values = DictProperty({})  # field name -> text as typed (dates as dd/mm/yyyy)
    field_errors = DictProperty({})  # field name -> [vi, en]
    active = StringProperty("")
    registered = BooleanProperty(False)
    claim = StringProperty("")  # the server's token for what this citizen told the kiosk
    needed_count = NumericProperty(0)  # papers the citizen must still supply

    def __init__(self, api: KioskApi, identify: IdentifyPresenter) -> None:
        super().__init__()
        self.api, self.identify = api, identify
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
        if await self.register():
            checklist = await self.call(
                self.api.checklist(self.identify.id_number, procedure["code"], self.claim)
            )
            if checklist is None:
                return False
            self.papers = checklist.get("papers", [])
        return True

    async def register(self, force: bool = False) -> bool:
        """Tell the server who the citizen says they are (POST /citizens) and keep the claim token; a typed
        number needs no name (the declaration's name goes with the case)."""
        if self.registered and not force:
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
        self.composer = TelexComposer(str(self.values.get(name, "")), enabled=spec.get("type") in TELEX_TYPES)

    def next_field(self) -> bool:
        """Move to the next field after the active one; False after the last."""
        names = [f["name"] for f in self.form_fields]
        if self.active not in names or names.index(self.active) + 1 >= len(names):
            return False
        self.focus(names[names.index(self.active) + 1])
        return True

    def press(self, key: str) -> None:
        if self.active:
            self._set(self.composer.press(key))

    def backspace(self) -> None:
        if self.active:
            self._set(self.composer.backspace())

    def set_value(self, name: str, value: str) -> None:
        """Choices and yes/no fields are set by a touch, not typed."""
        self.active = name
        self.composer = TelexComposer(value, enabled=False)
        self._set(value)

    def _set(self, text: str) -> None:
        limit = self.spec(self.active).get("max_length") or 500
        text = text[: int(limit)]
        self.composer.text = text
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
                payload[name] = _convert(kind, text)
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
            Text(
                "Xin sửa các mục tô đỏ: "
                + ", ".join(str(f.get("label_vi", f["name"])) for f in labels)
                + ".",
                "Please fix the answers in red: "
                + ", ".join(str(f.get("label_en") or f.get("label_vi") or f["name"]) for f in labels)
                + ".",
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


def _convert(kind: str, text: str) -> Any:
    if kind == "date":
        match = TYPED_DATE.match(text)
        if not match:
            raise ValueError(
                (
                    "Ngày phải có dạng ngày/tháng/năm, ví dụ 01/02/1999.",
                    "A date must look like day/month/year, e.g. 01/02/1999.",
                )
            )
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            raise ValueError(("Ngày này không có thật.", "That day does not exist.")) from None
    if kind == "integer":
        if not text.lstrip("-").isdigit():
            raise ValueError(("Chỉ nhập chữ số.", "Digits only."))
        return int(text)
    if kind == "boolean":
        return text in ("1", "true", "có", "yes")
    return text


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
            self.error = Text("Tờ khai còn chỗ chưa đúng.", "Some answers in the form need fixing.")
            return None
        if not await self.prepare.register():
            self.error = self.prepare.error or Text(
                "Chưa ghi nhận được thông tin công dân. Xin kiểm tra họ tên và ngày sinh trong tờ khai.",
                "Your details could not be registered. Please check the name and birth date in the form.",
            )
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
