"""The office's own data, from TOML files an IT person edits, validated at start.

Every mistake is reported as `<file>: <key path>: <what is wrong>` so the person can fix it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from queue_server.domain.calendar import Interval, OpeningHours, age_on
from queue_server.domain.calling import FairnessRule
from queue_server.domain.errors import InvalidInput, NotFound

M = TypeVar("M", bound=BaseModel)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_INTERVAL = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


class UnknownOffice(NotFound, KeyError):
    """An office code not in config: a 404 at the API, a KeyError for code that looks offices up."""

    def __str__(self) -> str:
        return self.message_en


class ConfigError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def parse_interval(text: str) -> Interval:
    match = _INTERVAL.match(text.strip())
    if not match:
        raise ValueError(f"expected 'HH:MM-HH:MM', got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2 != 0):
        raise ValueError(f"not a time of day: {text!r}")
    start, end = time(h1, m1), time(0, 0) if h2 == 24 else time(h2, m2)
    if end != time(0, 0) and end <= start:
        raise ValueError(f"the end must come after the start: {text!r}")
    return Interval(start, end)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HoursModel(_Strict):
    mon: list[str] = []
    tue: list[str] = []
    wed: list[str] = []
    thu: list[str] = []
    fri: list[str] = []
    sat: list[str] = []
    sun: list[str] = []
    lunch: str = ""

    @model_validator(mode="after")
    def _check_intervals(self) -> HoursModel:
        for name in (*WEEKDAYS, "lunch"):
            value = getattr(self, name)
            for text in [value] if isinstance(value, str) else value:
                if text:
                    parse_interval(text)
        return self


class OfficeModel(_Strict):
    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{1,15}$")
    name_vi: str = Field(min_length=1)
    name_en: str = ""
    parent: str = ""
    time_zone: str = "Asia/Ho_Chi_Minh"
    issue_cutoff_minutes: int = Field(default=0, ge=0, le=600)
    open_on_holidays: bool = False
    notice_vi: str = ""
    notice_en: str = ""
    # the office's class for the yearly cases-per-officer target (procedures.toml productivity_targets);
    # empty: procedures.toml `[dossiers] office_class`
    level: Literal["", "province", "district", "commune"] = ""
    hours: HoursModel

    @field_validator("time_zone")
    @classmethod
    def _zone_exists(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. 'Asia/Ho_Chi_Minh')") from None
        return value


class QueueModel(_Strict):
    office: str
    code: str = Field(pattern=r"^[A-Z][A-Z0-9]{0,7}$")
    prefix: str = Field(pattern=r"^[A-Z]$", description="one capital letter printed before the number")
    name_vi: str = Field(min_length=1)
    name_en: str = ""
    number_start: int = Field(default=1, ge=0)
    number_end: int = Field(default=999, ge=1, le=9999)
    daily_cap: int | None = Field(default=None, ge=1)
    appointment_slot_minutes: int = Field(default=15, ge=5, le=240)
    appointment_slot_capacity: int = Field(default=0, ge=0, description="0: no appointments")

    @model_validator(mode="after")
    def _range(self) -> QueueModel:
        if self.number_end <= self.number_start:
            raise ValueError("number_end must be greater than number_start")
        return self


class CounterModel(_Strict):
    office: str
    number: int = Field(ge=1, le=999)
    name_vi: str = ""
    name_en: str = ""
    queues: dict[str, float]
    printer: str = Field(default="", max_length=300)

    @field_validator("queues")
    @classmethod
    def _weights(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("a counter must serve at least one queue")
        for code, weight in value.items():
            if weight <= 0:
                raise ValueError(f"weight of queue {code!r} must be greater than 0, got {weight}")
        return value


class PriorityGroupModel(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    name_vi: str = Field(min_length=1)
    name_en: str = ""
    min_age: int | None = Field(default=None, ge=1, le=130)
    max_age: int | None = Field(default=None, ge=0, le=130)


class FairnessModel(_Strict):
    max_priority_in_row: int = Field(default=2, ge=1, le=100)
    ageing_after_minutes: float = Field(default=30, gt=0)
    wait_target_minutes: float = Field(default=15, gt=0)
    handling_target_minutes: float = Field(default=30, gt=0)
    appointment_early_minutes: float = Field(default=15, ge=0)
    appointment_late_minutes: float = Field(default=15, ge=0)


class PriorityFileModel(_Strict):
    fairness: FairnessModel = FairnessModel()
    group: list[PriorityGroupModel] = []


class HolidaysModel(_Strict):
    country: str = "VN"
    extra_days_off: list[date] = []
    extra_working_days: list[date] = []


@dataclass(frozen=True)
class QueueConfig:
    office: str
    code: str
    prefix: str
    name_vi: str
    name_en: str
    number_start: int
    number_end: int
    daily_cap: int | None
    appointment_slot_minutes: int
    appointment_slot_capacity: int

    def format_number(self, sequence: int) -> str:
        width = len(str(self.number_end))
        return f"{self.prefix}{sequence:0{width}d}"


@dataclass(frozen=True)
class CounterConfig:
    office: str
    number: int
    name_vi: str
    name_en: str
    weights: dict[str, float]
    printer: str = ""  # the desk's receipt printer URL (file://, usb://, tcp:// …); empty: none


@dataclass(frozen=True)
class PriorityGroup:
    code: str
    name_vi: str
    name_en: str
    min_age: int | None
    max_age: int | None

    @property
    def by_age(self) -> bool:
        """Granted from the birth date alone (e.g. 60 or over, under 6), not from what a person declares."""
        return self.min_age is not None or self.max_age is not None

    def fits_age(self, age: int) -> bool:
        if not self.by_age:
            return False
        return (self.min_age is None or age >= self.min_age) and (self.max_age is None or age <= self.max_age)


@dataclass(frozen=True)
class OfficeConfig:
    code: str
    name_vi: str
    name_en: str
    parent: str
    zone: ZoneInfo
    hours: OpeningHours
    notice_vi: str
    notice_en: str
    queues: dict[str, QueueConfig] = field(default_factory=dict)
    counters: dict[int, CounterConfig] = field(default_factory=dict)
    level: str = ""  # province, district, commune; empty: procedures.toml [dossiers] office_class

    def queue(self, code: str) -> QueueConfig:
        """The queue of a code as typed ('a ' is 'A'), or NotFound naming the office's queues."""
        queue = self.queues.get(code.strip().upper())
        if queue is None:
            known = ", ".join(self.queues)
            raise NotFound(
                "unknown_queue",
                f"Không có hàng đợi '{code}'. Các hàng đợi: {known}.",
                f"Unknown queue '{code}'. Queues: {known}.",
            )
        return queue

    def counter(self, number: int) -> CounterConfig:
        counter = self.counters.get(number)
        if counter is None:
            raise NotFound("unknown_counter", f"Không có quầy số {number}.", f"Unknown counter {number}.")
        return counter

    def weights_of(self, number: int) -> dict[str, float]:
        """The queues a counter serves with their weights (none for a counter not in config)."""
        counter = self.counters.get(number)
        return counter.weights if counter is not None else {}


