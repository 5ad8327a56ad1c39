"""Where a signed-in person sits: the one question about counters that who-may-act-where asks (tickets,
cases, citizens). It lives with access, below the feature packages, so none of them imports another for it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal
from queue_server.tables.counters import CounterState, CounterStatus


def seat_of(session: Session, office: str, actor: Principal) -> int | None:
    """The counter a signed-in person sits at now (open or paused), if any."""
    if actor.kind != "user":
        return None
    return session.scalar(
        select(CounterState.number).where(
            CounterState.office == office,
            CounterState.staff_id == actor.id,
            CounterState.status != CounterStatus.CLOSED.value,
        )
    )
