"""The PDF report: fpdf2 with an embedded DejaVu font (Vietnamese letters), KPI table, rows, charts."""

from __future__ import annotations

import io
from typing import Any

from analytics.charts import bar_chart_png, font_path
from analytics.reports import Report, kpi_lines, table

FAMILY = "DejaVu"


def render_pdf(report: Report) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(report.title_vi)
    pdf.set_creator("motcua")
    pdf.add_font(FAMILY, "", str(font_path()))
    pdf.add_font(FAMILY, "B", str(font_path(bold=True)))
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    _heading(pdf, report)
    _kpis(pdf, report)
    _rows(pdf, report)
    _charts(pdf, report)
    _notes(pdf, report)
    return bytes(pdf.output())


def _heading(pdf: Any, report: Report) -> None:
    pdf.set_font(FAMILY, "B", 16)
    pdf.cell(0, 9, report.title_vi, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    generated = report.generated_at.astimezone(report.office.zone)
    pdf.cell(
        0,
        6,
        f"{report.period_vi} · theo {report.by.heading_vi.lower()} · lập lúc {generated:%H:%M %d/%m/%Y}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)


def _kpis(pdf: Any, report: Report) -> None:
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 7, "Chỉ tiêu của tỉnh", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 9)
    with pdf.table(col_widths=(70, 25, 40, 28, 110), text_align="LEFT", line_height=5.5) as grid:
        grid.row(["Chỉ tiêu", "Kết quả", "Mục tiêu", "Đánh giá", "Ghi chú"])
        for line in kpi_lines(report):
            grid.row([_text(value) for value in line])
    pdf.ln(4)


def _rows(pdf: Any, report: Report) -> None:
    headings, body = table(report)
    pdf.set_font(FAMILY, "B", 12)
    pdf.cell(0, 7, f"Theo {report.by.heading_vi.lower()}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 7)
    first = 40
    rest = (pdf.epw - first) / (len(headings) - 1)
    widths = (first, *([rest] * (len(headings) - 1)))
    with pdf.table(
        col_widths=widths, text_align=("LEFT", *(["RIGHT"] * (len(headings) - 1))), line_height=4.5
    ) as grid:
        grid.row(headings)
        for line in body:
            grid.row([_text(value) for value in line])
    pdf.ln(4)


def _charts(pdf: Any, report: Report) -> None:
    """Two charts side by side under the tables."""
    target_min = report.targets.wait_s / 60
    charts = [
        ("Chờ trung bình theo giờ lấy số (phút)", report.waits_by_hour),
        ("Chờ trung bình theo hàng đợi (phút)", report.waits_by_queue),
    ]
    width = (pdf.epw - 6) / 2
    height = width * 560 / 1200
    if pdf.get_y() + height > pdf.h - pdf.b_margin:
        pdf.add_page()
    top = pdf.get_y()
    for index, (title, series) in enumerate(charts):
        png = bar_chart_png(
            title,
            [label for label, _ in series] or ["—"],
            [None if value is None else value / 60 for _, value in series] or [None],
            unit="phút",
            target=target_min,
            target_label=f"mục tiêu {target_min:g} phút",
        )
        pdf.image(io.BytesIO(png), x=pdf.l_margin + index * (width + 6), y=top, w=width)
    pdf.set_y(top + height + 3)


def _notes(pdf: Any, report: Report) -> None:
    if not report.notes_vi:
        return
    pdf.set_font(FAMILY, "", 9)
    for note in report.notes_vi:
        pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
