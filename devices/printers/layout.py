"""Draw tickets and receipts as 1-bit raster images (black = 0) the width of the paper.

Most thermal printers have no Vietnamese code page, so every character is drawn here with the bundled
DejaVu Sans font and the printer only receives a bit image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices.printers import code128
from devices.printers.port import ReceiptPrint, TicketPrint, check_paper

FONT_DIR = Path(__file__).parent / "fonts"
REGULAR_FONT = FONT_DIR / "DejaVuSans.ttf"
BOLD_FONT = FONT_DIR / "DejaVuSans-Bold.ttf"

Font = ImageFont.FreeTypeFont


def office_timezone() -> tzinfo:
    """Asia/Ho_Chi_Minh; without a tz database (e.g. Windows without tzdata) the fixed UTC+7 it has used
    since 1975."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Asia/Ho_Chi_Minh")
    except (ImportError, KeyError, OSError):
        return timezone(timedelta(hours=7), "ICT")


def local_time_text(moment: datetime) -> str:
    """HH:MM dd/mm/yyyy in office time."""
    return moment.astimezone(office_timezone()).strftime("%H:%M %d/%m/%Y")


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> Font:
    return ImageFont.truetype(str(BOLD_FONT if bold else REGULAR_FONT), size)


@dataclass(frozen=True)
class Style:
    """Font sizes and spacing for one paper width (dots at 203 dpi)."""

    width: int
    margin: int
    office: int
    label: int
    number_max_height: int
    heading: int
    body: int
    small: int
    qr_target: int
    gap: int

    @classmethod
    def for_paper(cls, paper: str) -> Style:
        width = check_paper(paper)
        if width >= 576:
            return cls(width, 16, 30, 20, 200, 34, 25, 21, 220, 10)
        return cls(width, 8, 22, 17, 150, 26, 20, 18, 168, 8)

    @property
    def content_width(self) -> int:
        return self.width - 2 * self.margin


# Text is drawn antialiased in grey and thresholded at the end: FreeType's 1-bit rendering at small sizes
# merges thin strokes such as the horn of Ư/Ơ into the stem, while a threshold keeps them.
INK_THRESHOLD = 144  # grey levels below this burn a dot
_TO_ONE_BIT = [0 if level < INK_THRESHOLD else 255 for level in range(256)]
PAPER, INK = 255, 0


