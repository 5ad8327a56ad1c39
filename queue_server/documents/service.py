"""Documents: upload (checked bytes, content-addressed files), the per-procedure checklist, audited reads."""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal, Role
from queue_server.citizens.privacy import mask_id, mask_paper_code, record_access
from queue_server.citizens.service import (
    CARD_SOURCES,
    claim_valid_since,
    find_citizen,
    find_claim,
    reveal_id,
)
from queue_server.citizens.service import check_personal_id as check_id
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.documents.filetypes import CheckedFile, FileRejected, check_file
from queue_server.documents.storage import BlobStore
from queue_server.domain.calendar import business_day
from queue_server.domain.errors import DomainError, InvalidInput, NotFound
from queue_server.procedures.catalogue import Catalogue, DocumentType, Procedure
from queue_server.sealing import PAPER_CODE
from queue_server.tables.citizens import Citizen, CitizenClaim
from queue_server.tables.documents import Document, DocumentPage

SOURCES = ("kiosk", "counter", "issued")


class UploadQuotaReached(DomainError):
    status_code = 429

    def __init__(self, limit: int, retry_after_s: int) -> None:
        mb = limit / 1024 / 1024
        super().__init__(
            "upload_quota_reached",
            f"Thiết bị này đã gửi đủ {mb:.0f} MB giấy tờ hôm nay; vui lòng báo cán bộ.",
            f"This device has uploaded its {mb:.0f} MB of documents for today; please tell the staff.",
            limit_bytes=limit,
        )
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class UploadedFile:
    name: str
    content_type: str | None
    data: bytes


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_valid_on(document: Document, day: date) -> bool:
    return document.valid_until is None or document.valid_until >= day


def is_on_file(document: Document) -> bool:
    """The state holds it: an officer checked it in a case that reached a result, or the office issued it.

    Serving a case is not enough: a refused or withdrawn case, or one still open, leaves nothing on file.
    """
    return document.on_file_at is not None or document.source == "issued"


def is_used(document: Document) -> bool:
    """It already served a case (so it is either on file, or spent)."""
    return document.first_used_at is not None


