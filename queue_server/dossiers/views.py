"""What the API shows of a dossier: status names, procedure, papers with what is missing, ticket, history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.citizens.privacy import mask_id, mask_paper_code
from queue_server.citizens.service import claim_view, reveal_id
from queue_server.domain.dossiers import STATUS_NAMES, DossierSnapshot, DossierStatus, allowed_actions
from queue_server.procedures.catalogue import Catalogue, Procedure
from queue_server.sealing import DECLARATION, PAPER_CODE, IdVault, open_json
from queue_server.tables.citizens import Citizen, CitizenClaim
from queue_server.tables.documents import Document, DocumentPage
from queue_server.tables.dossiers import Dossier, DossierCheck, DossierDocument, DossierEvent
from queue_server.tables.tickets import Ticket

S = DossierStatus


def links_of(session: Session, dossier: Dossier) -> list[DossierDocument]:
    return list(session.scalars(select(DossierDocument).where(DossierDocument.dossier_id == dossier.id)))


class DossierViews:
    def __init__(self, catalogue: Catalogue, ids: IdVault) -> None:
        self.catalogue = catalogue
        self.ids = ids

    def view(
        self, session: Session, dossier: Dossier, *, full: bool, reveal: bool = False, panel: bool = False
    ) -> dict[str, Any]:
        """`reveal`: the full ID number and paper codes, for whoever handles the case (dossiers/access.py);
        `panel`: also what the officer checks at the counter (pages, birth date, checks)."""
        procedure = self.catalogue.procedures.get(dossier.procedure_code)
        citizen = session.get(Citizen, dossier.citizen_id) if dossier.citizen_id else None
        claim = session.get(CitizenClaim, dossier.claim_id) if dossier.claim_id else None
        personal_id = reveal_id(self.ids, citizen) if citizen is not None else None
        links = links_of(session, dossier)
        status = S(dossier.status)
        ticket = session.get(Ticket, dossier.ticket_id) if dossier.ticket_id else None
        view: dict[str, Any] = {
            "code": dossier.code,
            "office": dossier.office,
            **status_fields(status),
            "procedure": _procedure_brief(dossier.procedure_code, procedure),
            "citizen": None
            if citizen is None or personal_id is None
            else {
                "personal_id_masked": mask_id(personal_id),
                **({"personal_id": personal_id} if reveal else {}),
                **claim_view(claim, citizen),
            },
            "papers": self._papers(session, procedure, links, personal_id, reveal),
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
            view["form"] = self._form(procedure, dossier, reveal)
            view["form_fields"] = self._form_fields(procedure, view["form"])
            view["events"] = self._events(session, dossier)
        if full and panel:
            view["checks"] = self._checks(session, dossier)
            view["original_due_date"] = dossier.original_due_date
            self._add_pages(session, view["papers"])
            if view["citizen"] is not None:
                facts = claim if claim is not None and claim.birth_date else citizen
                view["citizen"]["birth_date"] = facts.birth_date if facts else None
                view["citizen"]["sex"] = facts.sex if facts else None
                view["citizen"]["identity_source"] = view["citizen"].get("source")
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
        self,
        session: Session,
        procedure: Procedure | None,
        links: Sequence[DossierDocument],
        personal_id: str | None,
        reveal: bool,
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
                        "code": self._paper_code(document, personal_id, reveal),
                        "reused": link.reused,
                    },
                }
            )
        return result

    def _form(self, procedure: Procedure | None, dossier: Dossier, reveal: bool) -> dict[str, Any] | None:
        """The declaration, opened; ID numbers in it masked unless the reader handles the case."""
        form = open_json(self.ids, dossier.form_data, DECLARATION)
        if form is None or reveal or procedure is None or procedure.form is None:
            return form
        for spec in procedure.form.fields:
            if spec.type == "personal_id" and isinstance(form.get(spec.name), str):
                form[spec.name] = mask_id(form[spec.name])
        return form

    def _paper_code(self, document: Document | None, personal_id: str | None, reveal: bool) -> str | None:
        if document is None or personal_id is None:
            return None
        if reveal:
            return self.ids.open(document.code_enc, document.code_key, PAPER_CODE)
        return mask_paper_code(personal_id, document.type_code)

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
