"""Health and the queues of the office."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import text

from queue_server.api.deps import OptionalPrincipal, ServicesDep
from queue_server.auth.scope import forward_targets
from queue_server.domain.calendar import age_on, business_day
from queue_server.queues.schemas import Health, OfficeView, PriorityGroupView, QueueView

router = APIRouter(prefix="/api/v1", tags=["queues"])


@router.get("/health", response_model=Health, response_model_exclude_none=True)
def health(services: ServicesDep, asker: OptionalPrincipal) -> dict[str, Any]:
    """Anyone (a load balancer) learns that the server and its database answer; signed-in people and
    devices also see the office, the demo flag and how many screens listen."""
    with services.ctx.db.read() as session:
        session.execute(text("SELECT 1"))
    if asker is None:
        return {"status": "ok"}
    office = services.ctx.config.default_office
    return {
        "status": "ok",
        "database": services.ctx.db.url.get_backend_name(),
        "office": office.code,
        "office_name_vi": office.name_vi,
        "time": services.ctx.clock().isoformat(),
        "demo": services.ctx.settings.demo,
        "event_clients": services.ctx.hub.client_count,
    }


@router.get("/queues", response_model=list[QueueView])
def list_queues(
    services: ServicesDep, office: Annotated[str | None, Query(max_length=16)] = None
) -> list[dict[str, Any]]:
    return services.queues.list(office=office)


@router.get("/offices", response_model=list[OfficeView])
def list_offices(
    services: ServicesDep,
    forward_from: Annotated[
        str | None, Query(max_length=16, description="only the offices a case of this office may go to")
    ] = None,
) -> list[dict[str, Any]]:
    config = services.ctx.config
    allowed = forward_targets(config, forward_from.strip().upper()) if forward_from else None
    return [
        {
            "code": o.code,
            "name_vi": o.name_vi,
            "name_en": o.name_en,
            "parent": o.parent or None,
            "time_zone": o.zone.key,
            "notice_vi": o.notice_vi,
            "notice_en": o.notice_en,
        }
        for o in config.offices.values()
        if allowed is None or o.code in allowed
    ]


@router.get("/priority-groups", response_model=list[PriorityGroupView])
def priority_groups(
    services: ServicesDep,
    birth_date: Annotated[
        date | None, Query(description="the citizen's birth date: age groups that fit it are marked")
    ] = None,
) -> list[dict[str, Any]]:
    """The priority groups of the office. With a birth date the server decides the age groups
    (min_age/max_age): `eligible` for each, and `suggested` on the first that fits, to offer it."""
    config = services.ctx.config
    today = business_day(services.ctx.clock(), config.default_office.zone)
    age = age_on(birth_date, today) if birth_date is not None and birth_date <= today else None
    fitting = [g.code for g in config.groups_for_age(age)]
    return [
        {
            "code": g.code,
            "name_vi": g.name_vi,
            "name_en": g.name_en,
            "min_age": g.min_age,
            "max_age": g.max_age,
            "by_age": g.by_age,
            "eligible": g.code in fitting,
            "suggested": bool(fitting) and g.code == fitting[0],
        }
        for g in config.priority_groups.values()
    ]
