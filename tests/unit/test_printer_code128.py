"""CODE128 encoder: checksums, code set switching, and that a real decoder reads it back."""

from __future__ import annotations

import pytest
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from devices.printers import code128

START_B, START_C, CODE_B, CODE_C, STOP = 104, 105, 100, 99, 106


def _decode(text: str) -> list[str]:
    bars = code128.draw(text, 1200, 60)
    page = Image.new("L", (bars.width + 40, 100), 255)
    page.paste(bars.convert("L"), (20, 20))
    return [result.text for result in zxingcpp.read_barcodes(page) if result.format.name == "Code128"]


def test_every_symbol_is_eleven_modules_and_stop_is_thirteen() -> None:
    widths = [sum(map(int, pattern)) for pattern in code128._PATTERNS]
    assert len(widths) == 107
    assert set(widths[:106]) == {11}
    assert widths[106] == 13


def test_known_symbol_values_and_checksum() -> None:
    # "A023": start B, 'A'=33, '0'=16, '2'=18, '3'=19; checksum (104 + 33 + 32 + 54 + 76) % 103 = 93
    assert code128.symbol_values("A023") == [START_B, 33, 16, 18, 19, 93, STOP]


def test_long_digit_runs_switch_to_code_set_c() -> None:
    values = code128.symbol_values("TANPHU-251122-0042")
    assert values[0] == START_B
    assert CODE_C in values  # "251122" is packed two digits per symbol
    assert values[values.index(CODE_C) + 1 : values.index(CODE_C) + 4] == [25, 11, 22]
    assert code128.symbol_values("12345678")[:5] == [START_C, 12, 34, 56, 78]


@pytest.mark.parametrize("text", ["TANPHU-251122-0042", "A023", "1234567", "X1234567", "a b~!", "0"])
def test_drawn_barcode_decodes_to_the_same_text(text: str) -> None:
    assert _decode(text) == [text]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=24))
def test_any_printable_ascii_round_trips_through_a_decoder(text: str) -> None:
    assert _decode(text) == [text]


@pytest.mark.parametrize("bad", ["", "mã hồ sơ", "tab\there"])
def test_rejects_text_code128_cannot_carry(bad: str) -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        code128.symbol_values(bad)


def test_too_long_for_the_paper_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"needs \d+ dots, paper has 100"):
        code128.draw("TANPHU-251122-0042", 100, 40)
