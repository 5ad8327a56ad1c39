"""KPIs other parts of the server measure: satisfaction from ratings, reuse of papers from dossiers.

Each source answers a period (office, first day, last day) by adding up the owning service's day counts,
so the definitions stay where they are made (ratings: score >= 4 is satisfied; dossiers: of the papers the
state held, the share not supplied again — queue_server/domain/reuse.py). When that part of the server is not installed there is no source, and the
KPI says "chưa có dữ liệu".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from analytics.kpi import KpiSource, KpiTargets, KpiValue


def case_sources(services: Any, targets: KpiTargets) -> dict[str, KpiSource]:
    cases = getattr(services, "cases", None)
    sources: dict[str, KpiSource] = {}
    ratings = getattr(cases, "ratings", None)
    reports = getattr(cases, "reports", None)
    if ratings is not None:
        sources["satisfaction"] = _share_of_days(
            ratings.stats,
            part="satisfied",
            whole="ratings",
            kpi=("satisfaction", "Tỷ lệ người dân hài lòng", "Satisfied citizens"),
            target=targets.satisfaction,
            empty_vi="chưa có lượt đánh giá nào",
        )
    if reports is not None:
        sources["reuse"] = _share_of_days(
            reports.stats,
            part="held_not_resupplied",
            whole="papers_held",
            kpi=("reuse", "Tỷ lệ không phải nộp lại giấy tờ đã có", "Papers on file not supplied again"),
            target=targets.reuse,
            empty_vi="chưa có hồ sơ nào cần giấy tờ đã có trong hệ thống",
        )
    follow_up = getattr(cases, "follow_up", None)
    if follow_up is not None:
        sources["productivity"] = _case_pace(follow_up.pace)
    return sources


def pace_rows(
    pace: Callable[[str, date, date], Sequence[Any]], office: str, first: date, last: date
) -> list[dict[str, Any]]:
    """Each officer's cases against the prorated class target, as the dashboard and reports show them."""
    return [p.as_row() for p in pace(office, first, last)]


def _case_pace(pace: Callable[[str, date, date], Sequence[Any]]) -> KpiSource:
    """Productivity from cases received (not tickets), per officer, against the class target: a yearly figure
    only from 20 working days on; before that the prorated target and "not enough days yet"."""

    def source(office: str, first: date, last: date) -> KpiValue:
        rows = pace(office, first, last)
        target = rows[0].target_per_year if rows else 0
        scaled = [r.per_year for r in rows if r.per_year is not None]
        value = sum(scaled) / len(scaled) if scaled else None
        received = sum(r.received for r in rows)
        if not rows:
            note = "chưa có hồ sơ nào được tiếp nhận trong khoảng này"
        elif value is None:
            days = rows[0].working_days
            note = (
                f"{received} hồ sơ / {len(rows)} cán bộ trong {days} ngày làm việc "
                f"(chỉ tiêu cho khoảng này {rows[0].period_target:.1f} hồ sơ/cán bộ); chưa đủ 20 ngày để quy ra năm"
            )
        else:
            note = f"tính theo hồ sơ tiếp nhận, {rows[0].working_days} ngày làm việc"
        return KpiValue(
            "productivity",
            "Năng suất mỗi cán bộ (hồ sơ/năm, quy đổi)",
            "Cases received per officer a year",
            value,
            target,
            "per_year",
            "higher",
            received,
            note_vi=note,
        )

    return source


def _share_of_days(
    day_stats: Callable[..., dict[str, Any]],
    *,
    part: str,
    whole: str,
    kpi: tuple[str, str, str],
    target: float,
    empty_vi: str,
) -> KpiSource:
    """A KPI that is a share (part / whole) of counts the owning service gives day by day."""
    code, name_vi, name_en = kpi

    def source(office: str, first: date, last: date) -> KpiValue:
        counted = matching = 0
        for day in _days(first, last):
            stats = day_stats(day=day, office=office)
            counted += stats[whole]
            matching += stats[part]
        share = matching / counted if counted else None
        note_vi = "" if counted else empty_vi
        return KpiValue(code, name_vi, name_en, share, target, "share", "higher", counted, note_vi=note_vi)

    return source


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
