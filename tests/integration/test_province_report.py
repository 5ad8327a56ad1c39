"""The cross-office report over a period, over HTTP and from `motcua report --offices`: one row per office
of the asker's subtree and the totals, the national service index's indicators computed from real cases,
tickets and appointments, in Vietnamese number format — SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from analytics.province_report import vi_number
from queue_server.clock import ManualClock
from queue_server.config import ConfigError
from queue_server.tables.auth import AccessRefusal
from tests.conftest import ROOT, T0
from tests.fixtures.dossiers.helpers import NHUNG_ID, NHUNG_QR, ct01_form, page_jpeg
from tests.fixtures.province_cases import province_config
from tests.support import PASSWORD, Server, client_for, make_server

PROVINCE, AB, BM = "CATTN", "CAXAB", "CAXBM"
KIOSK = {office: {"X-Device-Key": f"kiosk-{office.lower()}-key-for-report-01"} for office in (AB, BM)}
DAY = {"from": "2026-03-10", "to": "2026-03-10"}


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Server:
    built = make_server(database_url, ManualClock(T0), config_dir=province_config(tmp_path))
    auth = built.services.auth
    auth.add_user(username="giamsat.tinh", role="supervisor", password=PASSWORD, office=PROVINCE)
    auth.add_user(username="giamsat.ab", role="supervisor", password=PASSWORD, office=AB)
    auth.add_user(username="canbo.ab", role="staff", password=PASSWORD, office=AB)
    for office, headers in KIOSK.items():
        auth.add_device(name=f"kiosk-{office}", role="kiosk", office=office, key=headers["X-Device-Key"])
    return built


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def a_case(client: TestClient, office: str, key: str, with_paper: bool) -> str:
    kiosk = KIOSK[office]
    claim = client.post("/api/v1/citizens", json={"qr": NHUNG_QR}, headers=kiosk).json()["claim"]
    documents = []
    if with_paper:
        files = [("files", ("trang-1.jpg", page_jpeg("GTCMCHO"), "image/jpeg"))]
        data = {"citizen_id": NHUNG_ID, "type": "GTCMCHO"}
        documents.append(client.post("/api/v1/documents", data=data, files=files, headers=kiosk).json()["id"])
    body = {
        "procedure": "1.004222",
        "citizen_id": NHUNG_ID,
        "form": ct01_form(),
        "documents": documents,
        "idempotency_key": key,
        "claim": claim,
        "office": office,
    }
    answer = client.post("/api/v1/dossiers", json=body, headers=kiosk)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["dossier"]["code"])


@pytest.fixture
def day(server: Server, client: TestClient) -> None:
    """CAXAB: a case with its paper scanned, received and settled the same day (on time); CAXBM: a case
    without the paper, a booked visit and a walk-in number. Nothing at the province office."""
    code = a_case(client, AB, "report-ab-1", with_paper=True)
    staff = server.login(client, "canbo.ab")
    assert client.post("/api/v1/counters/1/open", headers=staff).status_code == 200
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 200
    assert client.post(f"/api/v1/dossiers/{code}/finish", headers=staff).status_code == 200
    a_case(client, BM, "report-bm-1", with_paper=False)
    kiosk = server.services.auth.principal_for_device_key(KIOSK[BM]["X-Device-Key"])
    assert kiosk is not None
    server.services.tickets.issue(actor=kiosk, queue="A", appointment_at=T0 + timedelta(minutes=5))
    server.services.tickets.issue(actor=kiosk, queue="A")


def rows_of(content: bytes) -> dict[str, list[str]]:
    text = content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0] == ["Báo cáo các đơn vị — Công an tỉnh Thử Nghiệm"] and table[1] == [
        "Từ 10/03/2026 đến 10/03/2026"
    ]
    headings = table[2]
    return {line[0]: dict(zip(headings, line, strict=True)) for line in table[3:]}  # type: ignore[misc]


def test_the_province_report_has_a_row_per_office_and_the_totals(
    server: Server, client: TestClient, day: None
) -> None:
    answer = client.get("/api/v1/reports/province", params=DAY, headers=server.login(client, "giamsat.tinh"))
    assert answer.status_code == 200, answer.text
    assert (
        'filename="bao-cao-don-vi-CATTN-2026-03-10-2026-03-10.csv"' in answer.headers["content-disposition"]
    )
    rows = rows_of(answer.content)
    assert list(rows) == [
        "CATTN — Công an tỉnh Thử Nghiệm",
        "CAXAB — Công an xã An Bình",
        "CAXBM — Công an xã Bình Minh",
        "Tổng cộng",
    ]
    ab, bm, total = (
        rows["CAXAB — Công an xã An Bình"],
        rows["CAXBM — Công an xã Bình Minh"],
        rows["Tổng cộng"],
    )
    assert (ab["Lượt lấy số"], bm["Lượt lấy số"], total["Lượt lấy số"]) == ("1", "3", "4")
    assert (ab["Hồ sơ tiếp nhận"], ab["Hồ sơ có kết quả"], ab["Đúng hạn (%)"]) == ("1", "1", "100,0")
    assert (bm["Hồ sơ có kết quả"], bm["Đúng hạn (%)"]) == ("0", "—")  # no result yet: no data, not 0
    assert (ab["Số hóa đủ giấy tờ (%)"], bm["Số hóa đủ giấy tờ (%)"]) == ("100,0", "0,0")
    assert total["Số hóa đủ giấy tờ (%)"] == "50,0"  # 1 of the 2 cases, not a mean of shares
    assert (bm["Bắt đầu trực tuyến (%)"], total["Bắt đầu trực tuyến (%)"]) == ("33,3", "25,0")
    assert rows["CATTN — Công an tỉnh Thử Nghiệm"]["Lượt lấy số"] == "0"
    assert total["Hài lòng (%)"] == "—" and total["Lượt đánh giá"] == "0"


def test_the_report_files_open_and_a_commune_supervisor_gets_only_their_commune(
    server: Server, client: TestClient, day: None, tmp_path: Path
) -> None:
    province = server.login(client, "giamsat.tinh")
    book = client.get("/api/v1/reports/province", params={**DAY, "format": "xlsx"}, headers=province)
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet["A8"].value == "Tổng cộng" and sheet["B8"].value == 4
    assert sheet["I7"].value == pytest.approx(33.3) and sheet["I7"].number_format == "#,##0.0"
    pdf = client.get("/api/v1/reports/province", params={**DAY, "format": "pdf"}, headers=province)
    (tmp_path / "r.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True
    )
    assert "Tổng cộng" in text.stdout and "33,3" in text.stdout and "Công an xã Bình Minh" in text.stdout
    commune = server.login(client, "giamsat.ab")
    own = rows_of_commune(client.get("/api/v1/reports/province", params=DAY, headers=commune).content)
    assert own == ["CAXAB — Công an xã An Bình", "Tổng cộng"]
    refused = client.get("/api/v1/reports/province", params={**DAY, "office": PROVINCE}, headers=commune)
    assert refused.status_code == 403 and refused.json()["code"] == "office_out_of_scope"
    staff = client.get("/api/v1/reports/province", params=DAY, headers=server.login(client, "canbo.ab"))
    assert staff.status_code == 403
    backwards = client.get(
        "/api/v1/reports/province", params={"from": "2026-03-10", "to": "2026-03-01"}, headers=province
    )
    assert backwards.status_code == 422 and backwards.json()["code"] == "bad_period"
    with server.ctx.db.read() as session:
        assert [(r.actor, r.office) for r in session.scalars(select(AccessRefusal))] == [
            ("user:giamsat.ab", PROVINCE)
        ]


def rows_of_commune(content: bytes) -> list[str]:
    table = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == ["Báo cáo các đơn vị — Công an xã An Bình"]
    return [line[0] for line in table[3:]]


def test_motcua_report_offices_writes_the_same_figures(server: Server, day: None, tmp_path: Path) -> None:
    out = tmp_path / "tinh.csv"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "motcua.cli",
            "report",
            "--offices",
            "--office",
            PROVINCE,
            "--from",
            DAY["from"],
            "--to",
            DAY["to"],
            "--out",
            str(out),
            "--config",
            str(server.ctx.config.directory),
            "--database-url",
            server.ctx.db.url.render_as_string(hide_password=False),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "3 offices and the totals" in done.stdout
    rows = rows_of(out.read_bytes())
    assert rows["Tổng cộng"]["Bắt đầu trực tuyến (%)"] == "25,0" and rows["Tổng cộng"]["Lượt lấy số"] == "4"


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(1234567.5, 1, "1.234.567,5"), (33.333, 1, "33,3"), (0, 0, "0"), (None, 1, "—"), (1600, 0, "1.600")],
)
def test_numbers_are_written_the_vietnamese_way(value: float | None, decimals: int, text: str) -> None:
    assert vi_number(value, decimals) == text


def test_the_province_page_shows_each_office_cases_and_pace(
    server: Server, client: TestClient, day: None
) -> None:
    headers = server.login(client, "giamsat.tinh")
    rows = {
        r["office"]: r for r in client.get("/api/v1/analytics/province", headers=headers).json()["offices"]
    }
    ab, bm = rows[AB], rows[BM]
    assert (ab["on_time_rate"], bm["on_time_rate"]) == (1.0, None)  # BM has no result this month
    assert (ab["cases_due_soon"], ab["cases_overdue"]) == (0, 0)  # its only case is settled
    assert (
        ab["pace_per_officer"] is not None and ab["pace_per_officer"] > 0 and bm["pace_per_officer"] is None
    )
    assert ab["pace_target"] == server.services.cases.catalogue.settings.productivity_target
    server.clock.advance(days=40)  # type: ignore[attr-defined]
    headers = server.login(client, "giamsat.tinh")  # the old sign-in has expired
    listed = client.get("/api/v1/dossiers", params={"office": BM}, headers=headers)
    assert listed.status_code == 200, listed.text
    code = listed.json()[0]["code"]
    assert client.post(f"/api/v1/dossiers/{code}/receive", headers=headers).status_code == 200
    server.clock.advance(days=40)  # type: ignore[attr-defined]
    headers = server.login(client, "giamsat.tinh")
    late = {
        r["office"]: r for r in client.get("/api/v1/analytics/province", headers=headers).json()["offices"]
    }
    assert late[BM]["cases_overdue"] == 1 and late[AB]["on_time_rate"] is None  # a new month: no result yet


def levelled(folder: Path) -> Path:
    """The province fixture with each office's level: the province 1,600, An Bình 1,200 (district), Bình
    Minh none (procedures.toml's office_class: commune, 800)."""
    config = province_config(folder)
    offices = config / "offices.toml"
    text = offices.read_text(encoding="utf-8")
    for code, level in ((PROVINCE, "province"), (AB, "district")):
        text = text.replace(f'code = "{code}"\n', f'code = "{code}"\nlevel = "{level}"\n')
    offices.write_text(text, encoding="utf-8")
    return config


def test_each_office_is_held_to_its_own_levels_target_on_every_page(
    database_url: str, tmp_path: Path
) -> None:
    server = make_server(database_url, ManualClock(T0), config_dir=levelled(tmp_path))
    server.services.auth.add_user(
        username="giamsat.tinh", role="supervisor", password=PASSWORD, office=PROVINCE
    )
    server.services.auth.add_user(username="canbo.ab", role="staff", password=PASSWORD, office=AB)
    server.services.auth.add_device(name="kiosk-ab", role="kiosk", office=AB, key=KIOSK[AB]["X-Device-Key"])
    with client_for(server) as client:
        code = a_case(client, AB, "level-ab-1", with_paper=True)
        staff = server.login(client, "canbo.ab")
        assert client.post("/api/v1/counters/1/open", headers=staff).status_code == 200
        assert client.post(f"/api/v1/dossiers/{code}/receive", headers=staff).status_code == 200
        chief = server.login(client, "giamsat.tinh")
        rows = client.get("/api/v1/analytics/province", headers=chief).json()["offices"]
        cases_page = client.get("/api/v1/dossiers/follow-up", params={"office": AB}, headers=chief).json()
        dashboard = client.get("/api/v1/analytics/overview", params={"office": AB}, headers=chief).json()
    assert {r["office"]: r["pace_target"] for r in rows} == {PROVINCE: 1600, AB: 1200, BM: 800}
    assert [p["target_per_year"] for p in cases_page["productivity"]] == [1200]
    assert [p["target_per_year"] for p in dashboard["pace"]] == [1200]


def test_a_leftover_analytics_class_that_disagrees_is_a_config_error(
    database_url: str, tmp_path: Path
) -> None:
    config = levelled(tmp_path)
    (config / "analytics.toml").write_text('[kpi]\nproductivity_class = "province"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        make_server(database_url, ManualClock(T0), config_dir=config)
    problems = "\n".join(raised.value.problems)
    assert "office CAXAB's target 1,200" in problems and "office CAXBM's target 800" in problems
    assert "CATTN" not in problems and "deprecated" in problems
