"""What the province page and the cross-office report read for many offices at once, in a few grouped
queries whatever the number of offices: today's tickets of every office, and for the national service
index's indicators the cases with a result, cases submitted with their digital papers, ratings and visits
begun online. Plain records, like readmodels.py (analytics never sees a table)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, or_, select

from queue_server.db.engine import Database
from queue_server.ratings.service import SATISFIED_FROM  # 4 or 5 stars: satisfied
from queue_server.readmodels import TicketRecord, ticket_record
from queue_server.tables.dossiers import Dossier, DossierDocument, DossierEvent
from queue_server.tables.ratings import Rating
from queue_server.tables.tickets import Ticket

ONLINE_ISSUER = "device:phone"  # numbers taken by phone (/p/so); booked visits carry appointment_at


@dataclass(frozen=True, slots=True)
class CaseResult:
    office: str
    result_at: datetime  # when the result was recorded (the first "finish")
    due_date: date | None


@dataclass(frozen=True, slots=True)
class CaseSubmitted:
    office: str
    procedure: str
    papers_reused: int
    papers_resupplied: int
    digital_papers: frozenset[str]  # the paper types attached as files (scanned or taken from the file)


@dataclass(frozen=True, slots=True)
class OfficePeriod:
    results: list[CaseResult]
    submitted: list[CaseSubmitted]
    visits: int
    visits_online: int
    ratings: int
    satisfied: int


def indicators_of_period(
    db: Database, offices: Sequence[str], first: date, last: date
) -> dict[str, OfficePeriod]:
    """Per office: cases submitted on business days first..last, results recorded around the period (the
    caller keeps those whose local day falls in it), visits and ratings of those business days."""
    codes = list(offices)
    start = datetime.combine(first - timedelta(days=1), time(), UTC)  # every zone's day is inside
    end = datetime.combine(last + timedelta(days=2), time(), UTC)
    results: dict[str, list[CaseResult]] = defaultdict(list)
    submitted: dict[str, list[CaseSubmitted]] = defaultdict(list)
    with db.read() as session:
        finishes = (
            select(DossierEvent.dossier_id, func.min(DossierEvent.at).label("at"))
            .where(DossierEvent.action == "finish", DossierEvent.at >= start, DossierEvent.at < end)
            .group_by(DossierEvent.dossier_id)
            .subquery()
        )
        for office, at, due in session.execute(
            select(Dossier.office, finishes.c.at, Dossier.due_date)
            .join(finishes, finishes.c.dossier_id == Dossier.id)
            .where(Dossier.office.in_(codes))
        ):
            results[office].append(CaseResult(office, at if at.tzinfo else at.replace(tzinfo=UTC), due))
        in_period = (Dossier.office.in_(codes), Dossier.business_day >= first, Dossier.business_day <= last)
        papers: dict[int, set[str]] = defaultdict(set)
        for dossier_id, type_code in session.execute(
            select(DossierDocument.dossier_id, DossierDocument.type_code)
            .join(Dossier, Dossier.id == DossierDocument.dossier_id)
            .where(*in_period, DossierDocument.document_id.is_not(None))
        ):
            papers[dossier_id].add(type_code)
        for dossier_id, office, procedure, reused, resupplied in session.execute(
            select(
                Dossier.id,
                Dossier.office,
                Dossier.procedure_code,
                Dossier.papers_reused,
                Dossier.papers_resupplied,
            ).where(*in_period)
        ):
            submitted[office].append(
                CaseSubmitted(office, procedure, reused, resupplied, frozenset(papers.get(dossier_id, ())))
            )
        online = or_(Ticket.issued_by == ONLINE_ISSUER, Ticket.appointment_at.is_not(None))
        visits = {
            office: (int(total), int(remote or 0))
            for office, total, remote in session.execute(
                select(Ticket.office, func.count(), func.sum(case((online, 1), else_=0)))
                .where(Ticket.office.in_(codes), Ticket.business_day >= first, Ticket.business_day <= last)
                .group_by(Ticket.office)
            )
        }
        ratings = {
            office: (int(total), int(good or 0))
            for office, total, good in session.execute(
                select(
                    Rating.office, func.count(), func.sum(case((Rating.score >= SATISFIED_FROM, 1), else_=0))
                )
                .where(Rating.office.in_(codes), Rating.business_day >= first, Rating.business_day <= last)
                .group_by(Rating.office)
            )
        }
    return {
        code: OfficePeriod(
            results=results.get(code, []),
            submitted=submitted.get(code, []),
            visits=visits.get(code, (0, 0))[0],
            visits_online=visits.get(code, (0, 0))[1],
            ratings=ratings.get(code, (0, 0))[0],
            satisfied=ratings.get(code, (0, 0))[1],
        )
        for code in codes
    }


def tickets_of_offices(db: Database, days: dict[str, date]) -> dict[str, list[TicketRecord]]:
    """Each office's tickets of its business day `days[office]` (offices in other zones may be on another
    day), without their event history: one query for the whole province instead of one per office."""
    found: dict[str, list[TicketRecord]] = {office: [] for office in days}
    by_day: dict[date, list[str]] = defaultdict(list)
    for office, day in days.items():
        by_day[day].append(office)
    with db.read() as session:
        for day, offices in by_day.items():
            for ticket in session.scalars(
                select(Ticket)
                .where(Ticket.office.in_(offices), Ticket.business_day == day)
                .order_by(Ticket.id)
            ):
                found[ticket.office].append(ticket_record(ticket))
    return found


def open_cases(db: Database, offices: Sequence[str]) -> dict[str, list[tuple[str, date | None]]]:
    """(status, due date) of every case of the offices not yet closed, for the due and overdue counts."""
    found: dict[str, list[tuple[str, date | None]]] = {office: [] for office in offices}
    running = ("received", "in_process", "fee_requested", "papers_requested")
    with db.read() as session:
        for office, status, due in session.execute(
            select(Dossier.office, Dossier.status, Dossier.due_date).where(
                Dossier.office.in_(list(offices)), Dossier.status.in_(running)
            )
        ):
            found[office].append((status, due))
    return found
