"""Counter use cases: open (seat the signed-in person), pause with a reason, resume, close, list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.auth.models import User
from queue_server.auth.principal import Principal
from queue_server.config import OfficeConfig
from queue_server.context import ServerContext
from queue_server.counters.models import CounterState
from queue_server.db.unit_of_work import UnitOfWork
from queue_server.domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from queue_server.events.outbox import Outbox
from queue_server.tickets import repository as ticket_repo


class CounterService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def open(self, *, number: int, actor: Principal, office: str | None = None) -> dict[str, Any]:
        office_cfg = self._office(office or actor.office)
        self._check_exists(office_cfg, number)
        if actor.kind != "user":
            raise Forbidden("people_only", "Chỉ cán bộ mới mở quầy được.", "Only staff can open a counter.")
        with UnitOfWork(self.ctx) as tx:
            session, outbox = tx.session, tx.outbox
            state = self._state(session, office_cfg, number)
            if state.status != "closed" and state.staff_id not in (None, actor.id):
                raise DomainError(
                    "counter_taken",
                    f"Quầy {number} đang có cán bộ khác làm việc.",
                    f"Counter {number} is taken by another staff member.",
                )
            self._leave_other_seats(session, outbox, office_cfg, number, actor)
            state.status, state.staff_id, state.pause_reason = "open", actor.id, None
            state.since, state.priority_streak = self.ctx.clock(), 0
            self._emit(session, outbox, "counter.opened", state, actor)
            return self._view(session, office_cfg, state)

    def pause(
        self, *, number: int, actor: Principal, reason: str | None, office: str | None = None
    ) -> dict[str, Any]:
        if not reason or not reason.strip():
            raise InvalidInput(
                "reason_required", "Cần ghi lý do tạm dừng.", "A reason for the pause is needed."
            )
        return self._set(number, actor, office, "paused", "counter.paused", reason.strip())

    def resume(self, *, number: int, actor: Principal, office: str | None = None) -> dict[str, Any]:
        return self._set(number, actor, office, "open", "counter.resumed", None)

    def close(self, *, number: int, actor: Principal, office: str | None = None) -> dict[str, Any]:
        return self._set(number, actor, office, "closed", "counter.closed", None)

    def list(self, *, office: str | None = None) -> list[dict[str, Any]]:
        office_cfg = self._office(office)
        with self.ctx.db.read() as session:
            states = {
                s.number: s
                for s in session.scalars(select(CounterState).where(CounterState.office == office_cfg.code))
            }
            return [
                self._view(
                    session,
                    office_cfg,
                    states.get(n) or CounterState(office=office_cfg.code, number=n, status="closed"),
                )
                for n in sorted(office_cfg.counters)
            ]

    # ---- internals -----------------------------------------------------------------------------

    def _set(
        self, number: int, actor: Principal, office: str | None, status: str, event: str, reason: str | None
    ) -> dict[str, Any]:
        office_cfg = self._office(office or actor.office)
        self._check_exists(office_cfg, number)
        with UnitOfWork(self.ctx) as tx:
            session, outbox = tx.session, tx.outbox
            state = self._state(session, office_cfg, number)
            if state.status == "closed":
                raise DomainError(
                    "counter_closed", f"Quầy {number} đang đóng.", f"Counter {number} is closed."
                )
            if state.staff_id != actor.id and not actor.is_manager:
                raise Forbidden(
                    "not_your_counter",
                    f"Bạn không làm việc tại quầy {number}.",
                    f"You are not signed in at counter {number}.",
                )
            state.status, state.pause_reason, state.since = status, reason, self.ctx.clock()
            if status == "closed":
                state.staff_id = None
            self._emit(session, outbox, event, state, actor)
            return self._view(session, office_cfg, state)

    def _leave_other_seats(
        self, session: Session, outbox: Outbox, office: OfficeConfig, number: int, actor: Principal
    ) -> None:
        """A person sits at one counter at a time: opening another one closes the previous."""
        others = session.scalars(
            select(CounterState).where(
                CounterState.staff_id == actor.id,
                CounterState.number != number,
                CounterState.status != "closed",
            )
        )
        for other in others:
            other.status, other.staff_id, other.pause_reason, other.since = (
                "closed",
                None,
                None,
                self.ctx.clock(),
            )
            self._emit(session, outbox, "counter.closed", other, actor)

    def _state(self, session: Session, office: OfficeConfig, number: int) -> CounterState:
        state = session.scalar(
            select(CounterState)
            .where(CounterState.office == office.code, CounterState.number == number)
            .with_for_update()
        )
        if state is None:
            state = CounterState(office=office.code, number=number, status="closed", priority_streak=0)
            session.add(state)
            session.flush()
        return state

    def _emit(
        self, session: Session, outbox: Outbox, type_: str, state: CounterState, actor: Principal
    ) -> None:
        data = {
            "counter": {
                "number": state.number,
                "status": state.status,
                "pause_reason": state.pause_reason,
            },
            "by": actor.label,
        }
        outbox.add(type=type_, office=state.office, at=self.ctx.clock(), data=data)

    def _view(self, session: Session, office: OfficeConfig, state: CounterState) -> dict[str, Any]:
        config = office.counters[state.number]
        current = ticket_repo.current_ticket_of_counter(session, office=office.code, counter=state.number)
        staff = session.get(User, state.staff_id) if state.staff_id else None
        return {
            "office": office.code,
            "number": state.number,
            "name_vi": config.name_vi,
            "name_en": config.name_en,
            "status": state.status,
            "queues": list(config.weights),
            "weights": config.weights,
            "staff": staff.username if staff else None,
            "staff_name": (staff.full_name or staff.username) if staff else None,
            "pause_reason": state.pause_reason,
            "since": state.since.isoformat() if state.since else None,
            "current_ticket": (
                {"id": current.id, "number": current.number, "status": current.status, "queue": current.queue}
                if current
                else None
            ),
        }

    def _office(self, code: str | None) -> OfficeConfig:
        try:
            return self.ctx.config.office(code)
        except KeyError:
            raise NotFound("unknown_office", f"Không có đơn vị {code}.", f"Unknown office {code}.") from None

    def _check_exists(self, office: OfficeConfig, number: int) -> None:
        if number not in office.counters:
            raise NotFound("unknown_counter", f"Không có quầy số {number}.", f"Unknown counter {number}.")
