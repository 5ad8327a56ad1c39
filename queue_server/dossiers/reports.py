"""Reading dossiers for people outside the counter's screen: the receipt, the public lookup, the day's counts."""

from __future__ import annotations

import hmac
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal, Role
from queue_server.citizens.privacy import mask_id, record_access
from queue_server.citizens.service import CitizenFacts, claim_view, facts_from_qr, lookup_citizen, reveal_id
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.calendar import business_day
from queue_server.domain.dossiers import DossierStatus
from queue_server.domain.errors import DomainError, Forbidden
from queue_server.domain.reuse import CasePapers, reuse_figure
from queue_server.dossiers.limiter import LookupLimiter
from queue_server.dossiers.repository import dossier_not_found, find_by_code, load_dossier
from queue_server.dossiers.views import DossierViews, status_fields
from queue_server.procedures.catalogue import Catalogue, Procedure
from queue_server.tables.citizens import Citizen, CitizenClaim
from queue_server.tables.dossiers import Dossier, DossierDocument

if TYPE_CHECKING:
    from queue_server.dossiers.service import DossierService

S = DossierStatus
CARD_LOOKUP_KEY = "card"  # the limiter's key for lookups by card (per client, like a code)
CARD_LOOKUP_MAX = 5  # cases shown, newest first
CARD_LOOKUP_SCAN = 50  # cases read to find them (a person with a long history)


