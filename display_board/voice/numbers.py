"""Vietnamese number words, as spoken in a hall announcement.

Standard library only. Readings follow everyday northern usage, with the regional variants as options:

- 10 "mười", 11 "mười một", 14 "mười bốn", 15 "mười lăm" (5 after a ten is "lăm");
- 21 "hai mươi mốt" (1 after "mươi" is "mốt"), 24 "hai mươi bốn" or, with ``four_after_tens="tư"``,
  "hai mươi tư", 25 "hai mươi lăm";
- 105 "một trăm linh năm" (``zero_tens="lẻ"`` for southern usage), 110 "một trăm mười";
- 1000 "một nghìn" (``thousand="ngàn"``), 1005 "một nghìn không trăm linh năm",
  2021 "hai nghìn không trăm hai mươi mốt": a group after "nghìn" always says its hundreds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MAX_NUMBER = 999_999

DIGIT_WORDS: tuple[str, ...] = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
TEN = "mười"  # the number ten, and the tens word of 10..19
TENS_SUFFIX = "mươi"  # "hai mươi", "ba mươi" … (level tone)
ONE_AFTER_TENS = "mốt"
FIVE_AFTER_TEN = "lăm"
HUNDRED = "trăm"

FourAfterTens = Literal["bốn", "tư"]
ZeroTens = Literal["linh", "lẻ"]
Thousand = Literal["nghìn", "ngàn"]


@dataclass(frozen=True)
class ReadingStyle:
    """Regional choices in reading numbers; the defaults are the usual northern ones."""

    four_after_tens: FourAfterTens = "bốn"  # 24: "hai mươi bốn" or "hai mươi tư"
    zero_tens: ZeroTens = "linh"  # 105: "một trăm linh năm" or "một trăm lẻ năm"
    thousand: Thousand = "nghìn"  # 1000: "một nghìn" or "một ngàn"


DEFAULT_STYLE = ReadingStyle()

# Every word any reading can produce, whatever the style.
NUMBER_VOCABULARY: frozenset[str] = frozenset(
    (
        *DIGIT_WORDS,
        TEN,
        TENS_SUFFIX,
        ONE_AFTER_TENS,
        FIVE_AFTER_TEN,
        "tư",
        HUNDRED,
        "linh",
        "lẻ",
        "nghìn",
        "ngàn",
    )
)


def number_words(number: int, style: ReadingStyle = DEFAULT_STYLE) -> list[str]:
    """The words of ``number`` (0..999 999) in reading order, e.g. 21 -> ["hai", "mươi", "mốt"]."""
    if isinstance(number, bool) or not isinstance(number, int):
        raise TypeError(f"number must be an int, not {type(number).__name__}")
    if not 0 <= number <= MAX_NUMBER:
        raise ValueError(
            f"Số {number} nằm ngoài khoảng 0..{MAX_NUMBER} / number out of range 0..{MAX_NUMBER}"
        )
    if number == 0:
        return [DIGIT_WORDS[0]]
    thousands, rest = divmod(number, 1000)
    if thousands == 0:
        return _group_words(rest, style, full=False)
    words = [*_group_words(thousands, style, full=False), style.thousand]
    if rest:
        words += _group_words(rest, style, full=True)
    return words


def read_number(number: int, style: ReadingStyle = DEFAULT_STYLE) -> str:
    """``number`` as spoken Vietnamese, e.g. 105 -> "một trăm linh năm"."""
    return " ".join(number_words(number, style))


def digit_words(digits: str) -> list[str]:
    """One word per digit, e.g. "023" -> ["không", "hai", "ba"]."""
    if not digits or not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"Chỉ được có chữ số 0-9: {digits!r} / expected ASCII digits only")
    return [DIGIT_WORDS[int(digit)] for digit in digits]


def read_digits(digits: str) -> str:
    """Digit-by-digit reading, e.g. "023" -> "không hai ba"."""
    return " ".join(digit_words(digits))


def _group_words(group: int, style: ReadingStyle, *, full: bool) -> list[str]:
    """Words of 1..999. ``full`` (a group after "nghìn") also says a zero hundreds: "không trăm"."""
    hundreds, below_hundred = divmod(group, 100)
    words: list[str] = []
    if hundreds or full:
        words += [DIGIT_WORDS[hundreds], HUNDRED]
    if below_hundred == 0:
        return words
    if below_hundred < 10 and words:
        # a lone unit after the hundreds: "linh năm" keeps the plain digit words
        return [*words, style.zero_tens, DIGIT_WORDS[below_hundred]]
    return words + _below_hundred_words(below_hundred, style)


def _below_hundred_words(number: int, style: ReadingStyle) -> list[str]:
    """Words of 1..99 standing alone or after "trăm"."""
    tens, units = divmod(number, 10)
    if tens == 0:
        return [DIGIT_WORDS[units]]
    words = [TEN] if tens == 1 else [DIGIT_WORDS[tens], TENS_SUFFIX]
    if units == 0:
        return words
    return [*words, _unit_after_tens(tens, units, style)]


def _unit_after_tens(tens: int, units: int, style: ReadingStyle) -> str:
    if units == 5:
        return FIVE_AFTER_TEN
    if units == 1 and tens >= 2:
        return ONE_AFTER_TENS
    if units == 4 and tens >= 2:
        return style.four_after_tens
    return DIGIT_WORDS[units]