@dataclass(frozen=True)
class Targets:
    wait: timedelta
    handling: timedelta


@dataclass(frozen=True)
class AppointmentWindow:
    early: timedelta
    late: timedelta


@dataclass(frozen=True)
class SystemConfig:
    directory: Path
    offices: dict[str, OfficeConfig]
    fairness: FairnessRule
    targets: Targets
    appointment_window: AppointmentWindow
    priority_groups: dict[str, PriorityGroup]

    @cached_property
    def default_office(self) -> OfficeConfig:
        return next(iter(self.offices.values()))

    def office(self, code: str | None) -> OfficeConfig:
        """The office of a code (None: the default one), or UnknownOffice (a NotFound and a KeyError)."""
        if code is None:
            return self.default_office
        office = self.offices.get(code)
        if office is None:
            shown = code[:16]  # an over-long code is not echoed whole
            raise UnknownOffice("unknown_office", f"Không có đơn vị {shown}.", f"Unknown office {shown}.")
        return office

    def priority_group(self, code: str | None) -> PriorityGroup | None:
        """The group of a code (None: no priority), or InvalidInput listing the configured ones."""
        if code is None:
            return None
        group = self.priority_groups.get(code)
        if group is None:
            known = ", ".join(self.priority_groups)
            raise InvalidInput(
                "unknown_priority",
                f"Nhóm ưu tiên '{code}' không có trong cấu hình ({known}).",
                f"Unknown priority group '{code}' (known: {known}).",
            )
        return group

    def groups_for_age(self, age: int | None) -> list[PriorityGroup]:
        """The priority groups a person of this age belongs to by age alone (first: the one to offer)."""
        if age is None:
            return []
        return [g for g in self.priority_groups.values() if g.fits_age(age)]

    def check_priority_claim(self, code: str | None, birth_date: date | None, today: date) -> None:
        """A priority asked for with the citizen's birth date: an age group (min_age/max_age) must fit it.
        Groups not decided by age (pregnant, disability…) are declared by the citizen and recorded."""
        group = self.priority_group(code)
        if birth_date is None:
            return
        if not date(today.year - 130, 1, 1) <= birth_date <= today:
            raise InvalidInput("bad_birth_date", "Ngày sinh không hợp lệ.", "The birth date is not valid.")
        if group is not None and group.by_age and not group.fits_age(age_on(birth_date, today)):
            raise InvalidInput(
                "priority_not_eligible",
                f"Theo ngày sinh, công dân không thuộc nhóm ưu tiên '{group.name_vi}'.",
                f"By the birth date, the citizen is not in the priority group '{group.name_en or group.code}'.",
            )

    def ancestors(self, code: str) -> list[str]:
        """The office and every office above it, nearest first (the tree of `parent` in offices.toml)."""
        chain: list[str] = []
        current: str | None = code
        while current and current in self.offices and current not in chain:
            chain.append(current)
            current = self.offices[current].parent or None
        return chain

    def subtree(self, code: str) -> frozenset[str]:
        """The office and every office below it, however deep (province → district → commune)."""
        return self._subtrees.get(code, frozenset())

    @cached_property
    def _subtrees(self) -> dict[str, frozenset[str]]:
        below: dict[str, set[str]] = {code: set() for code in self.offices}
        for code in self.offices:
            for above in self.ancestors(code):
                below[above].add(code)
        return {code: frozenset(members) for code, members in below.items()}


