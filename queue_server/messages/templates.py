"""The citizen's messages in Vietnamese (polite "Ông/Bà"), and their unaccented form for gateways that
need plain GSM text. Numbers, counters, codes and dates only: never an ID number, a name or an address."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

TEMPLATES: dict[str, str] = {
    "near": "{office}: số {number} của Ông/Bà sắp đến lượt (còn {ahead} người phía trước). "
    "Mời Ông/Bà có mặt tại nơi chờ.",
    "call": "{office}: mời Ông/Bà có số {number} đến quầy {counter}.",
    "appointment_booked": "{office}: Ông/Bà đã đặt lịch {queue} lúc {time} ngày {date}. "
    "Mã lịch hẹn {code}. Xem, đổi hoặc hủy: {link}",
    "appointment_reminder": "{office}: nhắc Ông/Bà lịch hẹn {queue} lúc {time} ngày mai {date}. "
    "Mã lịch hẹn {code}.",
    "case_received": "{office}: hồ sơ {dossier} của Ông/Bà đã được tiếp nhận. Ngày hẹn trả kết quả: {due}.",
    "case_papers_requested": "{office}: hồ sơ {dossier} của Ông/Bà cần bổ sung: {papers}. "
    "Mời Ông/Bà bổ sung giấy tờ.",
    "case_result_ready": "{office}: hồ sơ {dossier} của Ông/Bà đã có kết quả. Mời Ông/Bà đến nhận.",
    "case_overdue": "{office}: chúng tôi xin lỗi Ông/Bà, hồ sơ {dossier} chưa giải quyết xong "
    "đúng hẹn ngày {due}. Chúng tôi sẽ báo Ông/Bà ngày trả kết quả mới.",
    "one_time_code": "Mã xác nhận lấy số của Ông/Bà: {code} (hiệu lực 5 phút). Không chia sẻ mã này.",
}

SUBJECTS: dict[str, str] = {
    "near": "Sắp đến lượt của Ông/Bà",
    "call": "Mời Ông/Bà đến quầy",
    "appointment_booked": "Xác nhận lịch hẹn",
    "appointment_reminder": "Nhắc lịch hẹn ngày mai",
    "case_received": "Hồ sơ đã được tiếp nhận",
    "case_papers_requested": "Hồ sơ cần bổ sung giấy tờ",
    "case_result_ready": "Hồ sơ đã có kết quả",
    "case_overdue": "Thư xin lỗi: hồ sơ trễ hẹn",
    "one_time_code": "Mã xác nhận",
}


def render(kind: str, data: dict[str, Any], *, office_name: str, zone: ZoneInfo) -> str:
    values = {key: _shown(value, zone) for key, value in data.items()}
    values.setdefault("office", office_name)
    if "at" in data:  # a moment stored as ISO text: shown as the office's local time and date
        local = datetime.fromisoformat(str(data["at"])).astimezone(zone)
        values.setdefault("time", local.strftime("%H:%M"))
        values.setdefault("date", local.strftime("%d/%m/%Y"))
    return TEMPLATES[kind].format_map(_Missing(values))


def unaccented(text: str) -> str:
    """ "Mời Ông/Bà đến quầy" → "Moi Ong/Ba den quay": what a GSM-7 brand-name SMS can carry."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _shown(value: Any, zone: ZoneInfo) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "…"
