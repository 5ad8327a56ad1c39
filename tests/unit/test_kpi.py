"""KPI arithmetic on hand-built days: lunch, no-shows, transfers, recalls, holds, productivity."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from analytics.kpi import (
    KpiTargets,
    KpiValue,
    Visit,
    figures,
    office_kpis,
    open_seconds_between,
    productivity,
)
from queue_server.domain.calendar import Interval, OpeningHours

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2026, 3, 10)  # a Tuesday
WORKDAY = [Interval(time(7, 30), time(17, 0))]
HOURS = OpeningHours(
    weekly={d: WORKDAY for d in range(5)},
    lunch=Interval(time(11, 30), time(13, 30)),
    holiday=lambda day: "Giỗ Tổ Hùng Vương" if day == date(2026, 4, 26) else None,
)
TARGETS = KpiTargets()


def at(hour: int, minute: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def visit(ticket_id: int, **fields: object) -> Visit:
    values: dict[str, object] = {
        "id": ticket_id,
        "office": "X",
        "queue": "A",
        "issued_queue": "A",
        "business_day": DAY,
        "status": "done",
        "issued_at": at(8, 0),
    }
    values.update(fields)
    return Visit(**values)  # type: ignore[arg-type]


def test_office_time_skips_lunch_nights_and_holidays() -> None:
    assert open_seconds_between(at(11, 20), at(13, 40), HOURS, ZONE) == 20 * 60  # 10 before + 10 after lunch
    assert open_seconds_between(at(16, 50), at(7, 40, DAY + timedelta(days=1)), HOURS, ZONE) == 20 * 60
    friday, monday = date(2026, 3, 13), date(2026, 3, 16)
    assert open_seconds_between(at(16, 0, friday), at(8, 0, monday), HOURS, ZONE) == 90 * 60  # weekend closed
    holiday = date(2026, 4, 26)
    assert open_seconds_between(at(8, 0, holiday), at(9, 0, holiday), HOURS, ZONE) == 0
    assert open_seconds_between(at(9, 0), at(8, 0), HOURS, ZONE) == 0


def test_a_ticket_that_crosses_lunch() -> None:
    crossing = visit(
        1,
        issued_at=at(11, 25),
        called_at=at(13, 35),
        started_at=at(13, 36),
        ended_at=at(13, 50),
        estimated_wait_s=600,
    )
    result = figures([crossing], HOURS, ZONE)
    assert result.waits_s == [10 * 60]  # office time only
    assert result.wall_waits_s == [130 * 60]  # as the citizen's watch saw it
    assert result.estimate_errors_s == [600 - 130 * 60]  # the estimate is judged against the watch
    assert result.handling_s == [14 * 60]


def test_a_no_show_has_a_wait_but_no_handling() -> None:
    absent = visit(2, status="no_show", called_at=at(8, 12), ended_at=at(8, 14))
    result = figures([absent], HOURS, ZONE)
    assert (result.issued, result.served, result.no_show) == (1, 0, 1)
    assert result.waits_s == [12 * 60]
    assert result.handling_s == []


def test_a_transfer_counts_one_visit_with_both_desks_handling() -> None:
    # Served at desk 1 from 8:10 to 8:18, sent to queue B, served again 8:40-8:52: 20 minutes handling.
    moved = visit(
        3,
        queue="B",
        called_at=at(8, 9),
        started_at=at(8, 40),
        ended_at=at(8, 52),
        transfers=1,
        serving_spans=((at(8, 10), at(8, 18)), (at(8, 40), at(8, 52))),
    )
    result = figures([moved], HOURS, ZONE)
    assert result.transferred == 1 and result.issued == 1 and result.served == 1
    assert result.waits_s == [9 * 60]  # to the first call: the transfer does not restart it
    assert result.handling_s == [20 * 60]


def test_a_recall_does_not_restart_the_wait() -> None:
    recalled = visit(
        4, called_at=at(8, 5), started_at=at(8, 8), ended_at=at(8, 20), recall_count=2, recalls_total=2
    )
    result = figures([recalled], HOURS, ZONE)
    assert result.recalls == 2
    assert result.waits_s == [5 * 60]
    assert result.handling_s == [12 * 60]


def test_open_and_closed_tickets_are_counted_apart() -> None:
    day = [
        visit(5, status="waiting"),
        visit(6, status="serving", called_at=at(8, 1), started_at=at(8, 2)),
        visit(7, status="cancelled"),
        visit(8, status="expired"),
    ]
    result = figures(day, HOURS, ZONE)
    assert (result.issued, result.open, result.cancelled, result.expired, result.served) == (4, 2, 1, 1, 0)
    assert result.handling_s == []  # a visit under way has no handling time yet


def test_row_shares_and_means() -> None:
    day = [
        visit(i, called_at=at(8, 0) + timedelta(minutes=m)) for i, m in enumerate((5, 10, 20, 40), start=1)
    ]
    row = figures(day, HOURS, ZONE).as_row(TARGETS)
    assert row["mean_wait_s"] == pytest.approx((5 + 10 + 20 + 40) * 60 / 4)
    assert row["p90_wait_s"] == 40 * 60
    assert row["share_wait_within_target"] == 0.5  # 5 and 10 minutes are within 15


def test_productivity_per_officer_a_year() -> None:
    day_two = DAY + timedelta(days=1)
    visits = [
        *(visit(i, staff="canbo1", ended_at=at(9, i)) for i in range(1, 9)),  # 8 on day one
        *(visit(20 + i, staff="canbo1", ended_at=at(9, i, day_two)) for i in range(4)),  # 4 on day two
        *(visit(40 + i, staff="canbo2", ended_at=at(10, i)) for i in range(5)),
        visit(60, staff="canbo2", status="no_show", ended_at=at(10, 30)),  # not a case handled
    ]
    result = productivity(visits, ZONE, TARGETS)
    assert result["canbo1"] == {"served": 12, "days": 2, "per_year": 12 / 2 * 250, "target_per_year": 1600}
    assert result["canbo2"]["per_year"] == 5 * 250
    rural = productivity(visits, ZONE, KpiTargets(productivity_class="rural"))
    assert rural["canbo2"]["target_per_year"] == 1200


def test_office_kpis_and_missing_data() -> None:
    day = [
        visit(
            1, called_at=at(8, 10), started_at=at(8, 11), ended_at=at(8, 31), staff="a", estimated_wait_s=300
        ),
        visit(
            2, called_at=at(8, 30), started_at=at(8, 31), ended_at=at(9, 11), staff="a", estimated_wait_s=1500
        ),
    ]
    kpis = {
        k.code: k
        for k in office_kpis(
            day, hours=HOURS, zone=ZONE, targets=TARGETS, office="X", first=DAY, last=DAY, sources={}
        )
    }
    assert kpis["wait"].value == pytest.approx(20 * 60) and kpis["wait"].status == "off_target"
    assert kpis["handling"].value == pytest.approx(30 * 60) and kpis["handling"].status == "ok"
    assert (
        kpis["satisfaction"].status == "no_data"
        and "chưa có dữ liệu" in kpis["satisfaction"].as_dict()["note_vi"]
    )
    assert kpis["reuse"].value is None
    assert (
        kpis["productivity"].value == pytest.approx(2 * 250) and kpis["productivity"].status == "off_target"
    )
    assert kpis["estimate_error"].value == pytest.approx(((600 - 300) + (1800 - 1500)) / 2)


def test_another_part_can_supply_a_kpi() -> None:
    def ratings(office: str, first: date, last: date) -> KpiValue:
        return KpiValue("satisfaction", "Hài lòng", "Satisfied", 0.97, 0.95, "share", "higher", 120)

    kpis = office_kpis(
        [],
        hours=HOURS,
        zone=ZONE,
        targets=TARGETS,
        office="X",
        first=DAY,
        last=DAY,
        sources={"satisfaction": ratings},
    )
    satisfaction = next(k for k in kpis if k.code == "satisfaction")
    assert satisfaction.value == 0.97 and satisfaction.status == "ok"
    assert next(k for k in kpis if k.code == "wait").status == "no_data"
