"""What the API says about dossiers (cases): the case, its papers and history, the office's follow-up,
the receipt, and what the public lookup may show."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import Field

from queue_server.answers import Answer, Timestamp


class StatusFields(Answer):
    status: str
    status_number: int = Field(description="the national status code")
    status_name_vi: str
    status_name_en: str


class ProcedureBrief(Answer):
    code: str
    name_vi: str
    name_en: str
    legal_days: int | None
    fee_vnd: int | None


class CaseCitizen(Answer):
    personal_id_masked: str
    personal_id: str | None = Field(default=None, description="only for whoever handles the case")
    full_name: str | None
    source: str | None = Field(description="how the identity was given: chip, QR, typed …")
    face_photo: bool
    verified: bool
    birth_date: date | None = None  # the counter's panel only
    sex: str | None = None
    identity_source: str | None = None


class PageBrief(Answer):
    number: int
    media_type: str


class CasePaperDocument(Answer):
    id: int | None
    code: str | None
    reused: bool
    pages: list[PageBrief] | None = None  # the counter's panel only


class CasePaper(Answer):
    type: str
    name_vi: str
    name_en: str
    originals: int
    copies: int
    optional: bool
    document: CasePaperDocument | None


class PaperType(Answer):
    type: str
    name_vi: str
    name_en: str


class CaseTicket(Answer):
    id: int
    number: str
    queue: str
    public_code: str
    status: str


class FormField(Answer):
    name: str
    label_vi: str
    value: Any


class CaseEvent(Answer):
    at: Timestamp
    action: str
    from_: str | None = Field(alias="from")
    to: str
    actor: str
    counter: int | None
    reason: str | None
    data: dict[str, Any] | None


class PaperCheck(Answer):
    by: str
    at: Timestamp
    counter: int | None


class DossierView(StatusFields):
    """A case. Lists give the brief part; one case adds its declaration and history, and the counter's
    panel adds its pages, checks and the citizen's birth date (keys left out where they do not apply)."""

    code: str
    office: str
    procedure: ProcedureBrief
    citizen: CaseCitizen | None
    papers: list[CasePaper]
    missing_papers: list[PaperType]
    papers_reused: int
    papers_new: int
    submitted_at: Timestamp
    received_at: Timestamp | None
    counting_from: date | None
    due_date: date | None
    requested_papers: list[PaperType]
    reason: str | None
    ticket: CaseTicket | None
    allowed_actions: list[str]
    form: dict[str, Any] | None = None
    form_fields: list[FormField] | None = None
    events: list[CaseEvent] | None = None
    checks: dict[str, PaperCheck] | None = None
    original_due_date: date | None = None


class ProcedureReuse(Answer):
    procedure: str
    name_vi: str
    dossiers: int
    without_resupply: int
    fully_reused: int
    papers_reused: int
    papers_new: int


class DossierStats(Answer):
    day: date
    office: str
    dossiers: int
    without_resupply: int
    fully_reused: int
    papers_reused: int
    papers_new: int
    reuse_cases: int
    papers_held: int
    held_not_resupplied: int
    reuse_share: float | None
    by_status: dict[str, int]
    procedures: list[ProcedureReuse]


class StatusCount(Answer):
    status: str
    name_vi: str
    count: int


class FollowUpRow(Answer):
    code: str
    status: str
    status_name_vi: str
    procedure: str
    procedure_name_vi: str
    received_at: Timestamp | None
    due_date: date | None
    late_days: int | None
    officer: str | None


class Period(Answer):
    first: date
    last: date


class OnTime(Answer):
    results: int
    on_time: int
    rate: float | None


class OfficerPace(Answer):
    """The year to date, as on the dashboard (domain/follow_up.py `period_pace`)."""

    officer: str
    received: int
    working_days: int
    period_target: float = Field(description="the yearly target prorated to the working days so far")
    target_per_year: int
    per_year: int | None = Field(description="None before 20 working days: too few to scale up to a year")
    verdict: Literal["meets", "below", "too_short"]


class FollowUp(Answer):
    office: str
    today: date
    officer: str | None
    procedure: str | None
    by_status: list[StatusCount]
    overdue: list[FollowUpRow]
    due_soon: list[FollowUpRow]
    paused: list[FollowUpRow]
    on_track: list[FollowUpRow]
    not_received: list[FollowUpRow]
    period: Period
    on_time: OnTime
    productivity: list[OfficerPace]


class ReceiptData(Answer):
    """What the counter's thermal printer prints (Mẫu 01 in short)."""

    office_name: str
    dossier_code: str
    citizen_name: str
    citizen_id: str = Field(description="masked")
    procedure_name: str
    received_at: Timestamp | None
    due_date: date | None
    papers: list[list[str]] = Field(description="[paper, note] pairs")
    footer: list[str]
    legal_days: int
    counting_from: date | None
    fee_vnd: int


class PrintedReceipt(Answer):
    printed: bool
    counter: int
    dossier_code: str


class PublicLookup(StatusFields):
    """What the code plus the last 4 digits of the ID number show anyone: no name, no number."""

    code: str
    office_name_vi: str
    office_name_en: str
    procedure_name_vi: str
    procedure_name_en: str
    due_date: date | None
    missing: list[PaperType]
    missing_reason: str | None


class CardLookupAnswer(Answer):
    """At a kiosk, for the ID card's holder: the masked number and the latest cases, as the public lookup."""

    personal_id_masked: str
    cases: list[PublicLookup] = Field(description="newest first, at most 5")