class DocumentService:
    def __init__(self, ctx: ServerContext, catalogue: Catalogue, store: BlobStore) -> None:
        self.ctx = ctx
        self.catalogue = catalogue
        self.store = store

    def today(self) -> date:
        return business_day(self.ctx.clock(), self.ctx.config.default_office.zone)

    # ---- upload --------------------------------------------------------------------------------

    def upload(
        self,
        *,
        actor: Principal,
        personal_id: str,
        type_code: str,
        files: Sequence[UploadedFile],
        issued_on: date | None = None,
        valid_until: date | None = None,
        source: str = "kiosk",
    ) -> dict[str, Any]:
        doc_type = self.document_type(type_code)
        if source not in SOURCES or (source == "issued" and actor.role.value == "kiosk"):
            raise InvalidInput(
                "bad_source", "Nguồn giấy tờ không hợp lệ.", f"source must be one of {SOURCES}."
            )
        with self.ctx.db.read() as session:
            find_citizen(session, self.ctx.ids, personal_id)  # fail fast, before reading files
        valid_until = self._validity(doc_type, issued_on, valid_until)
        checked = self._check_files(files)
        self._check_daily_quota(actor, sum(info.size for info in checked))
        digests = [self.store.put(upload.data) for upload in files]  # content-addressed: leftovers harmless
        now = self.ctx.clock()
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            citizen = find_citizen(session, self.ctx.ids, personal_id)
            sealed = self.ctx.ids.seal(f"{reveal_id(self.ctx.ids, citizen)}.{doc_type.code}", PAPER_CODE)
            document = Document(
                citizen_id=citizen.id,
                type_code=doc_type.code,
                code_hash=sealed.lookup,
                code_enc=sealed.ciphertext,
                code_key=sealed.key_id,
                issued_on=issued_on,
                valid_until=valid_until,
                source=source,
                created_by=actor.label,
                created_at=now,
            )
            session.add(document)
            session.flush()
            for number, (digest, info) in enumerate(zip(digests, checked, strict=True), 1):
                session.add(
                    DocumentPage(
                        document_id=document.id,
                        number=number,
                        sha256=digest,
                        media_type=info.media_type,
                        size=info.size,
                    )
                )
            session.flush()
            return self.view(session, document, citizen)

    def _check_daily_quota(self, actor: Principal, adding: int) -> None:
        """A device uploads at most so much a business day: a stuck or abused kiosk cannot fill the disk."""
        if actor.kind != "device":
            return
        limit = self.catalogue.settings.max_upload_bytes_per_device_per_day
        zone = self.ctx.config.default_office.zone
        now = self.ctx.clock()
        day_start = datetime.combine(business_day(now, zone), time(0), zone)
        with self.ctx.db.read() as session:
            used = session.scalar(
                select(func.coalesce(func.sum(DocumentPage.size), 0))
                .join(Document, Document.id == DocumentPage.document_id)
                .where(Document.created_by == actor.label, Document.created_at >= day_start)
            )
        if int(used or 0) + adding > limit:
            retry_after = int((day_start + timedelta(days=1) - now).total_seconds())
            raise UploadQuotaReached(limit, retry_after)

    def _check_files(self, files: Sequence[UploadedFile]) -> list[CheckedFile]:
        limits = self.catalogue.settings
        if not files:
            raise FileRejected("no_files", 422, "Chưa có tệp nào được gửi lên.", "No file was uploaded.")
        if len(files) > limits.max_files_per_document:
            raise FileRejected(
                "too_many_files",
                413,
                f"Quá nhiều tệp cho một giấy tờ (tối đa {limits.max_files_per_document}).",
                f"Too many files for one document (at most {limits.max_files_per_document}).",
            )
        total = sum(len(upload.data) for upload in files)
        if total > limits.max_document_bytes:
            mb = limits.max_document_bytes / 1024 / 1024
            raise FileRejected(
                "file_too_large",
                413,
                f"Tổng dung lượng các tệp quá lớn (tối đa {mb:.3g} MB).",
                f"The files are too large together (at most {mb:.3g} MB).",
            )
        return [
            check_file(
                upload.data,
                name=upload.name,
                claimed_type=upload.content_type,
                max_bytes=limits.max_file_bytes,
                index=index,
            )
            for index, upload in enumerate(files)
        ]

    def _validity(
        self, doc_type: DocumentType, issued_on: date | None, valid_until: date | None
    ) -> date | None:
        today = self.today()
        if issued_on is not None and issued_on > today:
            raise InvalidInput(
                "bad_issued_on", "Ngày cấp không được ở tương lai.", "issued_on is in the future."
            )
        if valid_until is not None and issued_on is not None and valid_until < issued_on:
            raise InvalidInput(
                "bad_valid_until", "Ngày hết hạn trước ngày cấp.", "valid_until is before issued_on."
            )
        if valid_until is None and doc_type.valid_months:
            valid_until = add_months(issued_on or today, doc_type.valid_months)
        if valid_until is not None and valid_until < today:
            raise InvalidInput(
                "document_expired",
                f"Giấy tờ '{doc_type.name_vi}' đã hết hạn ({valid_until:%d/%m/%Y}).",
                f"The document '{doc_type.name_en}' has expired ({valid_until}).",
            )
        return valid_until

    # ---- reading -------------------------------------------------------------------------------

    def checklist(
        self, *, actor: Principal, personal_id: str, procedure: Procedure, claim: str | None = None
    ) -> dict[str, Any]:
        """Each paper of the procedure: on file (reuse it), uploaded now, expired or missing."""
        today = self.today()
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            citizen = find_citizen(session, self.ctx.ids, personal_id)
            held = find_claim(session, claim, citizen, valid_since=claim_valid_since(self.ctx))
            record_access(
                session,
                actor,
                self.ctx.clock(),
                "documents.checklist",
                citizen_id=citizen.id,
                detail=procedure.code,
            )
            documents = self._documents_of(session, citizen.id)
            if actor.role is Role.KIOSK:
                documents = offered_at_kiosk(documents, actor, held)
            papers = []
            for paper in procedure.papers:
                status, document = paper_status(paper.type, documents.get(paper.type.code, []), today)
                needed = status in ("missing", "expired") and not paper.optional
                papers.append(
                    {
                        **paper.describe(),
                        "note_vi": paper.note_vi,
                        "note_en": paper.note_en,
                        "status": status,
                        "document": None if document is None else self._brief(session, document),
                        "needed": needed,
                    }
                )
            return {
                "procedure": procedure.code,
                "personal_id_masked": mask_id(check_id(personal_id)),
                "papers_on_file": actor.role is not Role.KIOSK or card_read(held),
                "papers": papers,
                "needed": [p["type"] for p in papers if p["needed"]],
            }

    def list_for(self, *, actor: Principal, personal_id: str) -> dict[str, Any]:
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            citizen = find_citizen(session, self.ctx.ids, personal_id)
            record_access(session, actor, self.ctx.clock(), "documents.list", citizen_id=citizen.id)
            rows = session.scalars(
                select(Document).where(Document.citizen_id == citizen.id).order_by(Document.id.desc())
            )
            return {"documents": [self.view(session, d, citizen) for d in rows]}

    def get(self, *, actor: Principal, document_id: int) -> dict[str, Any]:
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            document, citizen = self._load(session, document_id)
            record_access(
                session,
                actor,
                self.ctx.clock(),
                "document.read",
                citizen_id=citizen.id,
                document_id=document.id,
            )
            return self.view(session, document, citizen)

    def page(self, *, actor: Principal, document_id: int, number: int) -> tuple[bytes, str]:
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            document, citizen = self._load(session, document_id)
            page = session.scalar(
                select(DocumentPage).where(
                    DocumentPage.document_id == document.id, DocumentPage.number == number
                )
            )
            if page is None:
                raise NotFound("page_not_found", f"Không có trang {number}.", f"No page {number}.")
            record_access(
                session,
                actor,
                self.ctx.clock(),
                "document.page",
                citizen_id=citizen.id,
                document_id=document.id,
                detail=f"page {number}",
            )
            digest, media_type = page.sha256, page.media_type
        try:
            return self.store.read(digest), media_type
        except FileNotFoundError:
            raise NotFound(
                "file_missing", "Tệp của trang này không còn trong kho.", "The file of this page is missing."
            ) from None

    # ---- helpers shared with dossiers ----------------------------------------------------------

    def document_type(self, code: str) -> DocumentType:
        doc_type = self.catalogue.document_types.get(code.strip().upper())
        if doc_type is None:
            known = ", ".join(self.catalogue.document_types)
            raise InvalidInput(
                "unknown_document_type",
                f"Không có loại giấy tờ '{code}'. Các loại: {known}.",
                f"Unknown document type '{code}'. Known: {known}.",
            )
        return doc_type

    def _documents_of(self, session: Session, citizen_id: int) -> dict[str, list[Document]]:
        result: dict[str, list[Document]] = {}
        rows = session.scalars(
            select(Document).where(Document.citizen_id == citizen_id).order_by(Document.id.desc())
        )
        for document in rows:
            result.setdefault(document.type_code, []).append(document)
        return result

    def _load(self, session: Session, document_id: int) -> tuple[Document, Citizen]:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound("document_not_found", "Không tìm thấy giấy tờ.", "No such document.")
        citizen = session.get(Citizen, document.citizen_id)
        assert citizen is not None  # foreign key
        return document, citizen

    def _brief(self, session: Session, document: Document) -> dict[str, Any]:
        pages = session.scalars(select(DocumentPage.id).where(DocumentPage.document_id == document.id)).all()
        return {
            "id": document.id,
            "valid_until": document.valid_until,
            "pages": len(pages),
        }

    def view(self, session: Session, document: Document, citizen: Citizen) -> dict[str, Any]:
        doc_type = self.catalogue.document_types.get(document.type_code)
        pages = session.scalars(
            select(DocumentPage).where(DocumentPage.document_id == document.id).order_by(DocumentPage.number)
        )
        personal_id = reveal_id(self.ctx.ids, citizen)
        return {
            "id": document.id,
            "code": mask_paper_code(personal_id, document.type_code),  # the full code is for the case view
            "type": document.type_code,
            "type_name_vi": doc_type.name_vi if doc_type else document.type_code,
            "type_name_en": doc_type.name_en if doc_type else document.type_code,
            "personal_id_masked": mask_id(personal_id),
            "issued_on": document.issued_on,
            "valid_until": document.valid_until,
            "source": document.source,
            "on_file": is_on_file(document),
            "created_at": document.created_at,
            "pages": [
                {"number": p.number, "sha256": p.sha256, "media_type": p.media_type, "size": p.size}
                for p in pages
            ],
        }


