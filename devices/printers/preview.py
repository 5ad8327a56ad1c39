"""Read the ESC/POS bytes we send back into pictures of the paper, one per cut.

Understands what motcua and python-escpos emit: ESC @, LF/CR, ESC d n, ESC J n, ESC 2, ESC 3 n, ESC a n,
the common one-byte text-style settings, plain text (cp437, drawn with the bundled font in 24-dot lines
like font A), GS v 0 raster bit images, GS ( L raster graphics (store + print), GS V cuts and DLE EOT
status requests.
Anything else is an error naming the byte offset, so a test never passes over bytes it did not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from devices.printers.layout import FONT_DIR
from devices.printers.port import check_paper

ESC, GS, DLE, LF, CR = 0x1B, 0x1D, 0x10, 0x0A, 0x0D
DEFAULT_LINE_SPACING = 30  # dots: 1/6 inch at 180 dpi motion units, what Epson-compatible printers use
TEXT_CELL = (12, 24)  # font A cell in dots
# ESC x n commands with one parameter byte that only change text style; the preview ignores the style.
_ESC_STYLE_1 = frozenset(b"!-EGMRSVt{")
_GS_STYLE_1 = frozenset(b"!BbL")


class PreviewError(ValueError):
    """Bytes the preview cannot read, with the offset where it stopped."""


@dataclass
class _Page:
    width: int
    pieces: list[tuple[int, int, Image.Image]] = field(default_factory=list)
    y: int = 0

    def place(self, image: Image.Image, align: int) -> None:
        if image.width > self.width:
            raise PreviewError(f"bit image is {image.width} dots wide, paper has {self.width}")
        left = {0: 0, 1: (self.width - image.width) // 2, 2: self.width - image.width}[align]
        self.pieces.append((left, self.y, image))
        self.y += image.height

    def render(self) -> Image.Image:
        page = Image.new("1", (self.width, max(1, self.y)), 1)
        for left, top, piece in self.pieces:
            page.paste(piece, (left, top))
        return page

    @property
    def empty(self) -> bool:
        return not self.pieces and self.y == 0


@lru_cache(maxsize=1)
def _text_font() -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), 20)


class _Reader:
    """Walks the byte stream and fills pages."""

    def __init__(self, data: bytes, width: int) -> None:
        self.data = data
        self.width = width
        self.pos = 0
        self.pages: list[Image.Image] = []
        self.page = _Page(width)
        self.text = bytearray()
        self.graphics: Image.Image | None = None
        self._reset()

    def _reset(self) -> None:
        self.line_spacing = DEFAULT_LINE_SPACING
        self.align = 0

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise PreviewError(f"command at offset {self.pos - 1} is cut short: needs {count} more bytes")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def run(self) -> list[Image.Image]:
        while self.pos < len(self.data):
            start = self.pos
            byte = self.take(1)[0]
            if byte == ESC:
                self._esc(start)
            elif byte == GS:
                self._gs(start)
            elif byte == DLE:
                self._dle(start)
            elif byte == LF:
                self._feed_lines(1)
            elif byte == CR:
                continue
            elif byte >= 0x20:
                self.text.append(byte)
            else:
                raise PreviewError(f"unknown control byte 0x{byte:02x} at offset {start}")
        self._flush_text()
        if not self.page.empty:
            self.pages.append(self.page.render())
        return self.pages

    def _esc(self, start: int) -> None:
        command = self.take(1)[0]
        if command == ord("@"):
            self._flush_text()
            self._reset()
        elif command == ord("d"):
            self._feed_lines(self.take(1)[0])
        elif command == ord("J"):
            self._flush_text()
            self.page.y += self.take(1)[0]
        elif command == ord("2"):
            self.line_spacing = DEFAULT_LINE_SPACING
        elif command == ord("3"):
            self.line_spacing = self.take(1)[0]
        elif command == ord("a"):
            self.align = self.take(1)[0] % 48
            if self.align > 2:
                raise PreviewError(f"ESC a {self.align} at offset {start}: alignment must be 0, 1 or 2")
        elif command == ord("p"):
            self.take(3)  # cash drawer pulse
        elif command in _ESC_STYLE_1:
            self.take(1)
        else:
            raise PreviewError(f"unsupported command ESC 0x{command:02x} at offset {start}")

    def _gs(self, start: int) -> None:
        command = self.take(1)[0]
        if command == ord("v"):
            self._raster(start)
        elif command == ord("("):
            self._graphics(start)
        elif command == ord("V"):
            self._cut()
        elif command in _GS_STYLE_1:
            self.take(1)
        else:
            raise PreviewError(f"unsupported command GS 0x{command:02x} at offset {start}")

    def _dle(self, start: int) -> None:
        command, argument = self.take(2)
        if command != 0x04 or argument not in (1, 2, 3, 4):
            raise PreviewError(f"unsupported real-time command DLE 0x{command:02x} at offset {start}")

    def _raster(self, start: int) -> None:
        """GS v 0 m xL xH yL yH d1...dk."""
        if self.take(1) != b"0":
            raise PreviewError(f"GS v at offset {start} is not GS v 0")
        mode, x_low, x_high, y_low, y_high = self.take(5)
        if mode % 48 > 3:
            raise PreviewError(f"GS v 0 at offset {start}: mode {mode} must be 0-3")
        width_bytes, height = x_low + 256 * x_high, y_low + 256 * y_high
        bits = self.take(width_bytes * height)
        self._place_bits(bits, width_bytes, height, mode % 48)

    def _graphics(self, start: int) -> None:
        """GS ( L pL pH m fn ...: store raster graphics (fn 112) and print it (fn 50)."""
        if self.take(1) != b"L":
            raise PreviewError(f"unsupported command GS ( at offset {start}: only GS ( L graphics")
        p_low, p_high = self.take(2)
        body = self.take(p_low + 256 * p_high)
        if len(body) < 2 or body[0] != 0x30:
            raise PreviewError(f"unsupported GS ( L at offset {start}")
        function = body[1]
        if function == 50:
            if self.graphics is None:
                raise PreviewError(f"GS ( L print at offset {start} with no stored graphics")
            self._flush_text()
            self.page.place(self.graphics, self.align)
            self.graphics = None
        elif function == 112:
            self.graphics = self._stored_graphics(body[2:], start)
        else:
            raise PreviewError(f"unsupported GS ( L function {function} at offset {start}")

    def _stored_graphics(self, body: bytes, start: int) -> Image.Image:
        tone, scale_x, scale_y, color = body[:4]
        width = body[4] + 256 * body[5]
        height = body[6] + 256 * body[7]
        width_bytes = (width + 7) // 8
        bits = body[8:]
        if tone != 0x30 or color != 0x31 or len(bits) != width_bytes * height:
            raise PreviewError(f"unsupported or malformed GS ( L graphics at offset {start}")
        image = _bits_to_image(bits, width_bytes, height).crop((0, 0, width, height))
        return image.resize((width * scale_x, height * scale_y), Image.Resampling.NEAREST)

    def _place_bits(self, bits: bytes, width_bytes: int, height: int, mode: int) -> None:
        self._flush_text()
        image = _bits_to_image(bits, width_bytes, height)
        if mode:
            scale_x, scale_y = (2 if mode in (1, 3) else 1), (2 if mode in (2, 3) else 1)
            image = image.resize((image.width * scale_x, image.height * scale_y), Image.Resampling.NEAREST)
        self.page.place(image, self.align)

    def _feed_lines(self, count: int) -> None:
        printed_text = self._flush_text()
        self.page.y += max(0, count * self.line_spacing - (TEXT_CELL[1] if printed_text else 0))

    def _flush_text(self) -> bool:
        if not self.text:
            return False
        line = self.text.decode("cp437")
        self.text.clear()
        strip = Image.new("1", (self.width, TEXT_CELL[1]), 1)
        ImageDraw.Draw(strip).text((0, 0), line, font=_text_font(), fill=0)
        self.page.place(strip, 0)
        return True

    def _cut(self) -> None:
        mode = self.take(1)[0]
        if mode in (65, 66):
            self.page.y += self.take(1)[0]
        elif mode not in (0, 1, 48, 49):
            raise PreviewError(f"GS V {mode} at offset {self.pos - 2} is not a known cut")
        self._flush_text()
        self.pages.append(self.page.render())
        self.page = _Page(self.width)


_INVERT = bytes(255 - value for value in range(256))


def _bits_to_image(bits: bytes, width_bytes: int, height: int) -> Image.Image:
    """Raster bytes (1 = burn a dot) to a mode "1" image where black is 0."""
    inverted = bits.translate(_INVERT)
    return Image.frombytes("1", (width_bytes * 8, height), inverted)


def render_pages(data: bytes, paper: str = "80mm") -> list[Image.Image]:
    """One image per cut piece of paper (and one for anything printed after the last cut)."""
    return _Reader(data, check_paper(paper)).run()


def stack_pages(pages: list[Image.Image], gap: int = 24) -> Image.Image:
    """All pages one under another on a grey strip, the way they come out of the printer."""
    if not pages:
        raise PreviewError("no printed pages to preview")
    width = max(page.width for page in pages)
    height = sum(page.height for page in pages) + gap * (len(pages) - 1)
    sheet = Image.new("L", (width, height), 160)
    y = 0
    for page in pages:
        sheet.paste(page.convert("L"), (0, y))
        y += page.height + gap
    return sheet


def save_preview(data: bytes, path: Path, paper: str = "80mm") -> Path:
    """Write the preview PNG of `data` to `path` (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stack_pages(render_pages(data, paper)).save(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """python -m devices.printers.preview BYTES.bin OUT.png [--paper 58mm] [--last]"""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m devices.printers.preview", description=__doc__)
    parser.add_argument("source", type=Path, help="ESC/POS bytes, e.g. what a file:// printer wrote")
    parser.add_argument("out", type=Path, help="PNG to write")
    parser.add_argument("--paper", choices=("80mm", "58mm"), default="80mm")
    parser.add_argument("--last", action="store_true", help="only the last cut piece of paper")
    args = parser.parse_args(argv)
    try:
        pages = render_pages(args.source.read_bytes(), args.paper)
        if args.last:
            pages = pages[-1:]
        args.out.parent.mkdir(parents=True, exist_ok=True)
        stack_pages(pages).save(args.out)
    except (OSError, PreviewError) as error:
        print(f"preview: {args.source}: {error}")
        return 1
    print(f"{args.out}: {len(pages)} piece(s) of paper")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