class Canvas:
    """A strip of paper that grows downwards as blocks are added (grey while drawing, 1-bit when done)."""

    def __init__(self, style: Style) -> None:
        self.style = style
        self.image = Image.new("L", (style.width, 1600), PAPER)
        self.pen = ImageDraw.Draw(self.image)
        self.y = style.margin

    def _reserve(self, height: int) -> None:
        if self.y + height <= self.image.height:
            return
        taller = Image.new("L", (self.image.width, max(self.image.height * 2, self.y + height)), PAPER)
        taller.paste(self.image, (0, 0))
        self.image = taller
        self.pen = ImageDraw.Draw(self.image)

    def space(self, dots: int) -> None:
        self.y += dots

    def text(self, text: str, face: Font, align: str = "center", indent: int = 0) -> None:
        """Word-wrapped text; continuation lines get `indent` dots on the left."""
        ascent, descent = face.getmetrics()
        lead = int(face.size) // 8  # room above for stacked Vietnamese marks on capitals
        line_height = ascent + descent + lead
        for number, line in enumerate(wrap(text, face, self.style.content_width, indent)):
            self._reserve(line_height)
            left = self._left(face.getlength(line), align) + (indent if number and align == "left" else 0)
            self.pen.text((left, self.y + lead + ascent), line, font=face, fill=INK, anchor="ls")
            self.y += line_height

    def _left(self, width: float, align: str) -> int:
        if align == "left":
            return self.style.margin
        return (self.style.width - round(width)) // 2

    def big_text(self, text: str, max_height: int) -> None:
        """One line as large as fits the paper width and `max_height`."""
        face = fitted_font(text, self.style.content_width, max_height)
        left, top, right, bottom = (round(edge) for edge in face.getbbox(text))
        self._reserve(bottom - top)
        origin = ((self.style.width - (right - left)) // 2 - left, self.y - top)
        self.pen.text(origin, text, font=face, fill=INK)
        self.y += bottom - top

    def inverted_text(self, text: str, face: Font) -> None:
        """White text in a black band, for a priority label that staff spot from afar."""
        lines = wrap(text, face, self.style.content_width - 2 * self.style.gap, 0)
        ascent, descent = face.getmetrics()
        line_height = ascent + descent
        band = line_height * len(lines) + 2 * self.style.gap
        self._reserve(band)
        margin = self.style.margin
        self.pen.rectangle((margin, self.y, self.style.width - margin - 1, self.y + band - 1), fill=INK)
        y = self.y + self.style.gap
        for line in lines:
            origin = (self._left(face.getlength(line), "center"), y + ascent)
            self.pen.text(origin, line, font=face, fill=PAPER, anchor="ls")
            y += line_height
        self.y += band

    def rule(self) -> None:
        self._reserve(2 * self.style.gap + 2)
        self.y += self.style.gap
        self.pen.rectangle(
            (self.style.margin, self.y, self.style.width - self.style.margin - 1, self.y + 1), fill=INK
        )
        self.y += 2 + self.style.gap

    def picture(self, picture: Image.Image) -> None:
        self._reserve(picture.height)
        self.image.paste(picture.convert("L"), ((self.style.width - picture.width) // 2, self.y))
        self.y += picture.height

    def finish(self) -> Image.Image:
        """The 1-bit raster (mode "1": 0 = burn a dot)."""
        strip = self.image.crop((0, 0, self.image.width, self.y + self.style.margin))
        return strip.point(_TO_ONE_BIT, mode="1")


def wrap(text: str, face: Font, width: int, indent: int) -> list[str]:
    """Greedy word wrap; a word longer than the line is cut by characters."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        available = width - (indent if lines else 0)
        candidate = f"{current} {word}" if current else word
        if face.getlength(candidate) <= available:
            current = candidate
            continue
        if current:
            lines.append(current)
            available = width - indent
        while face.getlength(word) > available:
            cut = max(1, _fitting_prefix(word, face, available))
            lines.append(word[:cut])
            word = word[cut:]
            available = width - indent
        current = word
    if current:
        lines.append(current)
    return lines


def _fitting_prefix(word: str, face: Font, width: int) -> int:
    length = len(word)
    while length > 1 and face.getlength(word[:length]) > width:
        length -= 1
    return length


def fitted_font(text: str, max_width: int, max_height: int) -> Font:
    """The largest bold font whose ink for `text` fits in max_width x max_height."""
    probe = font(100, bold=True)
    left, top, right, bottom = probe.getbbox(text)
    scale = min(max_width / max(1, right - left), max_height / max(1, bottom - top))
    size = max(8, math.floor(100 * scale))
    while size > 8:
        left, top, right, bottom = font(size, bold=True).getbbox(text)
        if right - left <= max_width and bottom - top <= max_height:
            break
        size -= 1
    return font(size, bold=True)


def qr_image(payload: str, target: int) -> Image.Image:
    """The QR code as whole-dot modules, about `target` dots wide, with a 4-module quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=1)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    box = max(2, target // size)
    small = Image.new("1", (size, size), 1)
    small.putdata([0 if dark else 1 for row in matrix for dark in row])
    return small.resize((size * box, size * box), Image.Resampling.NEAREST)


def wait_minutes(estimated_wait_s: float | None) -> int | None:
    """A wait in whole minutes as the ticket and the kiosk's screen both say it (at least 1): half up, like
    the board, the phone page and the dashboard (analytics.figures.whole_minutes), not half-to-even."""
    if estimated_wait_s is None:
        return None
    return max(1, int(estimated_wait_s / 60 + 0.5))


def wait_minutes_text(estimated_wait_s: int | None) -> tuple[str, str]:
    minutes = wait_minutes(estimated_wait_s)
    if minutes is None:
        return "Thời gian chờ dự kiến: chưa xác định", "Estimated wait: not known yet"
    return f"Thời gian chờ dự kiến: khoảng {minutes} phút", f"Estimated wait: about {minutes} min"


def render_ticket(ticket: TicketPrint, paper: str = "80mm") -> Image.Image:
    """The ticket as a 1-bit image the width of the paper."""
    style = Style.for_paper(paper)
    canvas = Canvas(style)
    canvas.text(ticket.office_name.upper(), font(style.office, bold=True))
    canvas.rule()
    canvas.text("SỐ THỨ TỰ · YOUR NUMBER", font(style.label))
    canvas.space(style.gap)
    canvas.big_text(ticket.number, style.number_max_height)
    canvas.space(2 * style.gap)
    if ticket.priority_label:
        canvas.inverted_text(f"ƯU TIÊN · PRIORITY: {ticket.priority_label}", font(style.body, bold=True))
        canvas.space(style.gap)
    canvas.text(ticket.queue_name_vi, font(style.heading, bold=True))
    if ticket.queue_name_en:
        canvas.text(ticket.queue_name_en, font(style.body))
    canvas.rule()
    _ticket_facts(canvas, ticket)
    if ticket.qr_url:
        canvas.space(style.gap)
        canvas.picture(qr_image(ticket.qr_url, style.qr_target))
        canvas.text("Quét mã QR để theo dõi lượt của Ông/Bà", font(style.small))
        canvas.text("Scan the QR code to follow your turn", font(style.small))
    if ticket.dossier_code:
        canvas.space(style.gap)
        canvas.text(f"Mã hồ sơ / Dossier: {ticket.dossier_code}", font(style.body, bold=True))
    _footer(canvas, ticket.footer)
    return canvas.finish()


def _ticket_facts(canvas: Canvas, ticket: TicketPrint) -> None:
    style = canvas.style
    issued = local_time_text(ticket.issued_at)
    canvas.text(f"Giờ lấy số: {issued}", font(style.body))
    canvas.text(f"Issued at {issued}", font(style.small))
    canvas.space(style.gap)
    if not ticket.people_ahead:  # said as the kiosk's screen says it, with no wait to announce
        canvas.text("Không có ai chờ trước Ông/Bà", font(style.body, bold=True))
        canvas.text("Nobody is waiting ahead of you", font(style.small))
        return
    canvas.text(f"Số người đang chờ trước Ông/Bà: {ticket.people_ahead}", font(style.body, bold=True))
    canvas.text(f"People waiting ahead of you: {ticket.people_ahead}", font(style.small))
    canvas.space(style.gap)
    wait_vi, wait_en = wait_minutes_text(ticket.estimated_wait_s)
    canvas.text(wait_vi, font(style.body, bold=True))
    canvas.text(wait_en, font(style.small))


def _footer(canvas: Canvas, lines: tuple[str, ...]) -> None:
    if not lines:
        return
    canvas.rule()
    for line in lines:
        canvas.text(line, font(canvas.style.small))


def render_receipt(receipt: ReceiptPrint, paper: str = "80mm") -> Image.Image:
    """The dossier receipt as a 1-bit image the width of the paper."""
    style = Style.for_paper(paper)
    canvas = Canvas(style)
    canvas.text(receipt.office_name.upper(), font(style.office, bold=True))
    canvas.rule()
    canvas.text("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", font(style.body + 2, bold=True))
    canvas.text("Dossier receipt and appointment for the result", font(style.small))
    canvas.space(style.gap)
    canvas.text(f"Mã hồ sơ / Dossier code: {receipt.dossier_code}", font(style.body, bold=True))
    canvas.space(style.gap)
    canvas.picture(code128.draw(receipt.dossier_code, style.content_width, style.body * 3))
    canvas.rule()
    _receipt_facts(canvas, receipt)
    canvas.space(style.gap)
    canvas.picture(qr_image(receipt.dossier_code, style.qr_target * 3 // 4))
    canvas.text("Quét mã để tra cứu hồ sơ / Scan to look up the dossier", font(style.small))
    _footer(canvas, receipt.footer)
    return canvas.finish()


def _receipt_facts(canvas: Canvas, receipt: ReceiptPrint) -> None:
    style = canvas.style
    body, bold, small = font(style.body), font(style.body, bold=True), font(style.small)
    indent = style.body
    canvas.text(f"Người nộp / Applicant: {receipt.citizen_name}", body, "left", indent)
    canvas.text(f"Số định danh / ID number: {receipt.citizen_id}", body, "left", indent)
    canvas.text(f"Thủ tục / Procedure: {receipt.procedure_name}", body, "left", indent)
    if receipt.papers:
        canvas.space(style.gap // 2)
        canvas.text("Giấy tờ đã nhận / Papers received:", bold, "left")
        for number, (name, notes) in enumerate(receipt.papers, 1):
            detail = f" ({notes})" if notes else ""
            canvas.text(f"{number}. {name}{detail}", small, "left", indent)
    canvas.space(style.gap // 2)
    canvas.text(f"Tiếp nhận lúc / Received: {local_time_text(receipt.received_at)}", body, "left", indent)
    due = receipt.due_date.strftime("%d/%m/%Y")
    canvas.text(f"Ngày hẹn trả kết quả / Result due: {due}", bold, "left", indent)