def card_read(claim: CitizenClaim | None) -> bool:
    """The identity was read from the card itself (its QR or its chip), not typed."""
    return claim is not None and claim.source in CARD_SOURCES


def offered_at_kiosk(
    documents: dict[str, list[Document]], actor: Principal, claim: CitizenClaim | None
) -> dict[str, list[Document]]:
    """What a kiosk may see and attach: papers on file only for a card read; uploads only its own."""
    on_file_ok = card_read(claim)
    return {
        type_code: [d for d in rows if (on_file_ok if is_on_file(d) else d.created_by == actor.label)]
        for type_code, rows in documents.items()
    }


def paper_status(
    doc_type: DocumentType, documents: list[Document], today: date
) -> tuple[str, Document | None]:
    """on_file / uploaded / expired / missing, and the document to attach (newest first in `documents`)."""
    valid = [d for d in documents if is_valid_on(d, today)]
    if doc_type.reusable:
        on_file = next((d for d in valid if is_on_file(d)), None)
        if on_file is not None:
            return "on_file", on_file
    fresh = next((d for d in valid if not is_on_file(d) and not is_used(d)), None)
    if fresh is not None:
        return "uploaded", fresh
    if doc_type.reusable and any(is_on_file(d) for d in documents):
        return "expired", next(d for d in documents if is_on_file(d))
    return "missing", None


def first_use(document: Document, at: datetime) -> None:
    if document.first_used_at is None:
        document.first_used_at = at


def put_on_file(document: Document, at: datetime) -> None:
    if document.on_file_at is None:
        document.on_file_at = at
