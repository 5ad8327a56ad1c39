from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query

from queue_server.api.deps import People, ServicesDep
from queue_server.stats.schemas import DayStats

router = APIRouter(prefix="/api/v1", tags=["stats"])


@router.get("/stats", response_model=DayStats)
def day_stats(
    services: ServicesDep,
    actor: People,
    day: Annotated[
        date | None, Query(description="YYYY-MM-DD, the office's business day; today by default")
    ] = None,
    office: Annotated[str | None, Query(max_length=16)] = None,
) -> dict[str, Any]:
    """Issued, served, no-shows, waits (mean/p50/p90/max), service times and the share within the target."""
    return services.stats.day(day=day, office=office)
