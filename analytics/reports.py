"""Reports over a period: one row per value of a dimension (queue, counter, officer…), the plan's KPIs,
and charts. The files (CSV, XLSX, PDF) are written by report_files.py and report_pdf.py.

A dimension is one entry in DIMENSIONS: a Vietnamese heading and a function from a visit to its key.
Field (lĩnh vực) and procedure (TTHC) are added the same way once tickets are linked to dossiers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from analytics.kpi import KpiSource, KpiTargets, KpiValue, Visit, figures, office_kpis, productivity
from queue_server.config import OfficeConfig, SystemConfig


class ReportError(ValueError):
    pass


@dataclass(frozen=True)
class Dimension:
    code: str
    heading_vi: str
    heading_en: str
    key: Callable[[Visit, OfficeConfig], str]


def _hour(visit: Visit, office: OfficeConfig) -> str:
    return f"{visit.issued_at.astimezone(office.zone).hour:02d}h"


DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in (
        Dimension("office", "Đơn vị", "Office", lambda v, o: v.office),
        Dimension(
            "queue",
            "Hàng đợi",
            "Queue",
            lambda v, o: f"{v.queue} — {o.queues[v.queue].name_vi}" if v.queue in o.queues else v.queue,
        ),
        Dimension(
            "counter", "Quầy", "Counter", lambda v, o: f"Quầy {v.counter}" if v.counter else "(chưa gọi)"
        ),
        Dimension("officer", "Cán bộ", "Officer", lambda v, o: v.staff or "(chưa phục vụ)"),
        Dimension("day", "Ngày", "Day", lambda v, o: v.business_day.isoformat()),
        Dimension("hour", "Giờ lấy số", "Hour of issue", _hour),
        Dimension("field", "Lĩnh vực", "Field", lambda v, o: v.field or NO_CASE_VI),
        Dimension("procedure", "Thủ tục hành chính", "Procedure", lambda v, o: v.procedure or NO_CASE_VI),
    )
}
NO_CASE_VI = "(chỉ lấy số, không nộp hồ sơ)"
# Not measurable yet, listed so reports can say so.
MISSING_DIMENSIONS_VI: dict[str, str] = {}

# (key, Vietnamese heading, English heading, kind) of each column of a row.
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("issued", "Số đã cấp", "Issued", "int"),
    ("served", "Đã phục vụ", "Served", "int"),
    ("no_show", "Vắng mặt", "No-show", "int"),
    ("cancelled", "Đã hủy", "Cancelled", "int"),
    ("expired", "Hết hạn", "Expired", "int"),
    ("transferred", "Chuyển hàng", "Transferred", "int"),
    ("recalls", "Gọi lại", "Recalls", "int"),
    ("mean_wait_s", "Chờ TB (phút)", "Mean wait (min)", "minutes"),
    ("p90_wait_s", "Chờ p90 (phút)", "p90 wait (min)", "minutes"),
    ("share_wait_within_target", "Chờ ≤ mục tiêu", "Wait within target", "share"),
    ("mean_handling_s", "Xử lý TB (phút)", "Mean handling (min)", "minutes"),
    ("share_handling_within_target", "Xử lý ≤ mục tiêu", "Handling within target", "share"),
    ("estimate_mae_s", "Sai số dự báo (phút)", "Estimate error (min)", "minutes"),
    ("per_year", "Năng suất/năm", "Per year", "number"),
)


@dataclass
class Report:
    office: OfficeConfig
    first: date
    last: date
    by: Dimension
    generated_at: datetime
    targets: KpiTargets
    rows: list[tuple[str, dict[str, Any]]]
    total: dict[str, Any]
    kpis: list[KpiValue]
    waits_by_hour: list[tuple[str, float | None]]
    waits_by_queue: list[tuple[str, float | None]]
    notes_vi: list[str] = field(default_factory=list)

    @property
    def title_vi(self) -> str:
        return f"Báo cáo thời gian chờ và xử lý — {self.office.name_vi}"

    @property
    def period_vi(self) -> str:
        return f"Từ {self.first:%d/%m/%Y} đến {self.last:%d/%m/%Y}"


def targets_from(config: SystemConfig, extra: dict[str, Any] | None = None) -> KpiTargets:
    return KpiTargets(
        wait_s=config.targets.wait.total_seconds(),
        handling_s=config.targets.handling.total_seconds(),
        **(extra or {}),
    )


def build_report(
    visits: Sequence[Visit],
    *,
    config: SystemConfig,
    office: OfficeConfig,
    first: date,
    last: date,
    by: str,
    generated_at: datetime,
    targets: KpiTargets | None = None,
    sources: Mapping[str, KpiSource] | None = None,
    pace: Callable[[str, date, date], Sequence[Any]] | None = None,
) -> Report:
    """`pace`: the server's cases received per officer (FollowUpService.pace); without it (a queue-only
    install) the officers' yearly figure counts finished tickets."""
    if by not in DIMENSIONS:
        raise ReportError(f"unknown dimension {by!r}; known: {', '.join(DIMENSIONS)}")
    if last < first:
        raise ReportError(f"the period ends ({last}) before it starts ({first})")
    targets = targets or targets_from(config)
    dimension = DIMENSIONS[by]
    groups: dict[str, list[Visit]] = {}
    for visit in visits:
        groups.setdefault(dimension.key(visit, office), []).append(visit)
    per_officer = productivity(visits, office.zone, targets) if by == "officer" and pace is None else {}
    paces = {p.officer: p for p in pace(office.code, first, last)} if pace is not None else {}
    if by == "officer":
        per_officer = per_officer or {name: {"per_year": p.per_year} for name, p in paces.items()}
        for name in paces:
            groups.setdefault(name, [])  # received cases without calling a ticket: still an officer's row
    rows = []
    for key in sorted(groups):
        row = figures(groups[key], office.hours, office.zone).as_row(targets)
        row["per_year"] = per_officer.get(key, {}).get("per_year")
        rows.append((key, row))
    total = figures(visits, office.hours, office.zone).as_row(targets)
    total["per_year"] = None
    kpis = office_kpis(
        visits,
        hours=office.hours,
        zone=office.zone,
        targets=targets,
        office=office.code,
        first=first,
        last=last,
        sources=sources,
    )
    notes = [f"Chưa báo cáo được theo: {text}." for text in MISSING_DIMENSIONS_VI.values()]
    if by in ("field", "procedure"):
        notes.append(f"Theo hồ sơ nộp cùng số thứ tự; số không kèm hồ sơ được xếp vào '{NO_CASE_VI}'.")
    notes.extend(_pace_notes(paces.values()))
    if not visits:
        notes.insert(0, "Không có số thứ tự nào trong khoảng thời gian này.")
    return Report(
        office=office,
        first=first,
        last=last,
        by=dimension,
        generated_at=generated_at,
        targets=targets,
        rows=rows,
        total=total,
        kpis=kpis,
        waits_by_hour=_mean_wait_by(visits, office, DIMENSIONS["hour"]),
        waits_by_queue=[
            (code, row["mean_wait_s"])
            for code, row in (
                (q, figures([v for v in visits if v.queue == q], office.hours, office.zone).as_row(targets))
                for q in office.queues
            )
        ],
        notes_vi=notes,
    )


