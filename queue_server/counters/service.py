"""Counter use cases: open (seat the signed-in person), pause with a reason, resume, close, list."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal, Role
from queue_server.config import OfficeConfig
from queue_server.context import ServerContext
from queue_server.counters.presence import LOST_REASON, ConsolePresence
from queue_server.db.unit_of_work import Transaction, UnitOfWork
from queue_server.domain.errors import DomainError, Forbidden, InvalidInput
from queue_server.tables.auth import User
from queue_server.tables.counters import CounterState, CounterStatus
from queue_server.tickets import repository as ticket_repo

PRESENCE = Principal("system", 0, "presence", Role.ADMIN)


class CounterService:
    """Open (seat the signed-in person), pause with a reason, resume, close, list. `_move` is the one
    place that writes a counter's status."""

    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx
        self.presence = ConsolePresence()  # the consoles' heartbeats received by this process

    def open(self, *, number: int, actor: Principal, office: str | None = None) -> dict[str, Any]:
        office_cfg = self.ctx.config.office(office or actor.office)
        office_cfg.counter(number)
        if actor.kind != "user":
            raise Forbidden("people_only", "Chỉ cán bộ mới mở quầy được.", "Only staff can open a counter.")
        with UnitOfWork(self.ctx) as tx:
            state = self._state(tx, office_cfg, number)
            if state.status != CounterStatus.CLOSED and state.staff_id not in (None, actor.id):
                raise DomainError(
                    "counter_taken",
                    f"Quầy {number} đang có cán bộ khác làm việc.",
                    f"Counter {number} is taken by another staff member.",
                )
            self._leave_other_seats(tx, number, actor)
            state.console_seen_at = None  # a stamp of an earlier sitting must not pause this one
            self._move(tx, state, CounterStatus.OPEN, "counter.opened", actor, staff_id=actor.id)
            return self._view(tx.session, office_cfg, state)

    def pause(
        self, *, number: int, actor: Principal, reason: str | None, office: str | None = None
    ) -> dict[str, Any]:
        if not reason or not reason.strip():
            raise InvalidInput(
                "reason_required", "Cần ghi lý do tạm dừng.", "A reason for the pause is needed."
            )
        return self._set(number, actor, office, CounterStatus.PAUSED, "counter.paused", reason.strip())

    def resume(self, *, number: int, actor: Principal, office: str | None = None) -> dict[str, Any]:
        return self._set(number, actor, office, CounterStatus.OPEN, "counter.resumed", None)

    def close(self, *, number: int, actor: Principal, office: str | None = None) -> dict[str, Any]:
        return self._set(number, actor, office, CounterStatus.CLOSED, "counter.closed", None)

    def sweep_consoles(self, beats: Mapping[int, datetime]) -> list[tuple[str, int]]:
        """Stamp each seated counter with its console's last heartbeat (`beats`, this process's); pause the
        open ones whose console has sent none for `console_lost_after_minutes` ("mất kết nối"). A heartbeat
        from before the counter's last change of status (a resume, an opening) does not count. Answers
        the counters it paused."""
        lost_after = timedelta(minutes=self.ctx.settings.console_lost_after_minutes)
        paused: list[tuple[str, int]] = []
        with UnitOfWork(self.ctx) as tx:
            seated = tx.session.scalars(
                select(CounterState)
                .where(CounterState.staff_id.is_not(None), CounterState.status != CounterStatus.CLOSED.value)
                .with_for_update()
            )
            for state in seated:
                beat = beats.get(state.staff_id) if state.staff_id is not None else None
                if beat is not None and self._counts(beat, state):
                    state.console_seen_at = beat
                seen = state.console_seen_at
                if state.status == CounterStatus.OPEN and seen is not None and tx.now - seen >= lost_after:
                    self._move(
                        tx,
                        state,
                        CounterStatus.PAUSED,
                        "counter.paused",
                        PRESENCE,
                        staff_id=state.staff_id,
                        reason=LOST_REASON,
                    )
                    paused.append((state.office, state.number))
        return paused

    @staticmethod
    def _counts(beat: datetime, state: CounterState) -> bool:
        """A heartbeat newer than the stamp, and not from before the counter's last opening or resume."""
        after_change = state.since is None or beat >= state.since
        return after_change and (state.console_seen_at is None or beat > state.console_seen_at)

    def list(self, *, office: str | None = None) -> list[dict[str, Any]]:
        office_cfg = self.ctx.config.office(office)
        with self.ctx.db.read() as session:
            states = {
                s.number: s
                for s in session.scalars(select(CounterState).where(CounterState.office == office_cfg.code))
            }
            return [
                self._view(
                    session,
                    office_cfg,
                    states.get(n)
                    or CounterState(office=office_cfg.code, number=n, status=CounterStatus.CLOSED.value),
                )
                for n in sorted(office_cfg.counters)
            ]

    # ---- internals -----------------------------------------------------------------------------

    def _set(
        self,
        number: int,
        actor: Principal,
        office: str | None,
        status: CounterStatus,
        event: str,
        reason: str | None,
    ) -> dict[str, Any]:
        office_cfg = self.ctx.config.office(office or actor.office)
        office_cfg.counter(number)
        with UnitOfWork(self.ctx) as tx:
            state = self._state(tx, office_cfg, number)
            if state.status == CounterStatus.CLOSED:
                raise DomainError(
                    "counter_closed", f"Quầy {number} đang đóng.", f"Counter {number} is closed."
                )
            if state.staff_id != actor.id and not actor.is_manager:
                raise Forbidden(
                    "not_your_counter",
                    f"Bạn không làm việc tại quầy {number}.",
                    f"You are not signed in at counter {number}.",
                )
            staff_id = None if status is CounterStatus.CLOSED else state.staff_id
            if status is CounterStatus.OPEN:
                state.console_seen_at = None  # resumed: a stamp from before must not pause it again
            self._move(tx, state, status, event, actor, staff_id=staff_id, reason=reason)
            return self._view(tx.session, office_cfg, state)

    def _move(
        self,
        tx: Transaction,
        state: CounterState,
        status: CounterStatus,
        event: str,
        actor: Principal,
        *,
        staff_id: int | None,
        reason: str | None = None,
    ) -> None:
        """The only writer of a counter's status: who sits there, why it paused, since when; and the event.
        Opening starts a new run of calls (no priority streak carried over)."""
        state.status, state.staff_id, state.pause_reason, state.since = status.value, staff_id, reason, tx.now
        if status is CounterStatus.OPEN and event == "counter.opened":
            state.priority_streak = 0
        data = {
            "counter": {"number": state.number, "status": state.status, "pause_reason": state.pause_reason},
            "by": actor.label,
        }
        tx.outbox.add(type=event, office=state.office, at=tx.now, data=data)

    def _leave_other_seats(self, tx: Transaction, number: int, actor: Principal) -> None:
        """A person sits at one counter at a time: opening another one closes the previous."""
        others = tx.session.scalars(
            select(CounterState).where(
                CounterState.staff_id == actor.id,
                CounterState.number != number,
                CounterState.status != CounterStatus.CLOSED.value,
            )
        )
        for other in others:
            self._move(tx, other, CounterStatus.CLOSED, "counter.closed", actor, staff_id=None)

    def _state(self, tx: Transaction, office: OfficeConfig, number: int) -> CounterState:
        state = tx.session.scalar(
            select(CounterState)
            .where(CounterState.office == office.code, CounterState.number == number)
            .with_for_update()
        )
        if state is None:
            state = CounterState(
                office=office.code, number=number, status=CounterStatus.CLOSED.value, priority_streak=0
            )
            tx.session.add(state)
            tx.session.flush()
        return state

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