class DossierReports:
    def __init__(
        self,
        ctx: ServerContext,
        catalogue: Catalogue,
        dossiers: DossierService,
        limiter: LookupLimiter,
    ) -> None:
        self.ctx = ctx
        self.catalogue = catalogue
        self.dossiers = dossiers
        self.views: DossierViews = dossiers.views
        self.limiter = limiter

    # ---- receipt -------------------------------------------------------------------------------

    def receipt(self, code: str, *, actor: Principal) -> dict[str, Any]:
        """The fields of a ReceiptPrint (ID masked), for the thermal printer and the A4 PDF."""
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            dossier = load_dossier(session, code)
            self._check_receipt_reader(dossier, actor)
            if dossier.received_at is None or dossier.due_date is None:
                raise DomainError(
                    "not_received_yet",
                    "Hồ sơ chưa được tiếp nhận nên chưa có giấy hẹn.",
                    "The dossier has not been received yet, so there is no receipt.",
                )
            citizen = session.get(Citizen, dossier.citizen_id) if dossier.citizen_id else None
            if citizen is None:
                raise DomainError(
                    "purged", "Dữ liệu hồ sơ đã được xóa.", "The dossier's personal data was purged."
                )
            record_access(
                session,
                actor,
                self.ctx.clock(),
                "dossier.receipt",
                citizen_id=citizen.id,
                dossier_code=dossier.code,
            )
            procedure = self.dossiers.procedure(dossier.procedure_code)
            links = list(
                session.scalars(select(DossierDocument).where(DossierDocument.dossier_id == dossier.id))
            )
            office = self.dossiers.tickets.office(dossier.office)
            claim = session.get(CitizenClaim, dossier.claim_id) if dossier.claim_id else None
            return {
                "office_name": office.name_vi,
                "dossier_code": dossier.code,
                "citizen_name": claim_view(claim, citizen)["full_name"] or "",
                "citizen_id": mask_id(reveal_id(self.ctx.ids, citizen)),
                "procedure_name": f"{procedure.code} {procedure.name_vi}",
                "received_at": dossier.received_at,
                "due_date": dossier.due_date,
                "papers": self._receipt_papers(procedure, links),
                "footer": self._receipt_footer(),
                "legal_days": procedure.legal_days,
                "counting_from": dossier.counting_from,
                "fee_vnd": procedure.fee_vnd,
            }

    def _check_receipt_reader(self, dossier: Dossier, actor: Principal) -> None:
        """A kiosk prints only the receipt of a case it submitted itself, in the last few minutes."""
        if actor.role is not Role.KIOSK:
            return
        window = timedelta(minutes=self.ctx.settings.kiosk_receipt_minutes)
        if dossier.submitted_by != actor.label or self.ctx.clock() - dossier.submitted_at > window:
            raise Forbidden(
                "receipt_not_for_this_kiosk",
                "Kiosk chỉ in được giấy hẹn của hồ sơ vừa nộp tại chính kiosk này.",
                "A kiosk may print only the receipt of a case it submitted in the last few minutes.",
            )

    def _receipt_papers(self, procedure: Procedure, links: Sequence[DossierDocument]) -> list[list[str]]:
        papers: list[list[str]] = []
        if procedure.form is not None:
            papers.append([procedure.form.name_vi, "kê khai điện tử"])
        by_type = {link.type_code: link for link in links}
        for paper in procedure.papers:
            link = by_type.get(paper.type.code)
            if link is not None:
                notes = paper.count_vi + ("; đã có trong hệ thống" if link.reused else "")
                papers.append([paper.type.name_vi, notes])
        return papers

    def _receipt_footer(self) -> list[str]:
        url = self.ctx.settings.public_url.rstrip("/")
        return [
            f"Tra cứu: {url} (mã hồ sơ + 4 số cuối CCCD)",
            "Mang theo giấy này khi nhận kết quả / Bring this receipt to collect the result",
        ]

    def print_receipt(self, code: str, *, actor: Principal) -> dict[str, Any]:
        """Print the receipt on the thermal printer of the desk the officer is seated at."""
        from devices.printers import PrinterError, PrinterUrlError, open_printer
        from queue_server.dossiers.receipt import receipt_print

        data = self.receipt(code, actor=actor)
        office = self.dossiers.tickets.office(actor.office)
        with self.ctx.db.read() as session:
            seat = self.dossiers._seat_of(session, office.code, actor)
        counter = office.counters.get(seat) if seat is not None else None
        if counter is None or not counter.printer:
            raise DomainError(
                "no_counter_printer",
                "Quầy này chưa cấu hình máy in (counters.toml: printer). Hãy in bản A4.",
                "This counter has no printer configured (counters.toml: printer). Print the A4 copy.",
            )
        try:
            printer = open_printer(counter.printer)
            try:
                printer.print_receipt(receipt_print(data))
            finally:
                printer.close()
        except (PrinterError, PrinterUrlError) as error:
            raise DomainError(
                "printer_failed",
                f"Máy in của quầy không in được ({error}). Hãy in bản A4.",
                f"The counter's printer failed ({error}). Print the A4 copy.",
            ) from error
        return {"printed": True, "counter": counter.number, "dossier_code": data["dossier_code"]}

    def form_data(self, code: str, number: str, *, actor: Principal) -> dict[str, Any]:
        """The fields of Mẫu 02 (papers requested), 03 (refused) or 04 (late: apology and new date)."""
        with UnitOfWork(self.ctx) as tx:
            session = tx.session
            dossier = load_dossier(session, code)
            citizen = session.get(Citizen, dossier.citizen_id) if dossier.citizen_id else None
            status = S(dossier.status)
            applies = {
                "02": bool(dossier.requested_papers),
                "03": status is S.NOT_RECEIVED,
                "04": dossier.original_due_date is not None,
            }
            if not applies.get(number) or citizen is None:
                raise DomainError(
                    "form_not_applicable",
                    f"Hồ sơ này không có Mẫu {number} (chưa yêu cầu bổ sung, từ chối hay gia hạn).",
                    f"This dossier has no form {number} (no paper request, refusal or extension).",
                )
            record_access(
                session,
                actor,
                self.ctx.clock(),
                f"dossier.form{number}",
                citizen_id=citizen.id,
                dossier_code=dossier.code,
            )
            procedure = self.dossiers.procedure(dossier.procedure_code)
            office = self.dossiers.tickets.office(dossier.office)
            claim = session.get(CitizenClaim, dossier.claim_id) if dossier.claim_id else None
            return {
                "office_name": office.name_vi,
                "dossier_code": dossier.code,
                "citizen_name": claim_view(claim, citizen)["full_name"] or "",
                "citizen_id": mask_id(reveal_id(self.ctx.ids, citizen)),
                "procedure_name": f"{procedure.code} {procedure.name_vi}",
                "papers": [self.views.type_brief(c)["name_vi"] for c in dossier.requested_papers or []],
                "reason": dossier.reason,
                "received_at": dossier.received_at or dossier.submitted_at,
                "due_date": dossier.due_date,
                "original_due_date": dossier.original_due_date,
                "issued_at": self.ctx.clock(),
            }

    # ---- public lookup -------------------------------------------------------------------------

    def lookup(self, *, code: str, last4: str, client: str) -> dict[str, Any]:
        """Status, due date and what is missing — nothing more; rate limited per client and per code."""
        normalized = code.strip().upper()[:40]
        self.limiter.admit(client, normalized)
        with self.ctx.db.read() as session:
            dossier = find_by_code(session, normalized)
            citizen = session.get(Citizen, dossier.citizen_id) if dossier and dossier.citizen_id else None
            if dossier is None or citizen is None or not self._second_factor_ok(citizen, last4):
                self.limiter.failed(normalized, client)
                raise dossier_not_found()
            return self._public_view(session, dossier)

    def lookup_by_card(self, *, qr: str, client: str) -> dict[str, Any]:
        """A kiosk's lookup by the ID card's QR: the holder's latest cases, each as the public lookup shows
        it. A QR is unsigned, so a case is listed only when the card's name and birth date agree with what
        the office knows of that case's citizen (the checked facts, else the case's own claim)."""
        facts = facts_from_qr(qr)
        self.limiter.admit(client, CARD_LOOKUP_KEY)
        with self.ctx.db.read() as session:
            citizen = lookup_citizen(session, self.ctx.ids, facts.personal_id)
            latest: list[Dossier] = []
            if citizen is not None:
                latest = list(
                    session.scalars(
                        select(Dossier)
                        .where(Dossier.citizen_id == citizen.id)
                        .order_by(Dossier.submitted_at.desc(), Dossier.id.desc())
                        .limit(CARD_LOOKUP_SCAN)
                    )
                )
            shown = [d for d in latest if citizen and _card_agrees(session, citizen, d, facts)]
            return {
                "personal_id_masked": mask_id(facts.personal_id),
                "cases": [self._public_view(session, d) for d in shown[:CARD_LOOKUP_MAX]],
            }

    def _public_view(self, session: Session, dossier: Dossier) -> dict[str, Any]:
        """What a citizen may see of a case without signing in: no name, no ID, no address, no papers."""
        procedure = self.catalogue.procedures.get(dossier.procedure_code)
        status = S(dossier.status)
        links = list(session.scalars(select(DossierDocument).where(DossierDocument.dossier_id == dossier.id)))
        if status is S.PAPERS_REQUESTED:
            missing = [self.views.type_brief(c) for c in dossier.requested_papers or []]
        elif status is S.NEW:
            missing = self.views.missing(procedure, links)
        else:
            missing = []
        office = self.ctx.config.offices.get(dossier.office)
        return {
            "code": dossier.code,
            **status_fields(status),
            "office_name_vi": office.name_vi if office else dossier.office,
            "office_name_en": office.name_en if office else dossier.office,
            "procedure_name_vi": procedure.name_vi if procedure else dossier.procedure_code,
            "procedure_name_en": procedure.name_en if procedure else dossier.procedure_code,
            "due_date": dossier.due_date,
            "missing": missing,
            "missing_reason": dossier.reason if status is S.PAPERS_REQUESTED else None,
        }

    def _second_factor_ok(self, citizen: Citizen, last4: str) -> bool:
        """The last 4 digits of the ID number: printed on the citizen's card, never set by a kiosk."""
        return hmac.compare_digest(last4.strip().encode(), reveal_id(self.ctx.ids, citizen)[-4:].encode())

    # ---- statistics ----------------------------------------------------------------------------

    def stats(self, *, day: date | None = None, office: str | None = None) -> dict[str, Any]:
        office_cfg = self.dossiers.tickets.office(office)
        day = day or business_day(self.ctx.clock(), office_cfg.zone)
        with self.ctx.db.read() as session:
            rows = session.execute(
                select(
                    Dossier.procedure_code,
                    Dossier.status,
                    Dossier.papers_reused,
                    Dossier.papers_new,
                    Dossier.papers_resupplied,
                ).where(Dossier.office == office_cfg.code, Dossier.business_day == day)
            ).all()
        per_procedure: dict[str, Counter[str]] = {}
        statuses: Counter[str] = Counter()
        for procedure_code, status, reused, new, resupplied in rows:
            counts = per_procedure.setdefault(procedure_code, Counter())
            _count(counts, reused, new, resupplied)
            statuses[status] += 1
        total: Counter[str] = sum(per_procedure.values(), Counter())
        reuse = reuse_figure(CasePapers(r, s) for _, _, r, _, s in rows)
        procedures = []
        for procedure_code, counts in sorted(per_procedure.items()):
            procedure = self.catalogue.procedures.get(procedure_code)
            procedures.append(
                {
                    "procedure": procedure_code,
                    "name_vi": procedure.name_vi if procedure else procedure_code,
                    **_stat_fields(counts),
                }
            )
        return {
            "day": day,
            "office": office_cfg.code,
            **_stat_fields(total),
            # the reuse KPI (queue_server/domain/reuse.py): first-time citizens do not count
            "reuse_cases": reuse.cases,
            "papers_held": reuse.held,
            "held_not_resupplied": reuse.not_resupplied,
            "reuse_share": None if reuse.share is None else round(reuse.share, 4),
            "by_status": dict(statuses),
            "procedures": procedures,
        }


def _count(counts: Counter[str], reused: int, new: int, resupplied: int) -> None:
    counts["dossiers"] += 1
    counts["without_resupply"] += int(resupplied == 0)
    counts["fully_reused"] += int(new == 0)
    counts["papers_reused"] += reused
    counts["papers_new"] += new


def _stat_fields(counts: Counter[str]) -> dict[str, int]:
    keys = ("dossiers", "without_resupply", "fully_reused", "papers_reused", "papers_new")
    return {key: counts[key] for key in keys}


def _same_name(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return norm(a) == norm(b)


def _card_agrees(session: Session, citizen: Citizen, dossier: Dossier, facts: CitizenFacts) -> bool:
    """The card's name and birth date against the checked facts, else the case's claim; at least one
    of them must be known and none may differ."""
    known: Citizen | CitizenClaim | None = citizen if citizen.verified_at is not None else None
    if known is None and dossier.claim_id is not None:
        known = session.get(CitizenClaim, dossier.claim_id)
    if known is None:
        return False
    checks = []
    if known.full_name and facts.full_name:
        checks.append(_same_name(known.full_name, facts.full_name))
    if known.birth_date and facts.birth_date:
        checks.append(known.birth_date == facts.birth_date)
    return bool(checks) and all(checks)
