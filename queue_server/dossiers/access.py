"""Who may act on a case and who sees a case's full ID numbers: one place, so every route asks the same."""

from __future__ import annotations

from sqlalchemy.orm import Session

from queue_server.auth.principal import Principal, Role
from queue_server.auth.scope import offices_in_scope
from queue_server.auth.seats import seat_of
from queue_server.config import SystemConfig
from queue_server.domain.errors import Forbidden


def manages_office(config: SystemConfig, actor: Principal, office: str) -> bool:
    """A supervisor or admin of the office or of an office above it (no office: the config's first office)."""
    return actor.is_manager and office in offices_in_scope(config, actor)


def case_seat(session: Session, config: SystemConfig, actor: Principal, office: str) -> int | None:
    """The counter the actor sits at in the case's office; None for a manager of it without a seat.
    Anyone else is refused: staff act on a case only from a seat in its office."""
    seat = seat_of(session, office, actor)
    if seat is not None or manages_office(config, actor, office):
        return seat
    raise Forbidden(
        "not_seated_in_office",
        "Cần ngồi tại một quầy của đơn vị tiếp nhận hồ sơ này (hoặc là người giám sát đơn vị) mới được xử lý.",
        "Acting on this case needs a seat at a counter of its office (or a supervisor of that office).",
    )


def sees_full_ids(session: Session, config: SystemConfig, actor: Principal, office: str) -> bool:
    """Full ID numbers and paper codes are for whoever handles the case: seated in its office, or managing it."""
    if actor.role not in (Role.STAFF, Role.SUPERVISOR, Role.ADMIN):
        return False
    return seat_of(session, office, actor) is not None or manages_office(config, actor, office)
