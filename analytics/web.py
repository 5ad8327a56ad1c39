"""The analytics part of the server: /dashboard, its data, reports over the API, /metrics, alerts.

`dashboard_part(services)` is included by the server's composition root (queue_server.app): its routes,
an event-stream listener (alerts, wait histogram) and a periodic alert check the app runs while it serves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse, PlainTextResponse, Response

from analytics.alerts import AlertMonitor
from analytics.live import LiveView
from analytics.metrics import WaitHistogram, render_metrics
from analytics.province import province_rows
from analytics.schemas import AlertView, Overview, ProvinceView
from analytics.settings import AnalyticsSettings, check_targets, load_analytics_settings
from queue_server.api.deps import Managers, Readers, ServicesDep
from queue_server.api.openapi import file_answer
from queue_server.auth.scope import acting_office, offices_in_scope
from queue_server.domain.errors import InvalidInput, NotFound
from queue_server.parts import StaticFolder, WebPart
from queue_server.services import Services

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).resolve().parent / "static"
NO_CACHE = {"Cache-Control": "no-store"}
EVENT_CHECK_GAP_S = 5.0  # after events, check alerts at most this often (each check reads every line)
# The period and file format of the report routes (the office's and the province's).
FirstDay = Annotated[date, Query(alias="from", description="first business day, YYYY-MM-DD")]
LastDay = Annotated[date, Query(alias="to", description="last business day, YYYY-MM-DD")]
FileFormat = Annotated[str, Query(pattern="^(csv|xlsx|pdf)$")]
MAX_REPORT_DAYS = 400
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class AnalyticsRuntime:
    """What the analytics part keeps while the server runs."""

    def __init__(self, services: Services, settings: AnalyticsSettings) -> None:
        self.services = services
        self.settings = settings
        self.live = LiveView(services, settings)
        self.alerts = AlertMonitor(services, settings)
        self.histogram = WaitHistogram()
        self._check_pending = False
        self._last_event_check = 0.0

    def on_event(self, event: dict[str, Any]) -> None:
        """Hub listener (on the event loop): feed the histogram, and soon check alerts."""
        self.histogram.on_event(event)
        if str(event.get("type", "")).startswith("alert.") or self._check_pending:
            return
        self._check_pending = True
        delay = max(0.0, EVENT_CHECK_GAP_S - (time.monotonic() - self._last_event_check))
        asyncio.get_running_loop().call_later(delay, self._start_check)

    def _start_check(self) -> None:
        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, self._checked)

    def _checked(self) -> None:
        self._last_event_check = time.monotonic()
        self._check_pending = False
        try:
            self.alerts.check()
        except Exception:  # the server goes on; the next check tries again
            log.exception("alert check failed")

    async def periodic(self) -> None:
        """Desks paused too long become visible even when nothing else happens."""
        while True:
            await asyncio.sleep(self.settings.alerts.check_every_seconds)
            await asyncio.to_thread(self._checked)


def _target_for(services: Services) -> Callable[[str], int] | None:
    catalogue = getattr(getattr(services, "cases", None), "catalogue", None)
    return catalogue.settings.target_for if catalogue is not None else None


def dashboard_part(services: Services) -> WebPart:
    settings = load_analytics_settings(Path(services.ctx.settings.config_dir))
    check_targets(settings, services.ctx.config, _target_for(services))
    runtime = AnalyticsRuntime(services, settings)
    services.ctx.hub.add_listener(runtime.on_event)
    return WebPart(
        name="analytics",
        routers=[_pages(), _api(runtime)],
        static=[StaticFolder("/dashboard/static", STATIC_DIR, "dashboard-static")],
        background=[runtime.periodic],
        state=runtime,
    )


def _pages() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/dashboard")
    def dashboard_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "dashboard.html", headers=NO_CACHE)

    @router.get("/province")
    def province_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "province.html", headers=NO_CACHE)

    return router


def _api(runtime: AnalyticsRuntime) -> APIRouter:
    router = APIRouter(tags=["analytics"])

    @router.get("/api/v1/analytics/overview", response_model=Overview)
    def overview(
        services: ServicesDep, actor: Managers, office: Annotated[str | None, Query(max_length=16)] = None
    ) -> dict[str, Any]:
        """Live lines and desks, today's KPIs against the plan's targets, waits by hour, staffing advice."""
        code = _office_code(services, acting_office(services.ctx.config, actor, office))
        return runtime.live.overview(office=code, alerts=runtime.alerts.active(code))

    @router.get("/api/v1/analytics/province", response_model=ProvinceView)
    def province(
        services: ServicesDep, actor: Managers, office: Annotated[str | None, Query(max_length=16)] = None
    ) -> dict[str, Any]:
        """Every office of the subtree (the asked office first): waiting, longest wait, mean wait, desks, and
        the open alerts (an office over its wait target for 15 min, a desk paused too long, overdue cases)."""
        config = services.ctx.config
        code = _office_code(services, acting_office(config, actor, office))
        offices = sorted(config.subtree(code), key=lambda c: (c != code, c))
        alerts = sorted(runtime.alerts.current(offices), key=lambda alert: alert["since"])
        rows = province_rows(services, runtime.settings, offices, alerts)
        target_s = runtime.settings.targets(config).wait_s
        return {"office": code, "wait_target_s": target_s, "offices": rows, "alerts": alerts}

    @router.get("/api/v1/analytics/alerts", response_model=list[AlertView])
    def alerts(services: ServicesDep, actor: Managers) -> list[dict[str, Any]]:
        """Alerts open now (a line over its wait target, a desk paused too long, overdue cases), worded with
        this moment's figures as on the dashboard."""
        config = services.ctx.config
        scope = offices_in_scope(config, actor)
        return runtime.alerts.current(code for code in config.offices if code in scope)

    @router.get(
        "/api/v1/reports",
        response_model=None,
        response_class=Response,
        responses=file_answer("the report file", *MEDIA_TYPES.values()),
    )
    def report(
        services: ServicesDep,
        actor: Managers,
        first: FirstDay,
        last: LastDay,
        format: FileFormat = "csv",
        by: Annotated[str, Query(max_length=16)] = "queue",
        office: Annotated[str | None, Query(max_length=16)] = None,
    ) -> Response:
        """The report of `motcua report` as a file: CSV, XLSX or PDF (with charts)."""
        code = acting_office(services.ctx.config, actor, office)
        return _report(services, runtime, first, last, format, by, code)

    @router.get(
        "/api/v1/reports/province",
        response_model=None,
        response_class=Response,
        responses=file_answer("one row per office of the subtree and the totals", *MEDIA_TYPES.values()),
    )
    def province_report(
        services: ServicesDep,
        actor: Managers,
        first: FirstDay,
        last: LastDay,
        format: FileFormat = "csv",
        office: Annotated[str | None, Query(max_length=16)] = None,
    ) -> Response:
        """Every office of the asker's subtree (or of `office` inside it) over a period: waits and the
        national service index's indicators (docs/analytics.md), CSV/XLSX/PDF in Vietnamese number format."""
        from analytics.province_report import build_province_report, render_province, required_papers

        _check_period(first, last)
        config = services.ctx.config
        code = _office_code(services, acting_office(config, actor, office))
        catalogue = getattr(getattr(services, "cases", None), "catalogue", None)
        built = build_province_report(
            services.ctx.db,
            config=config,
            root=code,
            offices=sorted(config.subtree(code), key=lambda c: (c != code, c)),
            first=first,
            last=last,
            targets=runtime.settings.targets(config),
            required_papers=required_papers(catalogue),
            generated_at=services.ctx.clock().astimezone(config.offices[code].zone),
        )
        name = f"bao-cao-don-vi-{code}-{first.isoformat()}-{last.isoformat()}.{format}"
        return Response(
            render_province(built, format),
            media_type=MEDIA_TYPES[format],
            headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_CACHE},
        )

    @router.get("/metrics", include_in_schema=False)
    def metrics(services: ServicesDep, scraper: Readers) -> PlainTextResponse:
        """Queue sizes and device states: for the office's own monitoring (a device key or a sign-in)."""
        return PlainTextResponse(
            render_metrics(services, runtime.histogram, runtime.alerts.checks),
            media_type="text/plain; version=0.0.4; charset=utf-8",
        )

    return router


