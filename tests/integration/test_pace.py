"""Issue 13: each officer's pace is cases received (not tickets), against the class target prorated to the
working days — on the dashboard (the year to date) and in `motcua report` (the report's period)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analytics.reports import build_report
from analytics.store import load_visits
from queue_server.clock import ManualClock
from queue_server.domain.follow_up import working_days_in
from tests.conftest import T0
from tests.fixtures.dossiers.helpers import register, seated, submit, upload
from tests.support import KIOSK, client_for, make_server


def test_pace_counts_cases_received_and_never_scales_a_day_to_a_year(sqlite_url: str) -> None:
    server = make_server(sqlite_url, ManualClock(T0))  # 10 March 2026; the demo office opens every day
    with client_for(server) as client:
        staff = seated(server, client, "canbo1", 1)
        codes = []
        for n in range(3):
            register(client)
            paper = upload(client, "GTCMCHO").json()["id"]
            codes.append(submit(client, f"kiosk-pace-{n:06d}", [paper]).json()["dossier"]["code"])
        for code in codes[:2]:  # two received; the third only called (a ticket is not a case)
            assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 200
        client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        supervisor = server.login(client, "giamsat")
        overview = client.get("/api/v1/analytics/overview", headers=supervisor).json()

    (pace,) = overview["pace"]
    hours = server.ctx.config.default_office.hours
    days = working_days_in(date(2026, 1, 1), date(2026, 3, 10), hours)
    year = working_days_in(date(2026, 1, 1), date(2026, 12, 31), hours)
    assert 40 <= days <= 48 and 240 <= year <= 255  # weekdays less Tết and New Year's day
    assert (pace["officer"], pace["received"], pace["working_days"]) == ("canbo1", 2, days)
    target = server.services.cases.catalogue.settings.productivity_target  # the office class's (commune 800)
    assert pace["target_per_year"] == target
    assert pace["period_target"] == round(target * days / year, 1)
    assert pace["per_year"] == round(2 / days * year) and pace["verdict"] == "below"
    kpi = next(k for k in overview["kpis"] if k["code"] == "productivity")
    assert kpi["value"] == pace["per_year"] and kpi["target"] == target and kpi["status"] == "off_target"

    office = server.ctx.config.default_office
    day = date(2026, 3, 10)
    report = build_report(
        load_visits(server.ctx.db, office=office, first=day, last=day),
        config=server.ctx.config,
        office=office,
        first=day,
        last=day,
        by="officer",
        generated_at=T0,
        pace=server.services.cases.follow_up.pace,
    )
    assert dict(report.rows)["canbo1"]["per_year"] is None  # one day: no yearly figure, no "Đạt"
    note = next(n for n in report.notes_vi if n.startswith("Năng suất canbo1"))
    assert note == (
        f"Năng suất canbo1: 2 hồ sơ tiếp nhận trong 1 ngày làm việc; chỉ tiêu cho khoảng này "
        f"{target / year:.1f} ({target:,} hồ sơ/năm): chưa đủ 20 ngày làm việc để đánh giá."
    )


@pytest.mark.parametrize(
    ("now", "verdict"),
    [(T0, "below"), (datetime(2026, 1, 9, 2, 0, tzinfo=UTC), "too_short")],  # ~45 and ~6 working days
)
def test_the_cases_page_shows_the_dashboards_pace_and_verdict(
    sqlite_url: str, now: datetime, verdict: str
) -> None:
    server = make_server(sqlite_url, ManualClock(now))
    with client_for(server) as client:
        staff = seated(server, client, "canbo1", 1)
        register(client)
        paper = upload(client, "GTCMCHO").json()["id"]
        code = submit(client, "kiosk-pace-ho-so", [paper]).json()["dossier"]["code"]
        assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 200
        supervisor = server.login(client, "giamsat")
        dashboard = client.get("/api/v1/analytics/overview", headers=supervisor).json()["pace"]
        cases_page = client.get("/api/v1/dossiers/follow-up", headers=supervisor).json()["productivity"]
        own = client.get("/api/v1/dossiers/follow-up", headers=staff).json()["productivity"]

    (on_dashboard,) = dashboard
    (on_cases_page,) = cases_page
    assert on_cases_page["officer"] == "user:canbo1" and own == cases_page
    assert {**on_cases_page, "officer": "canbo1"} == on_dashboard
    assert on_dashboard["verdict"] == verdict
    assert (on_dashboard["per_year"] is None) == (verdict == "too_short")
