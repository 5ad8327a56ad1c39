"""Health and the queues of the office."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import text

from queue_server.api.deps import OptionalPrincipal, ServicesDep
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
def list_offices(services: ServicesDep) -> list[dict[str, Any]]:
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
        for o in services.ctx.config.offices.values()
    ]


@router.get("/priority-groups", response_model=list[PriorityGroupView])
def priority_groups(services: ServicesDep) -> list[dict[str, Any]]:
    return [
        {"code": g.code, "name_vi": g.name_vi, "name_en": g.name_en, "min_age": g.min_age}
        for g in services.ctx.config.priority_groups.values()
    ]