def load_config(directory: Path) -> SystemConfig:
    """Read and check every file; raise ConfigError listing every problem found."""
    problems: list[str] = []
    if not directory.is_dir():
        raise ConfigError([f"{directory}: the config folder does not exist"])
    offices = _load_list(directory / "offices.toml", "office", OfficeModel, problems, required=True)
    queues = _load_list(directory / "queues.toml", "queue", QueueModel, problems, required=True)
    counters = _load_list(directory / "counters.toml", "counter", CounterModel, problems, required=True)
    priority = _load_one(directory / "priority.toml", PriorityFileModel, problems)
    holidays_model = _load_one(directory / "holidays.toml", HolidaysModel, problems)
    if problems:
        raise ConfigError(problems)
    _cross_check(directory, offices, queues, counters, problems)
    if problems:
        raise ConfigError(problems)
    assert priority is not None and holidays_model is not None
    return _build(directory, offices, queues, counters, priority, holidays_model)


def _read_toml(path: Path, problems: list[str], required: bool) -> dict[str, Any] | None:
    if not path.exists():
        if required:
            problems.append(f"{path}: file is missing")
        return None if required else {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path}: not valid TOML: {error}")
        return None


def _load_list(path: Path, key: str, model: type[M], problems: list[str], required: bool) -> list[M]:
    data = _read_toml(path, problems, required)
    if data is None:
        return []
    unknown = set(data) - {key}
    if unknown:
        problems.append(f"{path}: unknown key(s) {sorted(unknown)}; expected [[{key}]] tables")
    entries = data.get(key, [])
    if not isinstance(entries, list) or not entries:
        problems.append(f"{path}: {key}: expected at least one [[{key}]] table")
        return []
    parsed: list[M] = []
    for index, entry in enumerate(entries):
        try:
            parsed.append(model.model_validate(entry))
        except ValidationError as error:
            problems.extend(describe_errors(path, error, f"{key}[{index}]"))
    return parsed


def _load_one(path: Path, model: type[M], problems: list[str]) -> M | None:
    data = _read_toml(path, problems, required=False)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems.extend(describe_errors(path, error))
        return None


def describe_errors(path: Path, error: ValidationError, prefix: str = "") -> list[str]:
    """Pydantic's errors as `<file>: <key path>: <problem> (got …)` lines; list items read `name[i]`."""
    lines = []
    for item in error.errors():
        key = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"]).lstrip(
            "."
        )
        full = f"{prefix}.{key}".replace(".[", "[") if prefix and key else prefix or key or "(top)"
        message = item["msg"].removeprefix("Value error, ")
        given = item.get("input")
        shown = "" if isinstance(given, dict | list) or given is None else f" (got {given!r})"
        lines.append(f"{path}: {full}: {message}{shown}")
    return lines


