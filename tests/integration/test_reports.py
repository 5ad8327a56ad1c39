"""Reports of a simulated day: CSV, XLSX and PDF from the command line and the API, read back."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from tests.conftest import ROOT
from tests.fixtures.analytics.office_day import DAY, office_with_a_day
from tests.support import Server, client_for

OUTPUT = Path(__file__).resolve().parents[1] / "output"


@pytest.fixture(scope="module")
def day() -> Iterator[tuple[Server, TestClient, str, int]]:
    """The demo office after a whole simulated Monday; its database URL and the number of tickets."""
    folder = Path(tempfile.mkdtemp(prefix="motcua-reports-"))
    server, played = office_with_a_day(folder, rate_factor=1.2)
    url = server.ctx.settings.database_url
    with client_for(server) as client:
        yield server, client, url, len(played.tickets)
    shutil.rmtree(folder, ignore_errors=True)


def motcua(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MOTCUA_DATABASE_URL": database_url,
        "MOTCUA_CONFIG_DIR": str(ROOT / "config" / "demo"),
    }
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_csv_from_the_command_line(day: tuple[Server, TestClient, str, int]) -> None:
    _, _, url, tickets = day
    done = motcua(
        "report", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--format", "csv", database_url=url
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("\ufeffBáo cáo thời gian chờ và xử lý — Công an xã Tân Phú")
    rows = list(csv.reader(io.StringIO(done.stdout.lstrip("\ufeff"))))
    header = rows[2]
    assert header[:3] == ["Hàng đợi", "Số đã cấp", "Đã phục vụ"]
    by_queue = {row[0]: row for row in rows[3:6]}
    assert set(by_queue) == {"A — Cư trú", "B — Căn cước", "C — Hộ chiếu và thủ tục khác"}
    total = next(row for row in rows if row and row[0] == "Tổng cộng")
    assert int(total[1]) == tickets == sum(int(row[1]) for row in by_queue.values())
    kpis = {row[0]: row for row in rows if len(row) == 5}
    assert kpis["Tỷ lệ người dân hài lòng"][3] == "Chưa có dữ liệu"


def test_xlsx_reads_back(day: tuple[Server, TestClient, str, int], tmp_path: Path) -> None:
    _, _, url, tickets = day
    out = tmp_path / "officers.xlsx"
    args = (
        "report",
        "--from",
        DAY.isoformat(),
        "--to",
        DAY.isoformat(),
        "--format",
        "xlsx",
        "--by",
        "officer",
    )
    done = motcua(*args, "--out", str(out), database_url=url)
    assert done.returncode == 0, done.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["Báo cáo", "Chỉ tiêu", "Biểu đồ", "Ghi chú"]
    sheet = book["Báo cáo"]
    assert sheet["A1"].value == "Báo cáo thời gian chờ và xử lý — Công an xã Tân Phú"
    header = [cell.value for cell in sheet[4]]
    assert header[0] == "Cán bộ" and header[-1] == "Năng suất/năm"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=5)]
    officers = {row[0]: row for row in rows if row[0] and row[0].startswith("canbo")}
    assert set(officers) == {"canbo1", "canbo2", "canbo3", "canbo4"}
    # One day, and tickets are not cases: no officer's day is scaled up to a year (issue 13).
    assert all(row[-1] is None for row in officers.values())
    total = next(row for row in rows if row[0] == "Tổng cộng")
    assert total[1] == tickets
    assert book["Biểu đồ"]._charts  # the bar chart of waits by hour


def test_pdf_has_vietnamese_text_and_charts(day: tuple[Server, TestClient, str, int], tmp_path: Path) -> None:
    _, _, url, _ = day
    out = tmp_path / "queues.pdf"
    args = ("report", "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--format", "pdf")
    done = motcua(*args, "--out", str(out), database_url=url)
    assert done.returncode == 0, done.stderr
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for phrase in ("Báo cáo thời gian chờ và xử lý", "Cư trú", "Căn cước", "Thời gian chờ trung bình", "Đạt"):
        assert phrase in text
    fonts = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert any(name.endswith("+DejaVuSansBook") for name in fonts)  # embedded (subset) Unicode font
    images = sum(len(page.images) for page in reader.pages)
    assert images == 2  # waits by hour and by queue
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils is not installed: the page is not rendered to PNG")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", str(out), str(OUTPUT / "report")], check=True
    )
    page = Image.open(next(OUTPUT.glob("report*-1.png"))).convert("L")
    dark = sum(page.histogram()[:128])
    assert dark > 0.01 * page.width * page.height  # text, tables and bars were drawn


def test_report_through_the_api(day: tuple[Server, TestClient, str, int]) -> None:
    server, client, _, tickets = day
    supervisor = server.login(client, "giamsat")
    period = f"from={DAY.isoformat()}&to={DAY.isoformat()}"
    answer = client.get(f"/api/v1/reports?{period}&format=xlsx&by=counter", headers=supervisor)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in answer.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(answer.content))["Báo cáo"]
    keys = [row[0].value for row in sheet.iter_rows(min_row=5)]
    assert keys[:4] == ["Quầy 1", "Quầy 2", "Quầy 3", "Quầy 4"]
    pdf = client.get(f"/api/v1/reports?{period}&format=pdf", headers=supervisor)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = client.get(f"/api/v1/reports?{period}&format=csv&by=hour", headers=supervisor).content.decode(
        "utf-8"
    )
    assert "Giờ lấy số" in text and f"Tổng cộng,{tickets}," in text


def test_report_refuses_bad_requests(day: tuple[Server, TestClient, str, int], tmp_path: Path) -> None:
    server, client, url, _ = day
    supervisor = server.login(client, "giamsat")
    backwards = client.get("/api/v1/reports?from=2026-03-10&to=2026-03-09", headers=supervisor)
    assert backwards.status_code == 422 and "trước ngày bắt đầu" in backwards.json()["error"]["message_vi"]
    unknown = client.get("/api/v1/reports?from=2026-03-09&to=2026-03-09&by=citizen", headers=supervisor)
    assert unknown.status_code == 422 and "citizen" in unknown.json()["error"]["message_vi"]
    assert (
        client.get("/api/v1/reports?from=2026-03-09&to=2026-03-09&format=doc", headers=supervisor).status_code
        == 422
    )
    staff = server.login(client, "canbo1")
    assert client.get("/api/v1/reports?from=2026-03-09&to=2026-03-09", headers=staff).status_code == 403
    bad_day = motcua("report", "--from", "2026-13-01", "--to", "2026-03-09", database_url=url)
    assert bad_day.returncode == 2 and "YYYY-MM-DD" in bad_day.stderr
    no_out = motcua(
        "report", "--from", "2026-03-09", "--to", "2026-03-09", "--format", "pdf", database_url=url
    )
    assert no_out.returncode == 2 and "--out" in no_out.stderr
    not_ours = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    empty = motcua("report", "--from", "2026-03-09", "--to", "2026-03-09", database_url=not_ours)
    assert empty.returncode == 2 and "motcua database" in empty.stderr


def test_an_empty_period_still_makes_a_report(day: tuple[Server, TestClient, str, int]) -> None:
    _, _, url, _ = day
    done = motcua("report", "--from", "2026-01-01", "--to", "2026-01-31", database_url=url)
    assert done.returncode == 0, done.stderr
    assert "Không có số thứ tự nào trong khoảng thời gian này." in done.stdout
    assert "Tổng cộng,0," in done.stdout


def test_simulate_from_the_office_history(day: tuple[Server, TestClient, str, int]) -> None:
    _, _, url, tickets = day
    args = ("simulate", "--from-history", "--since", DAY.isoformat(), "--until", DAY.isoformat(), "--json")
    done = motcua(*args, "--no-staffing", database_url=url)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["source"] == f"history {DAY.isoformat()}..{DAY.isoformat()} ({tickets} tickets)"
    # One Monday of history: the simulated Monday has about as many tickets as the real one.
    assert result["total"]["tickets"] == pytest.approx(tickets, rel=0.35)
    nothing = motcua(
        "simulate", "--from-history", "--since", "2026-01-05", "--until", "2026-01-09", database_url=url
    )
    assert nothing.returncode == 2 and "no tickets in that period" in nothing.stderr


def test_report_by_procedure_and_field(sqlite_url: str) -> None:
    from queue_server.clock import ManualClock
    from tests.conftest import T0
    from tests.fixtures.dossiers.helpers import TEMPORARY, register, submit
    from tests.support import KIOSK, make_server

    server = make_server(sqlite_url, ManualClock(T0))
    with client_for(server) as client:
        register(client)
        case = submit(client, "kiosk-1-0001-aaaa", [], procedure=TEMPORARY)
        assert case.status_code == 201, case.text
        assert client.post("/api/v1/tickets", json={"queue": "B"}, headers=KIOSK).status_code == 201
        supervisor = server.login(client, "giamsat")
        day = T0.date().isoformat()
        procedure = case.json()["dossier"]["procedure"]
        text = client.get(f"/api/v1/reports?from={day}&to={day}&format=csv&by=procedure", headers=supervisor)
        rows = {row[0]: row for row in csv.reader(io.StringIO(text.content.decode("utf-8-sig"))) if row}
        assert rows[f"{TEMPORARY} — {procedure['name_vi']}"][1] == "1"
        assert rows["(chỉ lấy số, không nộp hồ sơ)"][1] == "1"
        fields = client.get(f"/api/v1/reports?from={day}&to={day}&format=csv&by=field", headers=supervisor)
        assert "Thủ tục hành chính" not in fields.content.decode("utf-8")
        assert "Theo hồ sơ nộp cùng số thứ tự" in fields.content.decode("utf-8")
