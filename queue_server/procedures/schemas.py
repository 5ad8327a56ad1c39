"""What the API says about the procedure catalogue."""

from __future__ import annotations

from pydantic import BaseModel, Field


class FieldOfWorkView(BaseModel):
    code: str
    name_vi: str
    name_en: str
    procedures: int = Field(description="how many procedures this field has")


class ProcedureSummary(BaseModel):
    code: str = Field(description="the national code, e.g. 1.004222")
    name_vi: str
    name_en: str
    field: str
    field_name_vi: str
    field_name_en: str
    level: str
    queue: str = Field(description="the queue whose ticket this procedure's visit takes")
    fee_vnd: int
    legal_days: int = Field(description="working days from receipt to result")
    unconfirmed: list[str] = Field(description="facts of this entry not yet checked against the portal")


class PaperView(BaseModel):
    type: str
    name_vi: str
    name_en: str
    originals: int
    copies: int
    optional: bool
    note_vi: str
    note_en: str
    reusable: bool = Field(description="a checked paper on file can be used again")
    valid_months: int = Field(description="0: no expiry")


class ChoiceView(BaseModel):
    value: str
    label_vi: str
    label_en: str


class FormFieldView(BaseModel):
    name: str
    label_vi: str
    label_en: str
    type: str
    required: bool
    min_length: int | None
    max_length: int | None
    pattern: str | None
    choices: list[ChoiceView]
    min: int | None
    max: int | None
    past: bool
    prefill: str | None
    help_vi: str
    help_en: str


class FormView(BaseModel):
    code: str
    name_vi: str
    name_en: str
    fields: list[FormFieldView]


class ProcedureDetail(ProcedureSummary):
    fee_note_vi: str
    fee_note_en: str
    guidance_vi: str
    guidance_en: str
    keywords: list[str]
    papers: list[PaperView]
    form: FormView | None
