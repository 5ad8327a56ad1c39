"""The cross-office report over a period: one row per office of a subtree and the totals, with the waits of
the plan and the indicators of the national service index that motcua can compute (docs/analytics.md,
"Cross-office report"). Files: CSV (semicolon-separated, Vietnamese number format), XLSX and PDF.

Totals are computed from the summed counts (a share of all cases of the province), never as a mean of the
offices' shares, so a small office weighs as much as its cases.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from analytics.kpi import KpiTargets, figures
from analytics.report_files import titled_sheet
from analytics.store import load_visits
from queue_server.config import SystemConfig
from queue_server.domain.calendar import business_day
from queue_server.domain.follow_up import on_time_rate
from queue_server.domain.reuse import CasePapers, reuse_figure
from queue_server.indicator_reads import OfficePeriod, indicators_of_period

# (key, Vietnamese heading, English heading, kind): kind "int", "minutes" (seconds shown as minutes) or
# "share" (a part of a whole, shown as a percentage); each share has its numerator and denominator counts.
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("issued", "Lượt lấy số", "Visits", "int"),
    ("served", "Đã phục vụ", "Served", "int"),
    ("mean_wait_s", "Chờ TB (phút)", "Mean wait (min)", "minutes"),
    ("wait_within_target", "Chờ ≤ mục tiêu (%)", "Wait within target (%)", "share"),
    ("cases", "Hồ sơ tiếp nhận", "Cases submitted", "int"),
    ("results", "Hồ sơ có kết quả", "Cases with a result", "int"),
    ("on_time", "Đúng hạn (%)", "On time (%)", "share"),
    ("online", "Bắt đầu trực tuyến (%)", "Begun online (%)", "share"),
    ("digitised", "Số hóa đủ giấy tờ (%)", "Papers digitised (%)", "share"),
    ("reuse", "Không nộp lại giấy tờ đã có (%)", "Papers reused (%)", "share"),
    ("satisfied", "Hài lòng (%)", "Satisfied (%)", "share"),
    ("ratings", "Lượt đánh giá", "Ratings", "int"),
)


@dataclass(frozen=True)
class Share:
    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    def __add__(self, other: Share) -> Share:
        return Share(self.part + other.part, self.whole + other.whole)


@dataclass
class ProvinceReport:
    root: str
    root_name_vi: str
    first: date
    last: date
    generated_at: datetime
    rows: list[tuple[str, str, dict[str, Any]]]  # office code, name, values
    total: dict[str, Any]

    @property
    def title_vi(self) -> str:
        return f"Báo cáo các đơn vị — {self.root_name_vi}"

    @property
    def period_vi(self) -> str:
        return f"Từ {self.first:%d/%m/%Y} đến {self.last:%d/%m/%Y}"


def build_province_report(
    db: Any,
    *,
    config: SystemConfig,
    root: str,
    offices: Sequence[str],
    first: date,
    last: date,
    targets: KpiTargets,
    required_papers: Mapping[str, frozenset[str]],
    generated_at: datetime,
) -> ProvinceReport:
    """`offices`: the subtree of `root` the asker may see; `required_papers`: per procedure code, the paper
    types a case must have (the catalogue's non-optional papers)."""
    reads = indicators_of_period(db, offices, first, last)
    rows = []
    waits: list[tuple[int, float | None, Share]] = []
    for code in offices:
        office = config.offices[code]
        visits = load_visits(db, office=office, first=first, last=last)
        day = figures(visits, office.hours, office.zone)
        values = _case_values(reads[code], office.zone, first, last, required_papers)
        within = Share(sum(1 for w in day.waits_s if w <= targets.wait_s), len(day.waits_s))
        mean_wait = sum(day.waits_s) / len(day.waits_s) if day.waits_s else None
        values.update(issued=day.issued, served=day.served, mean_wait_s=mean_wait, wait_within_target=within)
        waits.append((len(day.waits_s), mean_wait, within))
        rows.append((code, office.name_vi, values))
    total: dict[str, Any] = {}
    for key, _, _, kind in COLUMNS:
        if kind == "int":
            total[key] = sum(values[key] for _, _, values in rows)
        elif kind == "share":
            total[key] = sum((values[key] for _, _, values in rows), Share(0, 0))
    called = sum(count for count, _, _ in waits)
    total["mean_wait_s"] = sum(count * (mean or 0) for count, mean, _ in waits) / called if called else None
    return ProvinceReport(root, config.offices[root].name_vi, first, last, generated_at, rows, total)


def province_period(
    db: Any,
    config: SystemConfig,
    offices: Sequence[str],
    first: date,
    last: date,
    required: Mapping[str, frozenset[str]],
) -> dict[str, dict[str, Any]]:
    """The indicators of each office over the period, without the waits (the province page's columns)."""
    reads = indicators_of_period(db, offices, first, last)
    return {
        code: _case_values(reads[code], config.offices[code].zone, first, last, required) for code in offices
    }


def _case_values(
    read: OfficePeriod, zone: Any, first: date, last: date, required: Mapping[str, frozenset[str]]
) -> dict[str, Any]:
    results = [
        (day, result.due_date)
        for result in read.results
        if first <= (day := business_day(result.result_at, zone)) <= last
    ]
    on_time = on_time_rate(results)
    needing = [case for case in read.submitted if required.get(case.procedure)]
    digitised = sum(1 for case in needing if required[case.procedure] <= case.digital_papers)
    reuse = reuse_figure(CasePapers(case.papers_reused, case.papers_resupplied) for case in read.submitted)
    return {
        "cases": len(read.submitted),
        "results": on_time.results,
        "on_time": Share(on_time.on_time, on_time.results),
        "online": Share(read.visits_online, read.visits),
        "digitised": Share(digitised, len(needing)),
        "reuse": Share(reuse.not_resupplied, reuse.held),
        "satisfied": Share(read.satisfied, read.ratings),
        "ratings": read.ratings,
    }


# ---- numbers as Vietnamese readers write them ------------------------------------------------------


def vi_number(value: float | None, decimals: int = 0) -> str:
    """1234567.5 → "1.234.567,5": dot between thousands, comma before decimals; None → "—"."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def display(value: Any, kind: str) -> str:
    if kind == "share":
        share = value.value
        return vi_number(None if share is None else 100 * share, 1)
    if kind == "minutes":
        return vi_number(None if value is None else value / 60, 1)
    return vi_number(value)


def number(value: Any, kind: str) -> float | None:
    """The cell's number for a spreadsheet (percentages 0–100, minutes), the format left to the sheet."""
    if kind == "share":
        return None if value.value is None else round(100 * value.value, 1)
    if kind == "minutes":
        return None if value is None else round(value / 60, 1)
    return float(value) if value is not None else None


def lines(report: ProvinceReport) -> list[tuple[str, dict[str, Any]]]:
    body = [(f"{code} — {name}", values) for code, name, values in report.rows]
    return [*body, ("Tổng cộng", report.total)]


HEADINGS = ["Đơn vị", *(vi for _, vi, _, _ in COLUMNS)]


def render_province(report: ProvinceReport, fmt: str) -> bytes:
    if fmt == "csv":
        return _csv(report)
    if fmt == "xlsx":
        return _xlsx(report)
    if fmt == "pdf":
        return _pdf(report)
    raise ValueError(f"unknown format {fmt!r}; use csv, xlsx or pdf")


def _csv(report: ProvinceReport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # the decimal comma needs another separator (Excel vi-VN)
    writer.writerow([report.title_vi])
    writer.writerow([report.period_vi])
    writer.writerow(HEADINGS)
    for label, values in lines(report):
        writer.writerow([label, *(display(values[key], kind) for key, _, _, kind in COLUMNS)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(report: ProvinceReport) -> bytes:
    from openpyxl.styles import Font

    book, sheet = titled_sheet("Các đơn vị", report.title_vi, report.period_vi, HEADINGS)
    for label, values in lines(report):
        sheet.append([label, *(number(values[key], kind) for key, _, _, kind in COLUMNS)])
        row = sheet.max_row
        for index, (_, _, _, kind) in enumerate(COLUMNS, start=2):
            sheet.cell(row=row, column=index).number_format = "#,##0" if kind == "int" else "#,##0.0"
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 40
    sheet.freeze_panes = "B5"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _pdf(report: ProvinceReport) -> bytes:
    from fpdf import FPDF

    from analytics.charts import font_path

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(report.title_vi)
    pdf.set_creator("motcua")
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path(bold=True)))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 9, report.title_vi, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(
        0,
        6,
        f"{report.period_vi} · lập lúc {report.generated_at:%H:%M %d/%m/%Y}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 7)
    first = 48
    rest = (pdf.epw - first) / len(COLUMNS)
    with pdf.table(
        col_widths=(first, *([rest] * len(COLUMNS))),
        text_align=("LEFT", *(["RIGHT"] * len(COLUMNS))),
        line_height=4.5,
    ) as grid:
        grid.row(HEADINGS)
        for label, values in lines(report):
            grid.row([label, *(display(values[key], kind) for key, _, _, kind in COLUMNS)])
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        0,
        4.5,
        'Định nghĩa các chỉ số và nguồn số liệu: docs/analytics.md, mục "Báo cáo các đơn vị". '
        "Tỷ lệ của dòng Tổng cộng tính trên tổng số hồ sơ/lượt của các đơn vị.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())


def required_papers(catalogue: Any) -> dict[str, frozenset[str]]:
    """Per procedure, the paper types a case must carry (the catalogue's non-optional papers)."""
    if catalogue is None:
        return {}
    return {
        code: frozenset(paper.type.code for paper in procedure.papers if not paper.optional)
        for code, procedure in catalogue.procedures.items()
    }
