"""The case services (procedures, citizens, documents, dossiers, ratings, purge) built from a ServerContext."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from queue_server.citizens.service import CitizenService
from queue_server.context import ServerContext
from queue_server.documents.service import DocumentService
from queue_server.documents.storage import BlobStore
from queue_server.dossiers.follow_up import DossierFollowUp
from queue_server.dossiers.limiter import LookupLimiter
from queue_server.dossiers.purge import PurgeService
from queue_server.dossiers.reports import DossierReports
from queue_server.dossiers.service import DossierService
from queue_server.procedures.catalogue import Catalogue, load_catalogue
from queue_server.ratings.service import RatingService
from queue_server.tickets.service import TicketService

FILES_DIR_ENV = "MOTCUA_FILES_DIR"


@dataclass
class CaseServices:
    catalogue: Catalogue
    store: BlobStore
    citizens: CitizenService
    documents: DocumentService
    dossiers: DossierService
    reports: DossierReports  # receipt, public lookup, counts
    follow_up: DossierFollowUp  # the "Hồ sơ" view: due dates, on-time rate, yearly pace
    ratings: RatingService
    purge: PurgeService


def files_dir(ctx: ServerContext) -> Path:
    """Where page files live: MOTCUA_FILES_DIR, else `files/` beside an SQLite database, else var/files."""
    configured = ctx.settings.files_dir or os.environ.get(FILES_DIR_ENV)
    if configured:
        return Path(configured)
    database = ctx.db.url.database if ctx.db.is_sqlite else None
    if database and database != ":memory:":
        return Path(database).parent / "files"
    return Path("var/files")


def build_case_services(ctx: ServerContext, tickets: TicketService) -> CaseServices:
    catalogue = load_catalogue(ctx.config)  # ConfigError naming file and key when the catalogue is wrong
    store = BlobStore(files_dir(ctx), ctx.clock)
    documents = DocumentService(ctx, catalogue, store)
    settings = catalogue.settings
    limiter = LookupLimiter(
        ctx.clock,
        per_ip_per_minute=settings.lookup_per_ip_per_minute,
        failures_per_code=settings.lookup_failures_per_code,
        failure_window_s=settings.lookup_failure_window_s,
    )
    dossiers = DossierService(ctx, catalogue, tickets, documents)
    return CaseServices(
        catalogue=catalogue,
        store=store,
        citizens=CitizenService(ctx),
        documents=documents,
        dossiers=dossiers,
        reports=DossierReports(ctx, catalogue, dossiers, limiter),
        follow_up=DossierFollowUp(ctx, catalogue, tickets),
        ratings=RatingService(ctx, catalogue.ratings),
        purge=PurgeService(ctx, store, catalogue),
    )
