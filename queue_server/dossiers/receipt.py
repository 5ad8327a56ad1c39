"""The receipt "Giấy tiếp nhận hồ sơ và hẹn trả kết quả": as a thermal print and as an A4 PDF.

Both are built from the same receipt data (the answer of GET /api/v1/dossiers/{code}/receipt), so the two
never disagree. The PDF embeds the bundled DejaVu fonts (full Vietnamese), and draws the CODE128 barcode and
the QR code as vector boxes so they stay sharp on any printer.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from devices.printers.port import ReceiptPrint

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def receipt_print(data: dict[str, Any]) -> ReceiptPrint:
    """A ReceiptPrint for `TicketPrinter.print_receipt`, from the receipt JSON (or the service's dict)."""
    from devices.printers.port import ReceiptPrint

    return ReceiptPrint(
        office_name=str(data["office_name"]),
        dossier_code=str(data["dossier_code"]),
        citizen_name=str(data["citizen_name"]),
        citizen_id=str(data["citizen_id"]),
        procedure_name=str(data["procedure_name"]),
        received_at=_as_datetime(data["received_at"]),
        due_date=_as_date(data["due_date"]),
        papers=tuple((str(name), str(notes)) for name, notes in data.get("papers", [])),
        footer=tuple(str(line) for line in data.get("footer", [])),
    )


def receipt_pdf(data: dict[str, Any], *, lookup_url: str = "") -> bytes:
    """The receipt (Mẫu 01) on one A4 page."""
    pdf = _new_pdf(f"Giấy tiếp nhận hồ sơ {data['dossier_code']}")
    _heading(pdf, data)
    _codes(pdf, str(data["dossier_code"]), lookup_url)
    _facts(pdf, data)
    _papers(pdf, data)
    _due(pdf, data)
    _signatures(pdf)
    return bytes(pdf.output())


def _new_pdf(title: str) -> Any:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(title)
    pdf.set_creator("motcua")
    fonts = resources.files("devices.printers") / "fonts"
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    return pdf


def _heading(pdf: Any, data: dict[str, Any]) -> None:
    _heading_block(
        pdf,
        str(data["office_name"]),
        "Mẫu số 01",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Dossier receipt and appointment for the result",
        data["dossier_code"],
    )


def _heading_block(pdf: Any, office: str, form: str, title_vi: str, title_en: str, code: str) -> None:
    """The state heading of every one-stop form: office left, national motto right, then the title."""
    width = pdf.epw / 2
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4, form, align="R", new_x="LMARGIN", new_y="NEXT")
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.multi_cell(width, 5, office.upper(), align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin + width, top)
    pdf.multi_cell(width, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_x(pdf.l_margin + width)
    pdf.multi_cell(width, 5, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LEFT", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(0, 7, title_vi, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, title_en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(0, 7, f"Mã hồ sơ: {code}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _codes(pdf: Any, code: str, lookup_url: str) -> None:
    from devices.printers.code128 import modules

    bars = modules(code)
    module = 0.33
    width = len(bars) * module
    qr_size = 24
    top = pdf.get_y() + 2
    left = pdf.l_margin + (pdf.epw - width - qr_size - 8) / 2
    for index, is_bar in enumerate(bars):
        if is_bar:
            pdf.rect(left + index * module, top + 5, module, 14, style="F")
    _qr(pdf, lookup_url or code, left + width + 8, top, qr_size)
    pdf.set_y(top + qr_size + 4)


def _qr(pdf: Any, payload: str, left: float, top: float, size: float) -> None:
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    box = size / len(matrix)
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                pdf.rect(left + column * box, top + row * box, box + 0.01, box + 0.01, style="F")


def _line(pdf: Any, label: str, value: str) -> None:
    pdf.set_font("DejaVu", "", 11)
    pdf.write(6, f"{label}: ")
    pdf.set_font("DejaVu", "B", 11)
    pdf.write(6, value)
    pdf.ln(7)


def _facts(pdf: Any, data: dict[str, Any]) -> None:
    received = _as_datetime(data["received_at"]).astimezone(ZONE)
    _line(pdf, "Người nộp hồ sơ", str(data["citizen_name"]))
    _line(pdf, "Số định danh cá nhân", str(data["citizen_id"]))
    _line(pdf, "Thủ tục", str(data["procedure_name"]))
    _line(pdf, "Tiếp nhận lúc", received.strftime("%H giờ %M, ngày %d/%m/%Y"))
    pdf.ln(1)


def _papers(pdf: Any, data: dict[str, Any]) -> None:
    papers = data.get("papers") or []
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, "Thành phần hồ sơ đã nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    if not papers:
        pdf.multi_cell(0, 6, "   (không có giấy tờ kèm theo)", new_x="LMARGIN", new_y="NEXT")
    for number, (name, notes) in enumerate(papers, 1):
        detail = f" — {notes}" if notes else ""
        pdf.multi_cell(0, 6, f"   {number}. {name}{detail}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)


def _due(pdf: Any, data: dict[str, Any]) -> None:
    due = _as_date(data["due_date"])
    legal = data.get("legal_days")
    if legal is not None:
        _line(pdf, "Thời hạn giải quyết", f"{legal} ngày làm việc")
    _line(pdf, "Ngày hẹn trả kết quả", due.strftime("%d/%m/%Y"))
    pdf.set_font("DejaVu", "", 9)
    for line in data.get("footer") or []:
        pdf.multi_cell(0, 5, str(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)


def _signatures(pdf: Any, titles: tuple[str, str] = ("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ")) -> None:
    width = pdf.epw / 2
    top = pdf.get_y()
    for column, title in enumerate(titles):
        pdf.set_xy(pdf.l_margin + column * width, top)
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(width, 5, title, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(width, 5, "(Ký, ghi rõ họ tên)", align="C", new_x="LEFT", new_y="NEXT")
