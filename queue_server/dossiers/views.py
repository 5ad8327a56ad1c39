"""What the API shows of a dossier: status names, procedure, papers with what is missing, ticket, history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.citizens.models import Citizen
from queue_server.citizens.privacy import mask_id
from queue_server.documents.models import Document, DocumentPage
from queue_server.domain.dossiers import STATUS_NAMES, DossierSnapshot, DossierStatus, allowed_actions
from queue_server.dossiers.models import Dossier, DossierCheck, DossierDocument, DossierEvent
from queue_server.procedures.catalogue import Catalogue, Procedure
from queue_server.tickets.models import Ticket

S = DossierStatus


def links_of(session: Session, dossier: Dossier) -> list[DossierDocument]:
    return list(session.scalars(select(DossierDocument).where(DossierDocument.dossier_id == dossier.id)))


class DossierViews:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    def view(self, session: Session, dossier: Dossier, *, full: bool, panel: bool = False) -> dict[str, Any]:
        """`full`: with the form and history; `panel`: also what the officer checks (pages, birth date)."""
        procedure = self.catalogue.procedures.get(dossier.procedure_code)
        citizen = session.get(Citizen, dossier.citizen_id) if dossier.citizen_id else None
        links = links_of(session, dossier)
        status = S(dossier.status)
        ticket = session.get(Ticket, dossier.ticket_id) if dossier.ticket_id else None
        view: dict[str, Any] = {
            "code": dossier.code,
            "office": dossier.office,
            **status_fields(status),
            "procedure": _procedure_brief(dossier.procedure_code, procedure),
            "citizen": None
            if citizen is None
            else {"personal_id_masked": mask_id(citizen.personal_id), "full_name": citizen.full_name},
            "papers": self._papers(session, procedure, links),
            "missing_papers": self.missing(procedure, links),
            "papers_reused": dossier.papers_reused,
            "papers_new": dossier.papers_new,
            "submitted_at": dossier.submitted_at,
            "received_at": dossier.received_at,
            "counting_from": dossier.counting_from,
            "due_date": dossier.due_date,
            "requested_papers": [self.type_brief(code) for code in dossier.requested_papers or []],
            "reason": dossier.reason,
            "ticket": None
            if ticket is None
            else {
                "id": ticket.id,
                "number": ticket.number,
                "queue": ticket.queue,
                "public_code": ticket.public_code,
                "status": ticket.status,
            },
            "allowed_actions": [
                a.value
                for a in allowed_actions(
                    DossierSnapshot(
                        status,
                        dossier.received_at is not None,
                        anywhere=procedure is not None and procedure.anywhere,
                    )
                )
            ],
        }
        if full:
            view["form"] = dossier.form_data
            view["form_fields"] = self._form_fields(procedure, dossier.form_data)
            view["events"] = self._events(session, dossier)
        if full and panel:
            view["checks"] = self._checks(session, dossier)
            view["original_due_date"] = dossier.original_due_date
            self._add_pages(session, view["papers"])
            if citizen is not None:
                view["citizen"]["birth_date"] = citizen.birth_date
                view["citizen"]["sex"] = citizen.sex
                view["citizen"]["identity_source"] = _identity_source(dossier, citizen)
        return view

    def _add_pages(self, session: Session, papers: list[dict[str, Any]]) -> None:
        for paper in papers:
            document = paper["document"]
            if document is None or document["id"] is None:
                continue
            pages = session.execute(
                select(DocumentPage.number, DocumentPage.media_type)
                .where(DocumentPage.document_id == document["id"])
                .order_by(DocumentPage.number)
            )
            document["pages"] = [{"number": n, "media_type": m} for n, m in pages]

    def _form_fields(
        self, procedure: Procedure | None, values: dict[str, Any] | None
    ) -> list[dict[str, Any]]:
        """The declaration as the citizen filled it, in the form's order, with the labels."""
        if procedure is None or procedure.form is None or values is None:
            return []
        fields = []
        for field in procedure.form.fields:
            if field.name not in values:
                continue
            value = values[field.name]
            shown = next((c.label_vi for c in field.choices if c.value == value), value)
            if field.type == "personal_id" and isinstance(value, str):
                shown = mask_id(value)  # the panel shows IDs masked; the full form is in `form`
            fields.append({"name": field.name, "label_vi": field.label_vi, "value": shown})
        return fields

    def _checks(self, session: Session, dossier: Dossier) -> dict[str, dict[str, Any]]:
        rows = session.scalars(select(DossierCheck).where(DossierCheck.dossier_id == dossier.id))
        return {c.subject: {"by": c.checked_by, "at": c.checked_at, "counter": c.counter} for c in rows}

    def _papers(
        self, session: Session, procedure: Procedure | None, links: Sequence[DossierDocument]
    ) -> list[dict[str, Any]]:
        by_type = {link.type_code: link for link in links}
        result = []
        for paper in procedure.papers if procedure else ():
            link = by_type.get(paper.type.code)
            document = session.get(Document, link.document_id) if link and link.document_id else None
            result.append(
                {
                    **paper.describe(),
                    "document": None
                    if link is None
                    else {
                        "id": link.document_id,
                        "code": document.code if document else None,
                        "reused": link.reused,
                    },
                }
            )
        return result

    def missing(self, procedure: Procedure | None, links: Sequence[DossierDocument]) -> list[dict[str, str]]:
        have = {link.type_code for link in links}
        return [
            self.type_brief(paper.type.code)
            for paper in (procedure.papers if procedure else ())
            if not paper.optional and paper.type.code not in have
        ]

    def type_brief(self, code: str) -> dict[str, str]:
        doc_type = self.catalogue.document_types.get(code)
        return {
            "type": code,
            "name_vi": doc_type.name_vi if doc_type else code,
            "name_en": doc_type.name_en if doc_type else code,
        }

    def _events(self, session: Session, dossier: Dossier) -> list[dict[str, Any]]:
        rows = session.scalars(
            select(DossierEvent).where(DossierEvent.dossier_id == dossier.id).order_by(DossierEvent.id)
        )
        return [
            {
                "at": e.at,
                "action": e.action,
                "from": e.from_status,
                "to": e.to_status,
                "actor": e.actor,
                "counter": e.counter,
                "reason": e.reason,
                "data": e.data,
            }
            for e in rows
        ]


def _identity_source(dossier: Dossier, citizen: Citizen) -> str | None:
    """Where the citizen's identity came from (chip, qr, typed), when the case or the citizen records it."""
    for holder in (dossier, citizen):
        source = getattr(holder, "identity_source", None)
        if isinstance(source, str) and source:
            return source
    return None


def status_fields(status: DossierStatus) -> dict[str, Any]:
    name_vi, name_en = STATUS_NAMES[status]
    return {
        "status": status.value,
        "status_number": status.number,
        "status_name_vi": name_vi,
        "status_name_en": name_en,
    }


def _procedure_brief(code: str, procedure: Procedure | None) -> dict[str, Any]:
    if procedure is None:
        return {"code": code, "name_vi": code, "name_en": code, "legal_days": None, "fee_vnd": None}
    return {
        "code": code,
        "name_vi": procedure.name_vi,
        "name_en": procedure.name_en,
        "legal_days": procedure.legal_days,
        "fee_vnd": procedure.fee_vnd,
    }
