"""A built report as a file: CSV and XLSX here, PDF (with charts) in report_pdf.py."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from analytics.report_pdf import render_pdf
from analytics.reports import Report, ReportError, cell, kpi_lines, table


def render(report: Report, fmt: str) -> bytes:
    if fmt == "csv":
        return render_csv(report)
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "pdf":
        return render_pdf(report)
    raise ReportError(f"unknown format {fmt!r}; use csv, xlsx or pdf")


def render_csv(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([report.title_vi])
    writer.writerow([report.period_vi])
    headings, body = table(report)
    writer.writerow(headings)
    writer.writerows(body)
    writer.writerow([])
    writer.writerow(["Chỉ tiêu", "Kết quả", "Mục tiêu", "Đánh giá", "Ghi chú"])
    writer.writerows(kpi_lines(report))
    for note in report.notes_vi:
        writer.writerow([note])
    # A byte-order mark so that Excel opens the Vietnamese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_xlsx(report: Report) -> bytes:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    headings, body = table(report)
    book, sheet = titled_sheet("Báo cáo", report.title_vi, report.period_vi, headings)
    for line in body:
        sheet.append(line)
    sheet.cell(row=4 + len(body), column=1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 34
    sheet.freeze_panes = "B5"

    kpis = book.create_sheet("Chỉ tiêu")
    kpis.append(["Chỉ tiêu", "Kết quả", "Mục tiêu", "Đánh giá", "Ghi chú"])
    for line in kpi_lines(report):
        kpis.append(line)
    kpis.column_dimensions["A"].width = 48
    kpis.column_dimensions["E"].width = 60

    charts = book.create_sheet("Biểu đồ")
    charts.append(["Giờ lấy số", "Chờ TB (phút)"])
    for label, value in report.waits_by_hour:
        charts.append([label, cell(value, "minutes")])
    if report.waits_by_hour:
        chart = BarChart()
        chart.title = "Thời gian chờ trung bình theo giờ"
        chart.y_axis.title = "phút"
        rows = len(report.waits_by_hour) + 1
        chart.add_data(Reference(charts, min_col=2, min_row=1, max_row=rows), titles_from_data=True)
        chart.set_categories(Reference(charts, min_col=1, min_row=2, max_row=rows))
        charts.add_chart(chart, "D2")
    notes = book.create_sheet("Ghi chú")
    for note in report.notes_vi:
        notes.append([note])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def titled_sheet(name: str, title_vi: str, period_vi: str, headings: Sequence[str]) -> tuple[Any, Any]:
    """A workbook whose first sheet opens with the report's title, its period and the table's headings
    (row 4, white on blue, wrapped): the layout every report file shares."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = name
    sheet.append([title_vi])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([period_vi])
    sheet.append([])
    sheet.append(list(headings))
    for column in range(1, len(headings) + 1):
        heading = sheet.cell(row=4, column=column)
        heading.font = Font(bold=True, color="FFFFFF")
        heading.fill = PatternFill("solid", fgColor="1D4ED8")
        heading.alignment = Alignment(wrap_text=True, vertical="center")
    return book, sheet
