"""CODE128 bar patterns for printable ASCII, drawn into the ticket raster.

Uses code set B for text and switches to code set C for runs of digits (two digits per symbol), which
keeps dossier codes like "TANPHU-251122-0042" short enough for 58 mm paper.
"""

from __future__ import annotations

from PIL import Image, ImageDraw

# Bar/space widths (in modules) of symbol values 0..106 (103-105: start A/B/C, 106: stop), from the
# CODE128 symbology specification.
_PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)  # fmt: skip

_START_B, _START_C, _CODE_B, _CODE_C, _STOP = 104, 105, 100, 99, 106
QUIET_MODULES = 10


def _digit_run(text: str, start: int) -> int:
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return end - start


def symbol_values(text: str) -> list[int]:
    """The symbol values for `text` (start, data, checksum, stop)."""
    if not text or not all(32 <= ord(char) < 127 for char in text):
        raise ValueError(f"CODE128 needs printable ASCII text, got {text!r}")
    code_c = _digit_run(text, 0) >= 4
    values = [_START_C if code_c else _START_B]
    index = 0
    while index < len(text):
        run = _digit_run(text, index)
        if code_c:
            if run >= 2:
                values.append(int(text[index : index + 2]))
                index += 2
                continue
            values.append(_CODE_B)
            code_c = False
        worth_code_c = run >= 6 or (run >= 4 and index + run == len(text))
        if worth_code_c and run % 2 == 0:
            values.append(_CODE_C)
            code_c = True
            continue
        values.append(ord(text[index]) - 32)
        index += 1
    checksum = (values[0] + sum(position * value for position, value in enumerate(values[1:], 1))) % 103
    return [*values, checksum, _STOP]


def modules(text: str) -> list[bool]:
    """Bar (True) / space (False) per module, quiet zones included."""
    bars = [False] * QUIET_MODULES
    for value in symbol_values(text):
        for position, width in enumerate(_PATTERNS[value]):
            bars.extend([position % 2 == 0] * int(width))
    bars.extend([False] * QUIET_MODULES)
    return bars


def draw(text: str, max_width: int, height: int) -> Image.Image:
    """A 1-bit image of the barcode, as wide as fits in `max_width` with whole-dot modules."""
    bars = modules(text)
    module_dots = max_width // len(bars)
    if module_dots < 1:
        raise ValueError(f"barcode for {text!r} needs {len(bars)} dots, paper has {max_width}")
    module_dots = min(module_dots, 3)
    image = Image.new("1", (len(bars) * module_dots, height), 1)
    pen = ImageDraw.Draw(image)
    for index, is_bar in enumerate(bars):
        if is_bar:
            left = index * module_dots
            pen.rectangle((left, 0, left + module_dots - 1, height - 1), fill=0)
    return image
