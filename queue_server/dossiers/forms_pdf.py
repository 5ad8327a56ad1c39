"""The national forms of the one-stop desk other than the receipt (Mẫu 01, in receipt.py), each one A4 page.

Wording after the templates attached to Circular 01/2018/TT-VPCP (guidance on Decree 61/2018/NĐ-CP, as kept
by Decree 107/2021/NĐ-CP): Mẫu 02 "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", Mẫu 03 "Phiếu từ chối tiếp
nhận giải quyết hồ sơ", Mẫu 04 "Phiếu xin lỗi và hẹn lại ngày trả kết quả". Which of their fields are not
confirmed against the printed templates is listed in docs/cases.md.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from queue_server.dossiers.receipt import ZONE, _as_date, _as_datetime, _heading_block, _new_pdf, _signatures

FORMS = {
    "02": ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Request to complete the dossier"),
    "03": ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Refusal to receive the dossier"),
    "04": ("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Apology and new date for the result"),
}


def form_pdf(number: str, data: dict[str, Any]) -> bytes:
    """Mẫu 02, 03 or 04 for one dossier, from the fields of `DossierReports.form_data`."""
    title_vi, title_en = FORMS[number]
    pdf = _new_pdf(f"{title_vi} {data['dossier_code']}")
    _heading_block(
        pdf, str(data["office_name"]), f"Mẫu số {number}", title_vi, title_en, data["dossier_code"]
    )
    _paragraph(pdf, f"{data['office_name']} tiếp nhận hồ sơ của: {data['citizen_name']}")
    _paragraph(pdf, f"Số định danh cá nhân: {data['citizen_id']}")
    _paragraph(pdf, f"Nội dung yêu cầu giải quyết: {data['procedure_name']}")
    if number == "02":
        _paragraph(pdf, "Yêu cầu bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:")
        for index, name in enumerate(data.get("papers") or [], 1):
            _paragraph(pdf, f"   {index}. {name}")
        if data.get("reason"):
            _paragraph(pdf, f"Lý do: {data['reason']}")
        _paragraph(
            pdf,
            "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, ông/bà liên hệ Bộ phận Một cửa để được "
            "hướng dẫn. Thời hạn giải quyết tạm dừng cho đến khi nhận đủ giấy tờ bổ sung.",
        )
    elif number == "03":
        _paragraph(pdf, "Cơ quan, đơn vị từ chối tiếp nhận giải quyết hồ sơ này với lý do cụ thể như sau:")
        _paragraph(pdf, f"   {data.get('reason') or ''}")
        _paragraph(pdf, "Xin thông báo để ông/bà được biết và thực hiện.")
    else:
        received = _as_datetime(data["received_at"]).astimezone(ZONE)
        _paragraph(
            pdf, f"Ngày tiếp nhận: {received:%d/%m/%Y}; hẹn trả kết quả: {_day(data['original_due_date'])}."
        )
        _paragraph(pdf, f"Lý do chậm trả kết quả: {data.get('reason') or ''}")
        _paragraph(
            pdf,
            "Cơ quan, đơn vị xin lỗi ông/bà vì sự chậm trễ này và hẹn trả kết quả vào ngày "
            f"{_day(data['due_date'])}.",
        )
    issued = _as_datetime(data["issued_at"]).astimezone(ZONE)
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(
        0, 6, f"Ngày {issued:%d} tháng {issued:%m} năm {issued:%Y}", align="R", new_x="LMARGIN", new_y="NEXT"
    )
    _signatures(pdf, ("NGƯỜI NỘP HỒ SƠ", "NGƯỜI LẬP PHIẾU"))
    return bytes(pdf.output())


def _paragraph(pdf: Any, text: str) -> None:
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _day(value: date | datetime | str | None) -> str:
    return "—" if value is None else _as_date(value).strftime("%d/%m/%Y")
