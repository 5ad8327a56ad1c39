"""Vietnamese number words: known readings, the regional options, and structural properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from display_board.voice.numbers import (
    DIGIT_WORDS,
    MAX_NUMBER,
    NUMBER_VOCABULARY,
    ReadingStyle,
    digit_words,
    number_words,
    read_digits,
    read_number,
)

KNOWN_READINGS = [
    (0, "không"),
    (1, "một"),
    (4, "bốn"),
    (5, "năm"),
    (10, "mười"),
    (11, "mười một"),
    (14, "mười bốn"),
    (15, "mười lăm"),
    (20, "hai mươi"),
    (21, "hai mươi mốt"),
    (24, "hai mươi bốn"),
    (25, "hai mươi lăm"),
    (31, "ba mươi mốt"),
    (55, "năm mươi lăm"),
    (99, "chín mươi chín"),
    (100, "một trăm"),
    (101, "một trăm linh một"),
    (104, "một trăm linh bốn"),
    (105, "một trăm linh năm"),
    (110, "một trăm mười"),
    (111, "một trăm mười một"),
    (115, "một trăm mười lăm"),
    (121, "một trăm hai mươi mốt"),
    (305, "ba trăm linh năm"),
    (1000, "một nghìn"),
    (1005, "một nghìn không trăm linh năm"),
    (1010, "một nghìn không trăm mười"),
    (1100, "một nghìn một trăm"),
    (2021, "hai nghìn không trăm hai mươi mốt"),
    (10_000, "mười nghìn"),
    (15_000, "mười lăm nghìn"),
    (21_500, "hai mươi mốt nghìn năm trăm"),
    (100_000, "một trăm nghìn"),
    (105_005, "một trăm linh năm nghìn không trăm linh năm"),
    (999_999, "chín trăm chín mươi chín nghìn chín trăm chín mươi chín"),
]

SOUTHERN = ReadingStyle(four_after_tens="tư", zero_tens="lẻ", thousand="ngàn")


@pytest.mark.parametrize(("number", "reading"), KNOWN_READINGS)
def test_known_readings(number: int, reading: str) -> None:
    assert read_number(number) == reading


@pytest.mark.parametrize(
    ("number", "style", "reading"),
    [
        (24, ReadingStyle(four_after_tens="tư"), "hai mươi tư"),
        (14, ReadingStyle(four_after_tens="tư"), "mười bốn"),  # "tư" only after "mươi"
        (104, ReadingStyle(four_after_tens="tư"), "một trăm linh bốn"),
        (105, ReadingStyle(zero_tens="lẻ"), "một trăm lẻ năm"),
        (1000, ReadingStyle(thousand="ngàn"), "một ngàn"),
        (2024, SOUTHERN, "hai ngàn không trăm hai mươi tư"),
        (1005, SOUTHERN, "một ngàn không trăm lẻ năm"),
    ],
)
def test_regional_options(number: int, style: ReadingStyle, reading: str) -> None:
    assert read_number(number, style) == reading


@pytest.mark.parametrize(
    ("digits", "reading"), [("023", "không hai ba"), ("0", "không"), ("9105", "chín một không năm")]
)
def test_digit_by_digit(digits: str, reading: str) -> None:
    assert read_digits(digits) == reading


@pytest.mark.parametrize("bad", ["", "12a", "-1", "١٢", " 12"])
def test_digit_reading_rejects_non_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="chữ số"):
        digit_words(bad)


@pytest.mark.parametrize("bad", [-1, MAX_NUMBER + 1, 10**9])
def test_out_of_range_is_a_clear_error(bad: int) -> None:
    with pytest.raises(ValueError, match="ngoài khoảng"):
        number_words(bad)


@pytest.mark.parametrize("bad", [1.0, "12", True, None])
def test_non_integers_are_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        number_words(bad)  # type: ignore[arg-type]


styles = st.builds(
    ReadingStyle,
    four_after_tens=st.sampled_from(["bốn", "tư"]),
    zero_tens=st.sampled_from(["linh", "lẻ"]),
    thousand=st.sampled_from(["nghìn", "ngàn"]),
)
numbers = st.integers(min_value=0, max_value=MAX_NUMBER)


@given(numbers, styles)
@settings(deadline=None)  # correctness only: no time limit in a test
def test_never_empty_and_only_known_words(number: int, style: ReadingStyle) -> None:
    words = number_words(number, style)
    assert words
    assert set(words) <= NUMBER_VOCABULARY
    assert all(word for word in words)


@given(numbers, styles)
@settings(deadline=None)  # correctness only: no time limit in a test
def test_thousands_structure(number: int, style: ReadingStyle) -> None:
    """n = t*1000 + r reads as reading(t) + "nghìn" + full reading of r (with "không trăm" when needed)."""
    words = number_words(number, style)
    thousands, rest = divmod(number, 1000)
    if thousands == 0:
        assert style.thousand not in words
        assert words == number_words(rest, style)
        return
    head = number_words(thousands, style)
    assert words[: len(head) + 1] == [*head, style.thousand]
    tail = words[len(head) + 1 :]
    if rest == 0:
        assert tail == []
    elif rest >= 100:
        assert tail == number_words(rest, style)
    elif rest >= 10:
        assert tail == ["không", "trăm", *number_words(rest, style)]  # the hundreds are always said
    else:
        assert tail == ["không", "trăm", style.zero_tens, DIGIT_WORDS[rest]]


@given(st.integers(min_value=1, max_value=999), styles)
@settings(deadline=None)  # correctness only: no time limit in a test
def test_hundreds_structure(number: int, style: ReadingStyle) -> None:
    """A group reads its hundreds, then "linh"/"lẻ" + a unit or the reading of the last two digits."""
    words = number_words(number, style)
    hundreds, below = divmod(number, 100)
    if hundreds == 0:
        assert "trăm" not in words
        return
    assert words[:2] == [DIGIT_WORDS[hundreds], "trăm"]
    rest = words[2:]
    if below == 0:
        assert rest == []
    elif below < 10:
        assert rest == [style.zero_tens, DIGIT_WORDS[below]]
    else:
        assert rest == number_words(below, style)


@given(st.integers(min_value=0, max_value=MAX_NUMBER), st.integers(min_value=0, max_value=MAX_NUMBER))
@settings(deadline=None)  # correctness only: no time limit in a test
def test_different_numbers_read_differently(first: int, second: int) -> None:
    if first != second:
        assert read_number(first) != read_number(second)
        assert read_number(first, SOUTHERN) != read_number(second, SOUTHERN)


def test_all_numbers_below_ten_thousand_are_distinct() -> None:
    readings = {read_number(number) for number in range(10_000)}
    assert len(readings) == 10_000


@given(st.integers(min_value=20, max_value=99))
@settings(deadline=None)  # correctness only: no time limit in a test
def test_units_after_tens(number: int) -> None:
    tens, units = divmod(number, 10)
    words = number_words(number)
    assert words[:2] == [DIGIT_WORDS[tens], "mươi"]
    expected_unit = {0: [], 1: ["mốt"], 5: ["lăm"]}.get(units, [DIGIT_WORDS[units]])
    assert words[2:] == expected_unit


@given(st.text(alphabet="0123456789", min_size=1, max_size=12))
@settings(deadline=None)  # correctness only: no time limit in a test
def test_digit_reading_has_one_word_per_digit(digits: str) -> None:
    words = digit_words(digits)
    assert [DIGIT_WORDS.index(word) for word in words] == [int(digit) for digit in digits]