def _mean_wait_by(
    visits: Sequence[Visit], office: OfficeConfig, dimension: Dimension
) -> list[tuple[str, float | None]]:
    groups: dict[str, list[Visit]] = {}
    for visit in visits:
        groups.setdefault(dimension.key(visit, office), []).append(visit)
    return [
        (key, figures(items, office.hours, office.zone).as_row(KpiTargets())["mean_wait_s"])
        for key, items in sorted(groups.items())
    ]


def cell(value: Any, kind: str) -> Any:
    """A value as people read it: minutes with one decimal, shares as percentages."""
    if value is None:
        return None
    if kind == "minutes":
        return round(value / 60, 1)
    if kind == "share":
        return round(100 * value, 1)
    if kind == "number":
        return round(value)
    return value


def _pace_notes(paces: Iterable[Any]) -> list[str]:
    """Each officer's cases received against the class target prorated to the period, in words."""
    notes = []
    verdicts = {"meets": "Đạt", "below": "Chưa đạt", "too_short": "chưa đủ 20 ngày làm việc để đánh giá"}
    for p in paces:
        notes.append(
            f"Năng suất {p.officer}: {p.received} hồ sơ tiếp nhận trong {p.working_days} ngày làm việc; "
            f"chỉ tiêu cho khoảng này {p.period_target:.1f} ({p.target_per_year:,} hồ sơ/năm): "
            f"{verdicts[p.verdict]}."
        )
    return notes


def table(report: Report) -> tuple[list[str], list[list[Any]]]:
    headings = [report.by.heading_vi] + [f"{vi} (%)" if kind == "share" else vi for _, vi, _, kind in COLUMNS]
    body = [[key] + [cell(row[c], kind) for c, _, _, kind in COLUMNS] for key, row in report.rows]
    body.append(["Tổng cộng"] + [cell(report.total[c], kind) for c, _, _, kind in COLUMNS])
    return headings, body


def kpi_lines(report: Report) -> list[list[Any]]:
    lines = []
    for kpi in report.kpis:
        kind = {"s": "minutes", "share": "share", "per_year": "number"}[kpi.unit]
        value = cell(kpi.value, kind)
        target = cell(kpi.target, kind)
        unit = {"minutes": "phút", "share": "%", "number": "hồ sơ/năm"}[kind]
        verdict = {"ok": "Đạt", "off_target": "Chưa đạt", "no_data": "Chưa có dữ liệu"}[kpi.status]
        sign = "≤" if kpi.better == "lower" else "≥"
        lines.append(
            [kpi.name_vi, "—" if value is None else value, f"{sign} {target} {unit}", verdict, kpi.note_vi]
        )
    return lines
