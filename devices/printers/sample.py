"""Fixed sample documents for `motcua print-test`, the benchmark and the golden-byte test."""

from __future__ import annotations

from datetime import UTC, date, datetime

from devices.printers.port import ReceiptPrint, TicketPrint

# 08:05 on 22/11/2025 in Asia/Ho_Chi_Minh (UTC+7).
SAMPLE_ISSUED_AT = datetime(2025, 11, 22, 1, 5, tzinfo=UTC)


def sample_ticket(priority: bool = False) -> TicketPrint:
    return TicketPrint(
        office_name="Công an xã Tân Phú",
        number="A023",
        queue_name_vi="Cư trú",
        queue_name_en="Residence registration",
        issued_at=SAMPLE_ISSUED_AT,
        people_ahead=5,
        estimated_wait_s=12 * 60,
        qr_url="https://motcua.example.vn/t/TANPHU/A023",
        priority_label="Người cao tuổi" if priority else None,
        footer=(
            "Vui lòng chờ gọi số trên màn hình",
            "Please wait for your number on the screen",
            "Đường dây nóng / Hotline: 1900 0368",
        ),
    )


def sample_receipt() -> ReceiptPrint:
    return ReceiptPrint(
        office_name="Công an xã Tân Phú",
        dossier_code="TANPHU-251122-0042",
        citizen_name="Nguyễn Thị Hồng Nhung",
        citizen_id="001099004567",
        procedure_name="1.004222 Đăng ký thường trú",
        received_at=SAMPLE_ISSUED_AT,
        due_date=date(2025, 12, 1),
        papers=(
            ("Tờ khai thay đổi thông tin cư trú (CT01)", "1 bản chính"),
            ("Giấy tờ chứng minh chỗ ở hợp pháp", "1 bản sao có chứng thực"),
        ),
        footer=("Mang theo giấy này khi nhận kết quả", "Bring this receipt to collect the result"),
    )
