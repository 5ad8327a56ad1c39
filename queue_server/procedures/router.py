"""The procedure catalogue: public, so kiosks, phones and the web can show it."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from queue_server.api.deps import ServicesDep
from queue_server.procedures.catalogue import Procedure
from queue_server.procedures.schemas import FieldOfWorkView, ProcedureDetail, ProcedureSummary

router = APIRouter(prefix="/api/v1", tags=["procedures"])


def procedure_summary(procedure: Procedure) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name_vi": procedure.name_vi,
        "name_en": procedure.name_en,
        "field": procedure.field.code,
        "field_name_vi": procedure.field.name_vi,
        "field_name_en": procedure.field.name_en,
        "level": procedure.level,
        "queue": procedure.queue,
        "fee_vnd": procedure.fee_vnd,
        "legal_days": procedure.legal_days,
        "unconfirmed": list(procedure.unconfirmed),
    }


def procedure_detail(procedure: Procedure) -> dict[str, Any]:
    form = procedure.form
    return {
        **procedure_summary(procedure),
        "fee_note_vi": procedure.fee_note_vi,
        "fee_note_en": procedure.fee_note_en,
        "guidance_vi": procedure.guidance_vi,
        "guidance_en": procedure.guidance_en,
        "keywords": list(procedure.keywords),
        "papers": [
            {
                **paper.describe(),
                "note_vi": paper.note_vi,
                "note_en": paper.note_en,
                "reusable": paper.type.reusable,
                "valid_months": paper.type.valid_months,
            }
            for paper in procedure.papers
        ],
        "form": None
        if form is None
        else {
            "code": form.code,
            "name_vi": form.name_vi,
            "name_en": form.name_en,
            "fields": [
                {**asdict(spec), "choices": [asdict(c) for c in spec.choices]} for spec in form.fields
            ],
        },
    }


@router.get("/fields", response_model=list[FieldOfWorkView])
def list_fields(services: ServicesDep) -> list[dict[str, Any]]:
    catalogue = services.cases.catalogue
    counts = {code: 0 for code in catalogue.fields}
    for procedure in catalogue.procedures.values():
        counts[procedure.field.code] += 1
    return [
        {"code": f.code, "name_vi": f.name_vi, "name_en": f.name_en, "procedures": counts[f.code]}
        for f in catalogue.fields.values()
    ]


@router.get("/procedures", response_model=list[ProcedureSummary])
def list_procedures(
    services: ServicesDep,
    q: Annotated[str, Query(max_length=100, description="words, with or without diacritics")] = "",
    field: Annotated[str | None, Query(max_length=32)] = None,
    office: Annotated[str | None, Query(max_length=16)] = None,
) -> list[dict[str, Any]]:
    """Search ignores diacritics and case: 'dang ky thuong tru' finds 'Đăng ký thường trú'."""
    found = services.cases.catalogue.search(q, field=field, office=office)
    return [procedure_summary(p) for p in found]


@router.get("/procedures/{code}", response_model=ProcedureDetail)
def get_procedure(code: Annotated[str, Path(max_length=24)], services: ServicesDep) -> dict[str, Any]:
    return procedure_detail(services.cases.dossiers.procedure(code))