def _office_code(services: Services, office: str | None) -> str:
    try:
        return services.ctx.config.office(office).code
    except KeyError:
        raise NotFound("unknown_office", f"Không có đơn vị {office}.", f"Unknown office {office}.") from None


def _report(
    services: Services,
    runtime: AnalyticsRuntime,
    first: date,
    last: date,
    fmt: str,
    by: str,
    office: str | None,
) -> Response:
    from analytics.report_files import render
    from analytics.reports import DIMENSIONS, build_report
    from analytics.store import load_visits

    _check_period(first, last)
    if by not in DIMENSIONS:
        known = ", ".join(DIMENSIONS)
        raise InvalidInput(
            "unknown_dimension", f"Không báo cáo theo '{by}' được ({known}).", f"Unknown 'by' ({known})."
        )
    office_cfg = services.ctx.config.office(_office_code(services, office))
    catalogue = getattr(getattr(services, "cases", None), "catalogue", None)
    visits = load_visits(services.ctx.db, office=office_cfg, first=first, last=last, catalogue=catalogue)
    built = build_report(
        visits,
        config=services.ctx.config,
        office=office_cfg,
        first=first,
        last=last,
        by=by,
        generated_at=services.ctx.clock(),
        targets=runtime.settings.targets(services.ctx.config),
        sources=runtime.live.sources,
        pace=services.cases.follow_up.pace,
    )
    name = f"bao-cao-{office_cfg.code}-{first.isoformat()}-{last.isoformat()}-{by}.{fmt}"
    return Response(
        render(built, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"', **NO_CACHE},
    )


def _check_period(first: date, last: date) -> None:
    if last < first:
        raise InvalidInput(
            "bad_period",
            f"Ngày kết thúc ({last:%d/%m/%Y}) trước ngày bắt đầu ({first:%d/%m/%Y}).",
            f"The period ends ({last}) before it starts ({first}).",
        )
    if (last - first).days >= MAX_REPORT_DAYS:
        raise InvalidInput(
            "period_too_long",
            f"Khoảng thời gian quá dài (tối đa {MAX_REPORT_DAYS} ngày).",
            f"The period is too long (at most {MAX_REPORT_DAYS} days).",
        )
