"""Words on the kiosk's screens: Vietnamese first, English second.

`Text` is one message in both languages; `T` is the catalogue of fixed wording, looked up by key;
`say(text, language)` picks the language (the .kv files call it through the app).
"""

from __future__ import annotations

from typing import NamedTuple


class Text(NamedTuple):
    vi: str
    en: str

    def __call__(self, language: str) -> str:
        return self.en if language == "en" else self.vi


EMPTY = Text("", "")

T: dict[str, Text] = {
    "app.title": Text("Bộ phận Một cửa", "One-stop office"),
    "start.welcome": Text("Xin chào! Bạn cần làm gì hôm nay?", "Hello! What would you like to do today?"),
    "start.submit": Text("Nộp hồ sơ", "Submit a case"),
    "start.submit.sub": Text("Thủ tục hành chính", "Administrative procedure"),
    "start.ticket": Text("Lấy số thứ tự", "Take a number"),
    "start.ticket.sub": Text("Chờ đến lượt tại quầy", "Wait for your turn at a counter"),
    "start.lookup": Text("Tra cứu hồ sơ", "Look up a case"),
    "start.lookup.sub": Text("Quét mã trên giấy hẹn", "Scan the code on your receipt"),
    "start.rate": Text("Đánh giá", "Rate our service"),
    "start.rate.sub": Text("Mức độ hài lòng", "How satisfied are you?"),
    "start.appointment": Text("Có lịch hẹn", "I have an appointment"),
    "start.appointment.sub": Text("Nhập mã lịch hẹn", "Enter your appointment code"),
    "lang.toggle": Text("English", "Tiếng Việt"),
    "contrast.toggle": Text("Tương phản cao", "High contrast"),
    "bigger.toggle": Text("Chữ lớn", "Larger text"),
    "back": Text("Quay lại", "Back"),
    "home": Text("Về đầu", "Start over"),
    "next": Text("Tiếp tục", "Continue"),
    "ok": Text("Đồng ý", "OK"),
    "done": Text("Xong", "Done"),
    "loading": Text("Đang tải…", "Loading…"),
    "identify.title": Text("Xác định công dân", "Who are you?"),
    "identify.hint": Text(
        "Đưa mã QR trên căn cước gắn chip vào trước camera hoặc máy quét, hoặc nhập số căn cước.",
        "Hold the QR code of your chip ID card to the camera or the scanner, or type your ID number.",
    ),
    "identify.typed": Text("Nhập số căn cước (12 chữ số)", "Type your ID number (12 digits)"),
    "identify.confirm": Text("Đúng là tôi", "Yes, that is me"),
    "identify.not_me": Text("Không phải tôi", "That is not me"),
    "identify.name": Text("Họ và tên", "Full name"),
    "identify.birth": Text("Ngày sinh", "Date of birth"),
    "identify.address": Text("Nơi thường trú", "Permanent address"),
    "identify.id": Text("Số căn cước", "ID number"),
    "identify.bad_typed": Text(
        "Số căn cước phải có đủ 12 chữ số. Xin kiểm tra và nhập lại.",
        "The ID number must have 12 digits. Please check it and type it again.",
    ),
    "identify.not_card": Text(
        "Mã vừa quét không phải mã QR của căn cước. Xin quét mặt trước căn cước gắn chip.",
        "That code is not an ID card QR code. Please scan the front of your chip ID card.",
    ),
    "queue.title": Text("Chọn dịch vụ", "Choose a service"),
    "queue.waiting": Text("{waiting} người đang chờ", "{waiting} waiting"),
    "queue.wait": Text("Chờ khoảng {minutes} phút", "About {minutes} min wait"),
    "queue.closed": Text("Đang đóng", "Closed now"),
    "priority.title": Text("Bạn thuộc diện ưu tiên?", "Are you entitled to priority?"),
    "priority.none": Text("Không ưu tiên", "No priority"),
    "priority.suggested": Text(
        "Theo ngày sinh trên căn cước, bạn được ưu tiên: {group}",
        "From the birth date on your card you may have priority: {group}",
    ),
    "ticket.title": Text("Số thứ tự của bạn", "Your number"),
    "ticket.ahead": Text("Còn {ahead} người trước bạn", "{ahead} people ahead of you"),
    "ticket.wait": Text("Thời gian chờ dự kiến: {minutes} phút", "Expected wait: {minutes} min"),
    "ticket.printed": Text("Phiếu đã in. Xin nhận phiếu bên dưới.", "Your ticket is printed below."),
    "ticket.print_failed": Text(
        "Chưa in được phiếu: {reason}. Xin chụp ảnh màn hình này hoặc mã QR để theo dõi lượt của bạn.",
        "The ticket could not be printed: {reason}. "
        "Please photograph this screen or the QR code to follow your turn.",
    ),
    "ticket.no_printer": Text(
        "Kiosk này không có máy in. Xin chụp mã QR để theo dõi lượt của bạn.",
        "This kiosk has no printer. Please photograph the QR code to follow your turn.",
    ),
    "ticket.qr": Text("Quét mã để theo dõi trên điện thoại", "Scan to follow on your phone"),
    "ticket.dossier": Text("Mã hồ sơ: {code}", "Case code: {code}"),
    "idle.title": Text("Bạn còn ở đây không?", "Are you still there?"),
    "idle.body": Text(
        "Để bảo vệ thông tin của bạn, phiên sẽ kết thúc sau {seconds} giây.",
        "To protect your information, this session ends in {seconds} seconds.",
    ),
    "idle.stay": Text("Tôi vẫn ở đây", "I am still here"),
    "oos.title": Text("Tạm ngừng phục vụ", "Temporarily out of service"),
    "oos.body": Text(
        "Kiosk đang mất kết nối với máy chủ. Xin vui lòng đến quầy tiếp nhận hoặc chờ trong giây lát.",
        "The kiosk has lost its connection to the server. Please go to a counter or wait a moment.",
    ),
    "oos.retry": Text("Thử lại sau {seconds} giây", "Trying again in {seconds} s"),
    "maint.title": Text("Bảo trì (cán bộ)", "Maintenance (staff)"),
    "maint.pin": Text("Nhập mã PIN", "Enter the PIN"),
    "maint.bad_pin": Text("Mã PIN không đúng.", "Wrong PIN."),
    "maint.server": Text("Máy chủ", "Server"),
    "lookup.title": Text("Tra cứu hồ sơ", "Look up a case"),
    "lookup.hint": Text(
        "Quét mã QR trên giấy tiếp nhận, hoặc nhập mã hồ sơ và 4 số cuối căn cước.",
        "Scan the QR code on your receipt, or type the case code and the last 4 digits of your ID.",
    ),
    "lookup.code": Text("Mã hồ sơ", "Case code"),
    "lookup.last4": Text("4 số cuối căn cước", "Last 4 digits of your ID"),
    "lookup.search": Text("Tra cứu", "Look up"),
    "lookup.status": Text("Trạng thái", "Status"),
    "lookup.due": Text("Ngày hẹn trả kết quả: {day}", "Result due on: {day}"),
    "lookup.missing": Text("Cần bổ sung", "Still needed"),
    "rate.title": Text("Đánh giá mức độ hài lòng", "How satisfied were you?"),
    "rate.hint": Text(
        "Quét mã QR trên phiếu số thứ tự của bạn (hoặc nhập mã in dưới mã QR).",
        "Scan the QR code on your ticket (or type the code printed under it).",
    ),
    "rate.got_ticket": Text("Đã đọc mã phiếu. Xin chọn một khuôn mặt.", "Ticket read. Please choose a face."),
    "rate.reasons": Text("Điều gì chưa tốt? (chọn một hoặc nhiều)", "What was not good? (choose any)"),
    "rate.send": Text("Gửi đánh giá", "Send"),
    "rate.thanks": Text("Cảm ơn bạn đã đánh giá!", "Thank you for your rating!"),
    "rate.faces": Text(
        "Rất không hài lòng|Không hài lòng|Bình thường|Hài lòng|Rất hài lòng",
        "Very unhappy|Unhappy|Neutral|Happy|Very happy",
    ),
    "appointment.title": Text("Có lịch hẹn", "I have an appointment"),
    "appointment.code": Text("Mã lịch hẹn", "Appointment code"),
    "appointment.checkin": Text("Xác nhận đến", "Check in"),
    "procedure.title": Text("Chọn thủ tục", "Choose a procedure"),
    "procedure.search": Text("Tìm thủ tục (gõ có dấu hoặc không dấu)", "Search (with or without accents)"),
    "procedure.fee": Text("Lệ phí: {fee}", "Fee: {fee}"),
    "procedure.free": Text("Không mất lệ phí", "No fee"),
    "procedure.days": Text(
        "Thời hạn giải quyết: {days} ngày làm việc", "Processing time: {days} working days"
    ),
    "procedure.papers": Text("Giấy tờ cần có", "Papers needed"),
    "procedure.choose": Text("Chọn thủ tục này", "Choose this procedure"),
    "prepare.title": Text("Chuẩn bị hồ sơ", "Prepare your case"),
    "prepare.on_file": Text("đã có, không cần nộp lại", "on file, no need to supply again"),
    "prepare.needed": Text("cần nộp", "needed"),
    "prepare.optional": Text("không bắt buộc", "optional"),
    "prepare.form": Text("Tờ khai", "Declaration"),
    "prepare.scan": Text("Chụp giấy tờ", "Scan papers"),
    "scan.title": Text("Chụp giấy tờ: {paper}", "Scan: {paper}"),
    "scan.hint": Text(
        "Đặt cả tờ giấy dưới camera. Máy sẽ tự chụp khi rõ nét.",
        "Lay the whole sheet under the camera. It is taken by itself when sharp.",
    ),
    "scan.pages": Text("{count} trang", "{count} page(s)"),
    "scan.retake": Text("Chụp lại", "Retake"),
    "scan.next_paper": Text("Giấy tờ tiếp theo", "Next paper"),
    "scan.upload": Text("Gửi giấy tờ", "Upload"),
    "scan.uploaded": Text("Đã gửi", "Uploaded"),
    "scan.capture": Text("Chụp", "Capture"),
    "submit.title": Text("Kiểm tra và nộp hồ sơ", "Review and submit"),
    "submit.go": Text("Nộp hồ sơ", "Submit"),
    "submit.missing": Text(
        "Còn thiếu giấy tờ; cán bộ sẽ hướng dẫn bổ sung tại quầy.",
        "Some papers are missing; the officer will tell you how to supply them.",
    ),
}


def say(text: Text | str | None, language: str) -> str:
    """The text in a language; a key of T is looked up, a plain string is shown as it is."""
    if text is None:
        return ""
    if isinstance(text, Text):
        return text(language)
    if isinstance(text, tuple | list) and len(text) == 2:
        return str(text[1] if language == "en" else text[0])
    found = T.get(text)
    return found(language) if found else text


def minutes(seconds: int | float | None) -> int | None:
    """A wait in whole minutes, rounded up (a citizen reads "1 phút", not "0 phút", for 20 s)."""
    if seconds is None:
        return None
    return max(1, int(-(-float(seconds) // 60))) if seconds > 0 else 0
