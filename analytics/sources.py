"""KPIs other parts of the server measure: satisfaction from ratings, reuse of papers from dossiers.

Each source answers a period (office, first day, last day) by adding up the owning service's day counts,
so the definitions stay where they are made (ratings: score >= 4 is satisfied; dossiers: a case that
needed no re-supplied paper). When that part of the server is not installed there is no source, and the
KPI says "chưa có dữ liệu".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from analytics.kpi import KpiSource, KpiTargets, KpiValue


def case_sources(services: Any, targets: KpiTargets) -> dict[str, KpiSource]:
    cases = getattr(services, "cases", None)
    sources: dict[str, KpiSource] = {}
    ratings = getattr(cases, "ratings", None)
    reports = getattr(cases, "reports", None)
    if ratings is not None:

        def satisfaction(office: str, first: date, last: date) -> KpiValue:
            counted = satisfied = 0
            for day in _days(first, last):
                stats = ratings.stats(day=day, office=office)
                counted += stats["ratings"]
                satisfied += stats["satisfied"]
            return KpiValue(
                "satisfaction",
                "Tỷ lệ người dân hài lòng",
                "Satisfied citizens",
                satisfied / counted if counted else None,
                targets.satisfaction,
                "share",
                "higher",
                counted,
                note_vi="" if counted else "chưa có lượt đánh giá nào",
            )

        sources["satisfaction"] = satisfaction
    if reports is not None:

        def reuse(office: str, first: date, last: date) -> KpiValue:
            cases_counted = without = 0
            for day in _days(first, last):
                stats = reports.stats(day=day, office=office)
                cases_counted += stats["dossiers"]
                without += stats["without_resupply"]
            return KpiValue(
                "reuse",
                "Tỷ lệ không phải nộp lại giấy tờ đã có",
                "Cases needing no re-supplied paper",
                without / cases_counted if cases_counted else None,
                targets.reuse,
                "share",
                "higher",
                cases_counted,
                note_vi="" if cases_counted else "chưa có hồ sơ nào",
            )

        sources["reuse"] = reuse
    return sources


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
