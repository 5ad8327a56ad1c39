"""The procedure catalogue (thủ tục hành chính) from procedures.toml, and the rating reasons from ratings.toml.

Checked at start like the rest of the config: every mistake is reported as `<file>: <key path>: <problem>`,
all of them at once, so an IT person can fix the file in one go.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from queue_server.config import ConfigError, SystemConfig, describe_errors
from queue_server.domain.forms import Choice, FieldSpec, FormSpec, check_spec
from queue_server.procedures.search import SearchEntry, search

PROCEDURES_FILE = "procedures.toml"
RATINGS_FILE = "ratings.toml"
UNCONFIRMABLE = ("code", "fee", "legal_days", "papers", "form", "level")
M = TypeVar("M", bound=BaseModel)
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DossierSettingsModel(_Strict):
    retention_days: int = Field(default=1825, ge=30, description="personal data kept this long (5 years)")
    count_from_next_day_after: str = Field(default="", description="HH:MM; empty: the office's closing time")
    max_file_mb: float = Field(default=10, gt=0, le=200)
    max_document_mb: float = Field(default=40, gt=0, le=1000)
    max_files_per_document: int = Field(default=20, ge=1, le=200)
    max_upload_mb_per_device_per_day: float = Field(default=1000, gt=0, le=100_000)
    lookup_per_ip_per_minute: int = Field(default=10, ge=1, le=10_000)
    lookup_failures_per_code: int = Field(default=5, ge=1, le=1000)
    lookup_failure_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # cases received per desk officer a year, by the class of office (the provinces' plans)
    office_class: Literal["province", "district", "commune"] = "commune"
    productivity_targets: dict[str, int] = Field(
        default_factory=lambda: {"province": 1600, "district": 1200, "commune": 800}
    )

    @field_validator("count_from_next_day_after")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if value and not _TIME.match(value):
            raise ValueError(f"expected HH:MM (e.g. '15:00'), got {value!r}")
        return value


class FieldOfWorkModel(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,31}$")
    name_vi: str = Field(min_length=1)
    name_en: str = ""


class DocumentTypeModel(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,31}$")
    name_vi: str = Field(min_length=1)
    name_en: str = ""
    reusable: bool = True
    valid_months: int = Field(default=0, ge=0, le=1200, description="0: no expiry unless the paper says")
    retention_days: int = Field(
        default=0,
        ge=0,
        le=36500,
        description="how long its files are kept once unused; 0: [dossiers] retention_days",
    )


class ChoiceModel(_Strict):
    value: str = Field(min_length=1, max_length=64)
    label_vi: str = Field(min_length=1)
    label_en: str = ""


class FormFieldModel(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,47}$")
    label_vi: str = Field(min_length=1)
    label_en: str = ""
    type: str = "text"
    required: bool = False
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1, le=5000)
    pattern: str | None = None
    choices: list[ChoiceModel] = []
    min: int | None = None
    max: int | None = None
    past: bool = False
    prefill: str | None = None
    help_vi: str = ""
    help_en: str = ""

    def spec(self) -> FieldSpec:
        data = self.model_dump(exclude={"choices"})
        choices = tuple(Choice(c.value, c.label_vi, c.label_en or c.label_vi) for c in self.choices)
        return FieldSpec(**{**data, "label_en": self.label_en or self.name}, choices=choices)


class FormModel(_Strict):
    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")
    name_vi: str = Field(min_length=1)
    name_en: str = ""
    field: list[FormFieldModel] = Field(min_length=1)


class PaperModel(_Strict):
    type: str
    originals: int = Field(default=0, ge=0, le=20)
    copies: int = Field(default=0, ge=0, le=20)
    optional: bool = False
    note_vi: str = ""
    note_en: str = ""


class ProcedureModel(_Strict):
    code: str = Field(pattern=r"^[0-9A-Z][0-9A-Z._-]{1,23}$", description="national code, e.g. 1.004222")
    field: str
    name_vi: str = Field(min_length=1)
    name_en: str = ""
    level: Literal["central", "province", "district", "commune"]
    queue: str
    offices: list[str] = []  # empty: every office
    fee_vnd: int = Field(default=0, ge=0)
    fee_note_vi: str = ""
    fee_note_en: str = ""
    legal_days: int = Field(ge=0, le=365, description="legal processing time in working days")
    # "không phụ thuộc địa giới hành chính": any desk accepts it and forwards it to the competent office
    anywhere: bool = False
    unconfirmed: list[str] = []
    guidance_vi: str = ""
    guidance_en: str = ""
    keywords: list[str] = []
    form: str | None = None
    paper: list[PaperModel] = []

    @field_validator("unconfirmed")
    @classmethod
    def _known_parts(cls, value: list[str]) -> list[str]:
        for part in value:
            if part not in UNCONFIRMABLE:
                raise ValueError(f"unknown part {part!r}; use some of {', '.join(UNCONFIRMABLE)}")
        return value


class CatalogueFileModel(_Strict):
    dossiers: DossierSettingsModel = DossierSettingsModel()
    field: list[FieldOfWorkModel] = Field(min_length=1)
    document_type: list[DocumentTypeModel] = []
    form: list[FormModel] = []
    procedure: list[ProcedureModel] = Field(min_length=1)


EMPTY_CATALOGUE = CatalogueFileModel.model_construct(
    dossiers=DossierSettingsModel(), field=[], document_type=[], form=[], procedure=[]
)


class RatingReasonModel(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,31}$")
    label_vi: str = Field(min_length=1)
    label_en: str = ""


class RatingsFileModel(_Strict):
    ask_reasons_at_or_below: int = Field(default=3, ge=1, le=5)
    idle_seconds: int = Field(default=30, ge=5, le=600)
    prompt_seconds: int = Field(default=120, ge=10, le=3600)
    reason: list[RatingReasonModel] = Field(min_length=1)


DEFAULT_RATINGS = RatingsFileModel(
    reason=[
        RatingReasonModel(code="wait", label_vi="Chờ lâu", label_en="Long wait"),
        RatingReasonModel(code="attitude", label_vi="Thái độ chưa tốt", label_en="Unfriendly attitude"),
        RatingReasonModel(code="guidance", label_vi="Hướng dẫn chưa rõ", label_en="Unclear guidance"),
        RatingReasonModel(code="other", label_vi="Lý do khác", label_en="Other"),
    ]
)


# ---- what the rest of the server uses -----------------------------------------------------------------


@dataclass(frozen=True)
class FieldOfWork:
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class DocumentType:
    code: str
    name_vi: str
    name_en: str
    reusable: bool
    valid_months: int
    retention_days: int = 0  # 0: the catalogue's retention_days


@dataclass(frozen=True)
class Paper:
    type: DocumentType
    originals: int
    copies: int
    optional: bool
    note_vi: str
    note_en: str

    @property
    def count_vi(self) -> str:
        parts = []
        if self.originals:
            parts.append(f"{self.originals} bản chính")
        if self.copies:
            parts.append(f"{self.copies} bản sao")
        return ", ".join(parts) or "xuất trình"

    def describe(self) -> dict[str, Any]:
        """What every answer about a paper says: which one, in both languages, and how many."""
        return {
            "type": self.type.code,
            "name_vi": self.type.name_vi,
            "name_en": self.type.name_en,
            "originals": self.originals,
            "copies": self.copies,
            "optional": self.optional,
        }


@dataclass(frozen=True)
class Procedure:
    code: str
    field: FieldOfWork
    name_vi: str
    name_en: str
    level: str
    queue: str
    offices: tuple[str, ...]
    fee_vnd: int
    fee_note_vi: str
    fee_note_en: str
    legal_days: int
    unconfirmed: tuple[str, ...]
    guidance_vi: str
    guidance_en: str
    keywords: tuple[str, ...]
    form: FormSpec | None
    papers: tuple[Paper, ...]
    anywhere: bool = False

    def served_by(self, office: str) -> bool:
        return not self.offices or office in self.offices


@dataclass(frozen=True)
class DossierSettings:
    retention_days: int
    productivity_target: int  # cases a year per desk officer for `office_class` (offices without a level)
    count_from_next_day_after: time | None
    max_file_bytes: int
    max_document_bytes: int
    max_files_per_document: int
    max_upload_bytes_per_device_per_day: int
    lookup_per_ip_per_minute: int
    lookup_failures_per_code: int
    lookup_failure_window_s: int
    office_class: str = "commune"  # the class of an office whose offices.toml `level` is empty
    productivity_targets: Mapping[str, int] = field(default_factory=dict)

    def target_for(self, level: str) -> int:
        """The yearly cases-per-officer target of an office of this level (offices.toml `level`), the one
        source the cases page, the dashboard, the province page and `motcua report` read."""
        return self.productivity_targets.get(level or self.office_class, self.productivity_target)


@dataclass(frozen=True)
class RatingReason:
    code: str
    label_vi: str
    label_en: str


@dataclass(frozen=True)
class RatingSettings:
    ask_reasons_at_or_below: int
    idle_seconds: int
    prompt_seconds: int
    reasons: dict[str, RatingReason]


@dataclass(frozen=True)
class Catalogue:
    settings: DossierSettings
    fields: dict[str, FieldOfWork]
    document_types: dict[str, DocumentType]
    forms: dict[str, FormSpec]
    procedures: dict[str, Procedure]
    ratings: RatingSettings

    def search(self, query: str, field: str | None = None, office: str | None = None) -> list[Procedure]:
        chosen = [
            p
            for p in self.procedures.values()
            if (field is None or p.field.code == field) and (office is None or p.served_by(office))
        ]
        entries = [
            SearchEntry(p.code, p.name_vi, (p.name_en, p.field.name_vi, p.field.name_en, *p.keywords))
            for p in chosen
        ]
        return [self.procedures[code] for code in search(entries, query)]


def load_catalogue(config: SystemConfig) -> Catalogue:
    """Read procedures.toml and ratings.toml next to the other config files; ConfigError lists every problem.

    Without procedures.toml the office takes numbers only (no procedures); without ratings.toml the
    built-in reasons are asked.
    """
    problems: list[str] = []
    path = config.directory / PROCEDURES_FILE
    model = _load(path, CatalogueFileModel, problems) if path.exists() else EMPTY_CATALOGUE
    ratings_path = config.directory / RATINGS_FILE
    ratings = _load(ratings_path, RatingsFileModel, problems) if ratings_path.exists() else DEFAULT_RATINGS
    if model is not None:
        _cross_check(path, model, config, problems)
    if problems or model is None or ratings is None:
        raise ConfigError(problems)
    return _build(model, ratings)


def _load(path: Path, model: type[M], problems: list[str]) -> M | None:
    if not path.exists():
        problems.append(f"{path}: file is missing")
        return None
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path}: not valid TOML: {error}")
        return None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems.extend(describe_errors(path, error))
        return None


def _duplicates(codes: list[str]) -> set[str]:
    return {code for code in codes if codes.count(code) > 1}


def _cross_check(path: Path, model: CatalogueFileModel, config: SystemConfig, problems: list[str]) -> None:
    for table, codes in (
        ("field", [f.code for f in model.field]),
        ("document_type", [d.code for d in model.document_type]),
        ("form", [f.code for f in model.form]),
        ("procedure", [p.code for p in model.procedure]),
    ):
        for code in sorted(_duplicates(codes)):
            problems.append(f"{path}: {table}: code {code!r} is used twice")
    for f_index, form in enumerate(model.form):
        for code in sorted(_duplicates([f.name for f in form.field])):
            problems.append(f"{path}: form[{f_index}].field: name {code!r} is used twice")
        for index, form_field in enumerate(form.field):
            for problem in check_spec(form_field.spec()):
                problems.append(f"{path}: form[{f_index}].field[{index}] ({form_field.name}): {problem}")
    fields = {f.code for f in model.field}
    types = {d.code for d in model.document_type}
    forms = {f.code for f in model.form}
    for index, procedure in enumerate(model.procedure):
        _check_procedure(f"{path}: procedure[{index}]", procedure, fields, types, forms, config, problems)


def _check_procedure(
    where: str,
    procedure: ProcedureModel,
    fields: set[str],
    types: set[str],
    forms: set[str],
    config: SystemConfig,
    problems: list[str],
) -> None:
    if procedure.field not in fields:
        problems.append(
            f"{where}.field: unknown field {procedure.field!r} (known: {', '.join(sorted(fields))})"
        )
    if procedure.form is not None and procedure.form not in forms:
        problems.append(f"{where}.form: unknown form {procedure.form!r}")
    for index, paper in enumerate(procedure.paper):
        if paper.type not in types:
            problems.append(f"{where}.paper[{index}].type: unknown document type {paper.type!r}")
    for code in sorted(_duplicates([p.type for p in procedure.paper])):
        problems.append(f"{where}.paper: document type {code!r} is listed twice")
    offices = procedure.offices or list(config.offices)
    for office in offices:
        if office not in config.offices:
            problems.append(f"{where}.offices: unknown office {office!r}")
        elif procedure.queue not in config.offices[office].queues:
            problems.append(f"{where}.queue: office {office} has no queue {procedure.queue!r}")


def _build(model: CatalogueFileModel, ratings: RatingsFileModel) -> Catalogue:
    fields = {f.code: FieldOfWork(f.code, f.name_vi, f.name_en or f.name_vi) for f in model.field}
    types = {
        d.code: DocumentType(
            d.code, d.name_vi, d.name_en or d.name_vi, d.reusable, d.valid_months, d.retention_days
        )
        for d in model.document_type
    }
    forms = {
        f.code: FormSpec(f.code, f.name_vi, f.name_en or f.name_vi, tuple(x.spec() for x in f.field))
        for f in model.form
    }
    procedures = {p.code: _procedure(p, fields, types, forms) for p in model.procedure}
    return Catalogue(
        settings=_settings(model.dossiers),
        fields=fields,
        document_types=types,
        forms=forms,
        procedures=procedures,
        ratings=RatingSettings(
            ask_reasons_at_or_below=ratings.ask_reasons_at_or_below,
            idle_seconds=ratings.idle_seconds,
            prompt_seconds=ratings.prompt_seconds,
            reasons={
                r.code: RatingReason(r.code, r.label_vi, r.label_en or r.label_vi) for r in ratings.reason
            },
        ),
    )


def _procedure(
    p: ProcedureModel,
    fields: dict[str, FieldOfWork],
    types: dict[str, DocumentType],
    forms: dict[str, FormSpec],
) -> Procedure:
    papers = tuple(
        Paper(types[x.type], x.originals, x.copies, x.optional, x.note_vi, x.note_en) for x in p.paper
    )
    return Procedure(
        code=p.code,
        field=fields[p.field],
        name_vi=p.name_vi,
        name_en=p.name_en or p.name_vi,
        level=p.level,
        queue=p.queue,
        offices=tuple(p.offices),
        fee_vnd=p.fee_vnd,
        fee_note_vi=p.fee_note_vi,
        fee_note_en=p.fee_note_en,
        legal_days=p.legal_days,
        unconfirmed=tuple(p.unconfirmed),
        guidance_vi=p.guidance_vi,
        guidance_en=p.guidance_en,
        keywords=tuple(p.keywords),
        form=forms[p.form] if p.form else None,
        papers=papers,
        anywhere=p.anywhere,
    )


def _settings(model: DossierSettingsModel) -> DossierSettings:
    cutoff = None
    if model.count_from_next_day_after:
        hour, minute = model.count_from_next_day_after.split(":")
        cutoff = time(int(hour), int(minute))
    mb = 1024 * 1024
    return DossierSettings(
        retention_days=model.retention_days,
        productivity_target=model.productivity_targets.get(model.office_class, 800),
        count_from_next_day_after=cutoff,
        max_file_bytes=int(model.max_file_mb * mb),
        max_document_bytes=int(model.max_document_mb * mb),
        max_files_per_document=model.max_files_per_document,
        max_upload_bytes_per_device_per_day=int(model.max_upload_mb_per_device_per_day * mb),
        lookup_per_ip_per_minute=model.lookup_per_ip_per_minute,
        lookup_failures_per_code=model.lookup_failures_per_code,
        lookup_failure_window_s=model.lookup_failure_window_minutes * 60,
        office_class=model.office_class,
        productivity_targets=dict(model.productivity_targets),
    )