def _cross_check(
    directory: Path,
    offices: list[OfficeModel],
    queues: list[QueueModel],
    counters: list[CounterModel],
    problems: list[str],
) -> None:
    codes = [o.code for o in offices]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append(f"{directory / 'offices.toml'}: office code {code!r} is used twice")
    for index, office in enumerate(offices):
        if office.parent and office.parent not in codes:
            problems.append(
                f"{directory / 'offices.toml'}: office[{index}].parent: unknown office {office.parent!r}"
            )
    seen_queues: set[tuple[str, str]] = set()
    for index, queue in enumerate(queues):
        where = f"{directory / 'queues.toml'}: queue[{index}]"
        if queue.office not in codes:
            problems.append(f"{where}.office: unknown office {queue.office!r}")
        if (queue.office, queue.code) in seen_queues:
            problems.append(f"{where}.code: queue {queue.code!r} is defined twice for office {queue.office}")
        seen_queues.add((queue.office, queue.code))
    seen_counters: set[tuple[str, int]] = set()
    for index, counter in enumerate(counters):
        where = f"{directory / 'counters.toml'}: counter[{index}]"
        if counter.office not in codes:
            problems.append(f"{where}.office: unknown office {counter.office!r}")
        if (counter.office, counter.number) in seen_counters:
            problems.append(f"{where}.number: counter {counter.number} is defined twice")
        seen_counters.add((counter.office, counter.number))
        for code in counter.queues:
            if (counter.office, code) not in seen_queues:
                problems.append(f"{where}.queues: unknown queue {code!r} in office {counter.office}")


def _holiday_lookup(model: HolidaysModel) -> Any:
    import holidays

    calendar = holidays.country_holidays(model.country)
    days_off = {day: "Nghỉ bù" for day in model.extra_days_off}

    def lookup(day: date) -> str | None:
        return days_off.get(day) or calendar.get(day)

    return lookup


def _build(
    directory: Path,
    offices: list[OfficeModel],
    queues: list[QueueModel],
    counters: list[CounterModel],
    priority: PriorityFileModel,
    holidays_model: HolidaysModel,
) -> SystemConfig:
    lookup = _holiday_lookup(holidays_model)
    result: dict[str, OfficeConfig] = {}
    for office in offices:
        hours = OpeningHours(
            weekly={i: [parse_interval(t) for t in getattr(office.hours, d)] for i, d in enumerate(WEEKDAYS)},
            lunch=parse_interval(office.hours.lunch) if office.hours.lunch else None,
            issue_cutoff=timedelta(minutes=office.issue_cutoff_minutes),
            holiday=lookup,
            open_on_holidays=office.open_on_holidays,
            extra_working_days=frozenset(holidays_model.extra_working_days),
        )
        result[office.code] = OfficeConfig(
            code=office.code,
            name_vi=office.name_vi,
            name_en=office.name_en,
            parent=office.parent,
            zone=ZoneInfo(office.time_zone),
            hours=hours,
            notice_vi=office.notice_vi,
            notice_en=office.notice_en,
            level=office.level,
        )
    for q in queues:
        result[q.office].queues[q.code] = QueueConfig(**q.model_dump())
    for c in counters:
        result[c.office].counters[c.number] = CounterConfig(
            c.office,
            c.number,
            c.name_vi or f"Quầy {c.number}",
            c.name_en or f"Counter {c.number}",
            dict(c.queues),
            c.printer,
        )
    fairness = priority.fairness
    return SystemConfig(
        directory=directory,
        offices=result,
        fairness=FairnessRule(
            max_priority_in_row=fairness.max_priority_in_row,
            ageing_after=timedelta(minutes=fairness.ageing_after_minutes),
        ),
        targets=Targets(
            wait=timedelta(minutes=fairness.wait_target_minutes),
            handling=timedelta(minutes=fairness.handling_target_minutes),
        ),
        appointment_window=AppointmentWindow(
            early=timedelta(minutes=fairness.appointment_early_minutes),
            late=timedelta(minutes=fairness.appointment_late_minutes),
        ),
        priority_groups={
            g.code: PriorityGroup(g.code, g.name_vi, g.name_en, g.min_age, g.max_age) for g in priority.group
        },
    )
