"""The "Hồ sơ" view: an office's cases by status and due date, the on-time rate, the officers' pace.

Definitions are in queue_server/domain/follow_up.py. A case's officer is whoever received it. Staff see the
cases they received; supervisors and admins see the office's.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal
from queue_server.context import ServerContext
from queue_server.domain.calendar import business_day
from queue_server.domain.dossiers import STATUS_NAMES, DossierStatus
from queue_server.domain.follow_up import PeriodPace, due_state, on_time_rate, period_pace
from queue_server.procedures.catalogue import Catalogue
from queue_server.tables.dossiers import Dossier, DossierEvent
from queue_server.tickets.service import TicketService

LISTED = ("overdue", "due_soon", "paused", "on_track", "not_received")


class DossierFollowUp:
    def __init__(self, ctx: ServerContext, catalogue: Catalogue, tickets: TicketService) -> None:
        self.ctx = ctx
        self.catalogue = catalogue
        self.tickets = tickets

    def overview(
        self,
        *,
        actor: Principal,
        office: str | None = None,
        procedure: str | None = None,
        officer: str | None = None,
        first: date | None = None,
        last: date | None = None,
    ) -> dict[str, Any]:
        office_cfg = self.tickets.office(office or actor.office)
        today = business_day(self.ctx.clock(), office_cfg.zone)
        if not actor.is_manager:
            officer = actor.label  # staff follow the cases they received
        last = last or today
        first = first or last.replace(day=1)
        with self.ctx.db.read() as session:
            dossiers = self._dossiers(session, office_cfg.code, procedure)
            receivers = self._receivers(session, [d.id for d in dossiers])
            results = self._result_days(session, [d.id for d in dossiers], office_cfg.zone)
        if officer:
            dossiers = [d for d in dossiers if receivers.get(d.id) == officer]
        by_status: Counter[str] = Counter(d.status for d in dossiers)
        groups: dict[str, list[dict[str, Any]]] = {name: [] for name in LISTED}
        for dossier in dossiers:
            state = due_state(dossier.status, dossier.due_date, today, office_cfg.hours)
            if state in groups:
                groups[state].append(self._row(dossier, receivers.get(dossier.id), today))
        for rows in groups.values():
            rows.sort(key=lambda row: (row["due_date"] or date.max, row["code"]))
        in_period = [
            (results[d.id], d.due_date)
            for d in dossiers
            if d.id in results and first <= results[d.id] <= last
        ]
        on_time = on_time_rate(in_period)
        return {
            "office": office_cfg.code,
            "today": today,
            "officer": officer,
            "procedure": procedure,
            "by_status": [
                {"status": s.value, "name_vi": STATUS_NAMES[s][0], "count": by_status.get(s.value, 0)}
                for s in DossierStatus
            ],
            **groups,
            "period": {"first": first, "last": last},
            "on_time": {"results": on_time.results, "on_time": on_time.on_time, "rate": on_time.rate},
            "productivity": self._productivity(office_cfg.code, today, officer),
        }

    def _productivity(self, office: str, today: date, officer: str | None) -> list[dict[str, Any]]:
        """The year to date's pace exactly as the dashboard shows it (`pace`): the same officer gets the same
        figure and verdict on both pages, and no yearly figure before 20 working days."""
        rows = self.pace(office, date(today.year, 1, 1), today)
        return [
            {**p.as_row(), "officer": f"user:{p.officer}"}
            for p in rows
            if officer is None or f"user:{p.officer}" == officer
        ]

    def pace(self, office: str, first: date, last: date) -> list[PeriodPace]:
        """Each officer's cases received in first..last (office days) against the class target prorated
        to the period (domain/follow_up.py `period_pace`); officers by username."""
        office_cfg = self.tickets.office(office)
        today = business_day(self.ctx.clock(), office_cfg.zone)
        last = min(last, today)  # days still to come are not worked yet
        with self.ctx.db.read() as session:
            rows = session.execute(
                select(DossierEvent.actor, DossierEvent.at)
                .join(Dossier, Dossier.id == DossierEvent.dossier_id)
                .where(Dossier.office == office_cfg.code, DossierEvent.action == "receive")
            ).all()
        counts: Counter[str] = Counter()
        for actor, at in rows:
            if first <= business_day(at, office_cfg.zone) <= last:
                counts[actor.removeprefix("user:")] += 1
        target = self.catalogue.settings.target_for(office_cfg.level)
        return period_pace(counts, first, last, office_cfg.hours, target) if first <= last else []

    def overdue_count(self, office: str) -> int:
        """For the alerts: cases of the office past their due date."""
        office_cfg = self.tickets.office(office)
        today = business_day(self.ctx.clock(), office_cfg.zone)
        with self.ctx.db.read() as session:
            rows = session.execute(
                select(Dossier.status, Dossier.due_date).where(
                    Dossier.office == office_cfg.code, Dossier.due_date < today
                )
            ).all()
        return sum(1 for status, due in rows if due_state(status, due, today, office_cfg.hours) == "overdue")

    def _dossiers(self, session: Session, office: str, procedure: str | None) -> list[Dossier]:
        query = select(Dossier).where(Dossier.office == office, Dossier.purged_at.is_(None))
        if procedure:
            query = query.where(Dossier.procedure_code == procedure)
        return list(session.scalars(query.order_by(Dossier.id)))

    def _receivers(self, session: Session, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = session.execute(
            select(DossierEvent.dossier_id, DossierEvent.actor)
            .where(DossierEvent.dossier_id.in_(ids), DossierEvent.action == "receive")
            .order_by(DossierEvent.id)
        )
        return {dossier_id: actor for dossier_id, actor in rows}

    def _result_days(self, session: Session, ids: list[int], zone: Any) -> dict[int, date]:
        if not ids:
            return {}
        rows = session.execute(
            select(DossierEvent.dossier_id, DossierEvent.at)
            .where(DossierEvent.dossier_id.in_(ids), DossierEvent.action == "finish")
            .order_by(DossierEvent.id)
        )
        return {dossier_id: business_day(at, zone) for dossier_id, at in rows}

    def _row(self, dossier: Dossier, officer: str | None, today: date) -> dict[str, Any]:
        procedure = self.catalogue.procedures.get(dossier.procedure_code)
        status = DossierStatus(dossier.status)
        late_days = (today - dossier.due_date).days if dossier.due_date and dossier.due_date < today else 0
        return {
            "code": dossier.code,
            "status": status.value,
            "status_name_vi": STATUS_NAMES[status][0],
            "procedure": dossier.procedure_code,
            "procedure_name_vi": procedure.name_vi if procedure else dossier.procedure_code,
            "received_at": dossier.received_at,
            "due_date": dossier.due_date,
            "late_days": late_days,
            "officer": officer,
        }
