"""Removing personal data past the retention period, keeping anonymous counts.

Removed: the citizen (name, address, birth date, ID), the declared form, free-text reasons and notes, the
documents and their files, rating comments. Kept: every dossier row with its office, day, procedure, status,
dates and paper counts (reused/new/re-supplied), its status history without reasons, and the ratings' scores,
reasons, counters and procedures — the statistics the plan's targets are measured with.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, exists, select, update
from sqlalchemy.orm import Session

from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.documents.storage import BlobStore
from queue_server.messages.purge import purge_phone_data
from queue_server.procedures.catalogue import Catalogue
from queue_server.tables.citizens import Citizen, CitizenClaim
from queue_server.tables.documents import Document, DocumentPage
from queue_server.tables.dossiers import Dossier, DossierDocument, DossierEvent
from queue_server.tables.ratings import Rating


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    dossiers: int
    documents: int
    citizens: int
    rating_comments: int
    files: int
    dry_run: bool
    contacts: int = 0  # phone numbers and e-mail addresses given for messages (messages/purge.py)


@dataclass(frozen=True)
class LeftoverReport:
    """What the maintenance loop removed: unattached uploads (rows and files) and expired claims."""

    documents: int
    files: int
    claims: int


class _DryRun(Exception):
    def __init__(self, report: PurgeReport) -> None:
        self.report = report


class PurgeService:
    def __init__(self, ctx: ServerContext, store: BlobStore, catalogue: Catalogue | None = None) -> None:
        self.ctx = ctx
        self.store = store
        self.catalogue = catalogue

    def purge(self, *, older_than_days: int, dry_run: bool = False) -> PurgeReport:
        if older_than_days < 1:
            raise ValueError("older_than_days must be at least 1")
        now = self.ctx.clock()
        cutoff = now - timedelta(days=older_than_days)
        try:
            with UnitOfWork(self.ctx) as tx:
                session = tx.session
                report, hashes = self._purge_rows(session, now, cutoff, dry_run)
                if dry_run:
                    raise _DryRun(report)
        except _DryRun as outcome:
            return outcome.report
        removed = self._remove_files(hashes)
        return PurgeReport(**{**report.__dict__, "files": removed})

    def _purge_rows(
        self, session: Session, now: datetime, cutoff: datetime, dry_run: bool
    ) -> tuple[PurgeReport, set[str]]:
        old = select(Dossier.id).where(Dossier.purged_at.is_(None), Dossier.updated_at < cutoff)
        dossier_ids = list(session.scalars(old))
        if dossier_ids:
            session.execute(
                update(Dossier)
                .where(Dossier.id.in_(dossier_ids))
                .values(
                    citizen_id=None,
                    claim_id=None,
                    form_data=None,
                    reason=None,
                    idempotency_key=None,
                    purged_at=now,
                )
            )
            session.execute(
                update(DossierEvent)
                .where(DossierEvent.dossier_id.in_(dossier_ids))
                .values(reason=None, data=None)
            )
            session.execute(
                update(DossierDocument)
                .where(DossierDocument.dossier_id.in_(dossier_ids))
                .values(document_id=None)
            )
        documents = self._expired_documents(session, now, cutoff)
        hashes = set(
            session.scalars(select(DocumentPage.sha256).where(DocumentPage.document_id.in_(documents)))
        )
        if documents:
            session.execute(delete(DocumentPage).where(DocumentPage.document_id.in_(documents)))
            session.execute(delete(Document).where(Document.id.in_(documents)))
        # Claims (what kiosks were told) go with their cases, and unused ones once old.
        claim_in_use = exists().where(Dossier.claim_id == CitizenClaim.id)
        session.execute(
            delete(CitizenClaim)
            .where(CitizenClaim.created_at < cutoff, ~claim_in_use)
            .execution_options(synchronize_session=False)
        )
        has_dossier = exists().where(Dossier.citizen_id == Citizen.id)
        has_document = exists().where(Document.citizen_id == Citizen.id)
        has_claim = exists().where(CitizenClaim.citizen_id == Citizen.id)
        citizens = list(
            session.scalars(
                select(Citizen.id).where(Citizen.updated_at < cutoff, ~has_dossier, ~has_document, ~has_claim)
            )
        )
        if citizens:
            session.execute(delete(Citizen).where(Citizen.id.in_(citizens)))
        comments = session.execute(
            update(Rating)
            .where(Rating.created_at < cutoff, Rating.comment.is_not(None))
            .values(comment=None)
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        contacts = purge_phone_data(session, now=now, cutoff=cutoff)
        report = PurgeReport(
            cutoff, len(dossier_ids), len(documents), len(citizens), int(comments), 0, dry_run, contacts
        )
        return report, hashes

    def expire_leftovers(self) -> LeftoverReport:
        """Papers uploaded but never attached to a submitted case, past `unattached_upload_hours`, and claims
        no submitted case holds, past `claim_minutes`: gone, with their files (a file another paper shares
        stays). Attached papers and the claims of cases are never touched. Run by the server's loop."""
        now = self.ctx.clock()
        settings = self.ctx.settings
        upload_cutoff = now - timedelta(hours=settings.unattached_upload_hours)
        claim_cutoff = now - timedelta(minutes=settings.claim_minutes)
        with self.ctx.db.read() as session:  # most minutes there is nothing: no write transaction then
            if not _any(session, _unattached(upload_cutoff)) and not _any(
                session, _expired_claims(claim_cutoff)
            ):
                return LeftoverReport(0, 0, 0)
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            documents = list(session.scalars(_unattached(upload_cutoff)))
            hashes = set(
                session.scalars(select(DocumentPage.sha256).where(DocumentPage.document_id.in_(documents)))
            )
            if documents:
                session.execute(delete(DocumentPage).where(DocumentPage.document_id.in_(documents)))
                session.execute(delete(Document).where(Document.id.in_(documents)))
            claims = list(session.scalars(_expired_claims(claim_cutoff)))
            if claims:
                session.execute(delete(CitizenClaim).where(CitizenClaim.id.in_(claims)))
        return LeftoverReport(len(documents), self._delete_unshared(hashes), len(claims))

    def _expired_documents(self, session: Session, now: datetime, cutoff: datetime) -> list[int]:
        """Unused documents past their kind's retention; a result the office issued is kept while valid."""
        in_use = exists().where(DossierDocument.document_id == Document.id)
        candidates = session.execute(
            select(
                Document.id, Document.type_code, Document.created_at, Document.source, Document.valid_until
            ).where(~in_use)
        ).all()
        today = now.date()
        expired = []
        for document_id, type_code, created_at, source, valid_until in candidates:
            if source == "issued" and (valid_until is None or valid_until >= today):
                continue  # a still-valid result of the office: the state keeps holding it
            kind = self.catalogue.document_types.get(type_code) if self.catalogue else None
            own_cutoff = now - timedelta(days=kind.retention_days) if kind and kind.retention_days else cutoff
            if created_at < own_cutoff:
                expired.append(document_id)
        return expired

    def _remove_files(self, hashes: set[str]) -> int:
        """Delete the purged documents' files that no remaining page shares, then sweep old leftovers."""
        removed = self._delete_unshared(hashes)
        with self.ctx.db.read() as session:
            referenced = set(session.scalars(select(DocumentPage.sha256)))
        return removed + self.store.sweep_unreferenced(referenced, older_than_s=24 * 3600)

    def _delete_unshared(self, hashes: set[str]) -> int:
        """Identical bytes share a file: keep one a committed page still uses, and (BlobStore.delete) one an
        upload touched lately, whose row may not be committed yet."""
        if not hashes:
            return 0
        with self.ctx.db.read() as session:
            still_used = set(
                session.scalars(select(DocumentPage.sha256).where(DocumentPage.sha256.in_(hashes)))
            )
        return sum(self.store.delete(digest) for digest in hashes - still_used)


def _unattached(cutoff: datetime) -> Select[int]:
    """Uploads no case ever used (never attached, not on file, not issued by the office), older than cutoff."""
    attached = exists().where(DossierDocument.document_id == Document.id)
    return select(Document.id).where(
        ~attached,
        Document.first_used_at.is_(None),
        Document.on_file_at.is_(None),
        Document.source != "issued",
        Document.created_at < cutoff,
    )


def _expired_claims(cutoff: datetime) -> Select[int]:
    held = exists().where(Dossier.claim_id == CitizenClaim.id)
    return select(CitizenClaim.id).where(CitizenClaim.created_at < cutoff, ~held)


def _any(session: Session, query: Select[int]) -> bool:
    return session.scalar(query.limit(1)) is not None
