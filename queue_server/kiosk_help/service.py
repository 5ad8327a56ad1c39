"""Kiosks' calls for help: a press at the kiosk (one open call per kiosk, no flood), the open calls of the
offices one sees, "Đã đến hỗ trợ" that closes a call, and the kiosk closing its own call when the citizen
left before anyone came. Each write is one transaction; its event (`kiosk.help_requested`,
`kiosk.help_answered`, `kiosk.help_withdrawn`) is published after the commit."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import select

from queue_server.auth.principal import Principal
from queue_server.context import ServerContext
from queue_server.db.unit_of_work import Transaction, UnitOfWork
from queue_server.domain.errors import NotFound
from queue_server.domain.help_calls import Press, Withdrawal, press_outcome
from queue_server.tables.auth import User
from queue_server.tables.kiosk_help import HelpCall

REQUESTED = "kiosk.help_requested"
ANSWERED = "kiosk.help_answered"
WITHDRAWN = "kiosk.help_withdrawn"
OPEN_LIMIT = 200  # a screen of open calls; more than this is a broken kiosk, not a hall


def view(call: HelpCall, outcome: str | None = None) -> dict[str, Any]:
    return {
        "id": call.id,
        "office": call.office,
        "kiosk": call.kiosk,
        "requested_at": call.requested_at,
        "alerted_at": call.alerted_at,
        "presses": call.presses,
        "answered_at": call.answered_at,
        "staff": call.answered_by,
        "staff_name": call.answered_by_name,
        "withdrawn_at": call.withdrawn_at,
        "withdrawn_reason": call.withdrawn_reason,
        "withdrawn_words": Withdrawal(call.withdrawn_reason).words if call.withdrawn_reason else None,
        "outcome": outcome,
    }


def _event_data(call: HelpCall) -> dict[str, Any]:
    data = view(call)
    data.pop("outcome")
    for key in ("requested_at", "alerted_at", "answered_at", "withdrawn_at"):
        data[key] = data[key].isoformat() if data[key] is not None else None
    return {"help": data}


class HelpCallService:
    def __init__(self, ctx: ServerContext) -> None:
        self.ctx = ctx

    def call(self, *, device: Principal, office: str) -> dict[str, Any]:
        """A press of "Gọi cán bộ hỗ trợ" at this kiosk (two kiosks pressing at once each get their own)."""

        def work(tx: Transaction) -> dict[str, Any]:
            # Locked: presses racing on PostgreSQL each add theirs (SQLite writes one at a time anyway).
            open_call = select(HelpCall).where(HelpCall.open_for == device.id).with_for_update()
            call = tx.session.scalar(open_call)
            outcome = press_outcome(call.alerted_at if call is not None else None, tx.now)
            if call is None:
                call = HelpCall(
                    office=office,
                    device_id=device.id,
                    kiosk=device.name,
                    open_for=device.id,
                    requested_at=tx.now,
                    alerted_at=tx.now,
                    presses=1,
                )
                tx.session.add(call)
            else:
                call.presses += 1
                if outcome is Press.REMIND:
                    call.alerted_at = tx.now
            tx.session.flush()
            if outcome is not Press.ABSORBED:
                tx.outbox.add(type=REQUESTED, office=call.office, at=tx.now, data=_event_data(call))
            return view(call, outcome.value)

        # Two presses racing on PostgreSQL: the loser's insert breaks open_for's uniqueness, and its second
        # run finds the winner's call.
        return UnitOfWork.retrying(self.ctx, work)

    def answer(self, *, call_id: int, actor: Principal, offices: Collection[str] | None) -> dict[str, Any]:
        """ "Đã đến hỗ trợ": the call is closed. Answering a closed call again changes nothing."""
        with UnitOfWork(self.ctx) as tx:
            call = tx.session.get(HelpCall, call_id, with_for_update=True)
            if call is None or (offices is not None and call.office not in offices):
                raise NotFound(
                    "help_call_not_found", "Không có yêu cầu hỗ trợ này.", "No such call for help."
                )
            if call.open_for is None:  # answered already, or its citizen left
                return view(call)
            full_name = tx.session.scalar(select(User.full_name).where(User.id == actor.id))
            call.answered_at, call.open_for = tx.now, None
            call.answered_by, call.answered_by_name = actor.name, full_name or actor.name
            tx.session.flush()
            tx.outbox.add(type=ANSWERED, office=call.office, at=tx.now, data=_event_data(call))
            return view(call)

    def withdraw(self, *, call_id: int, device: Principal, reason: Withdrawal) -> dict[str, Any]:
        """The kiosk's citizen left before anyone came: the call closes (it leaves every console and
        dashboard) and says why. Only the kiosk's own call; a call already closed stays as it was."""
        with UnitOfWork(self.ctx) as tx:
            call = tx.session.get(HelpCall, call_id, with_for_update=True)
            if call is None or call.device_id != device.id:
                raise NotFound(
                    "help_call_not_found", "Không có yêu cầu hỗ trợ này.", "No such call for help."
                )
            if call.open_for is None:
                return view(call)
            call.open_for, call.withdrawn_at, call.withdrawn_reason = None, tx.now, reason.value
            tx.session.flush()
            tx.outbox.add(type=WITHDRAWN, office=call.office, at=tx.now, data=_event_data(call))
            return view(call)

    def open_calls(self, *, offices: Collection[str] | None) -> list[dict[str, Any]]:
        """The calls nobody has answered yet, oldest first."""
        query = select(HelpCall).where(HelpCall.open_for.is_not(None))
        if offices is not None:
            query = query.where(HelpCall.office.in_(sorted(offices)))
        with self.ctx.db.read() as session:
            calls = session.scalars(query.order_by(HelpCall.requested_at, HelpCall.id).limit(OPEN_LIMIT))
            now = self.ctx.clock()
            return [{**view(call), "waited_s": (now - call.requested_at).total_seconds()} for call in calls]

    def of_kiosk(self, *, device: Principal) -> dict[str, Any] | None:
        """The kiosk's latest call (open or answered), so it can tell the citizen someone is coming."""
        with self.ctx.db.read() as session:
            call = session.scalar(
                select(HelpCall).where(HelpCall.device_id == device.id).order_by(HelpCall.id.desc()).limit(1)
            )
            return view(call) if call is not None else None
