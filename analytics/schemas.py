"""What the analytics API answers (the dashboard reads these)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class OfficeName(BaseModel):
    code: str
    name_vi: str
    name_en: str


class Targets(BaseModel):
    wait_s: float
    handling_s: float


class Limits(BaseModel):
    paused_too_long_s: float


class LineToday(BaseModel):
    code: str
    name_vi: str
    name_en: str
    open: bool
    waiting: int
    estimated_wait_s: int | None
    over_target: bool
    counters: list[int]
    issued_today: int
    served_today: int
    mean_wait_today_s: float | None
    p90_wait_today_s: float | None
    estimate_mae_today_s: float | None = Field(description="mean error of the estimates given at issue")


class DeskNow(BaseModel):
    """A desk as the counter service describes it (its own fields pass through), and for how long it has
    been in its status."""

    model_config = ConfigDict(extra="allow")

    number: int
    status: str
    for_s: float | None = Field(description="seconds in its current status")


class Kpi(BaseModel):
    code: str
    name_vi: str
    name_en: str
    value: float | None
    target: float
    unit: str = Field(description="s, share or per_year")
    better: str = Field(description="lower or higher")
    count: int = Field(description="how many visits the value rests on")
    status: str
    note_vi: str


class HourWaits(BaseModel):
    hour: int
    issued: int
    mean_wait_s: float | None
    target_s: float


class StaffingAdvice(BaseModel):
    message_vi: str
    message_en: str
    projected_wait_s: dict[str, float | None]
    suggested_counter: int | None
    with_suggestion_s: dict[str, float | None]
    over_target: list[str]


class AlertView(BaseModel):
    """An open alert; the fields of its kind (queue, counter, estimate, pause…) come along."""

    model_config = ConfigDict(extra="allow")

    kind: str = Field(
        description="wait_over_target, counter_paused_long, cases_overdue or office_over_target"
    )
    key: str
    office: str
    since: str
    message_vi: str
    message_en: str


class OfficerPace(BaseModel):
    """An officer's cases received this year to date against the class target prorated to the days worked."""

    officer: str
    received: int
    working_days: int
    period_target: float
    target_per_year: int
    per_year: int | None = Field(description="None before 20 working days: too few to scale up to a year")
    verdict: str = Field(description="meets, below or too_short")


class Overview(BaseModel):
    office: OfficeName
    now: str
    day: str
    targets: Targets
    limits: Limits
    queues: list[LineToday]
    counters: list[DeskNow]
    kpis: list[Kpi]
    waits_by_hour: list[HourWaits]
    advice: StaffingAdvice
    alerts: list[AlertView]
    pace: list[OfficerPace] = []


class ProvinceDesks(BaseModel):
    open: int
    paused: int
    closed: int


class ProvinceOffice(BaseModel):
    """One office of the subtree on the province page."""

    model_config = ConfigDict(extra="allow")

    office: str
    name_vi: str
    name_en: str | None = None
    parent: str | None = None
    waiting: int
    longest_wait_s: int
    issued_today: int
    served_today: int
    mean_wait_s: float | None = None
    over_wait_target: bool
    counters: ProvinceDesks
    alerts: int
    cases_due_soon: int = Field(0, description="running cases due today or the next working day")
    cases_overdue: int = Field(0, description="running cases past their due date")
    on_time_rate: float | None = Field(None, description="this month: results on time / results")
    satisfaction: float | None = Field(None, description="this month: ratings of 4–5 / ratings")
    reuse: float | None = Field(None, description="this month: papers on file not supplied again")
    pace_per_officer: int | None = Field(None, description="cases a year per officer at this year's pace")
    pace_target: int | None = Field(None, description="the class's yearly target per officer")


class ProvinceView(BaseModel):
    office: str
    wait_target_s: float
    offices: list[ProvinceOffice]
    alerts: list[AlertView] = Field(description="open alerts of the offices listed, oldest first")
