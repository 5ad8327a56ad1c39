"""CCCD QR payload parser: the shared examples, each error and warning, and property tests."""

from __future__ import annotations

import string
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.scanners.cccd import (
    CccdCard,
    CccdError,
    century_sex_digit,
    format_cccd,
    masked_id,
    parse_cccd,
    province_codes,
)

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
EXAMPLES = SHARED_DATA / "cccd_examples.txt"
VALID = "079303012345||Trần Thị Ngọc Ánh|14032003|Nữ|Số 12 Đường Lê Văn Sỹ, Quận 3, Hồ Chí Minh|21072021"


def _example_lines() -> list[tuple[str, str]]:
    lines = []
    for raw in EXAMPLES.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#") or not raw.strip():
            continue
        expect, payload = raw.split("\t", 1)
        lines.append((expect, payload))
    return lines


def test_examples_file_has_every_kind() -> None:
    kinds = [expect for expect, _ in _example_lines()]
    assert {"ok", "warn", "error"} == set(kinds)
    assert len(kinds) == 12


@pytest.mark.parametrize(("expect", "payload"), _example_lines())
def test_shared_example(expect: str, payload: str) -> None:
    if expect == "error":
        with pytest.raises(CccdError):
            parse_cccd(payload)
        return
    card = parse_cccd(payload)
    assert len(card.id_number) == 12
    assert (len(card.warnings) > 0) == (expect == "warn")
    # the parser's output formats back to the same payload
    assert format_cccd(card) == unicodedata.normalize("NFC", payload).strip()


def test_fields_of_a_valid_payload() -> None:
    card = parse_cccd("001085004321|013456789|Nguyễn Văn Đức|05091985|Nam|Tổ 5, Hà Đông, Hà Nội|10042022")
    assert card.id_number == "001085004321"
    assert card.old_id == "013456789"
    assert card.full_name == "Nguyễn Văn Đức"
    assert card.birth_date == date(1985, 9, 5)
    assert card.sex == "Nam"
    assert card.address == "Tổ 5, Hà Đông, Hà Nội"
    assert card.issue_date == date(2022, 4, 10)
    assert card.extra_fields == ()
    assert card.warnings == ()
    assert card.province == "Hà Nội"


def test_extra_trailing_fields_are_kept_raw() -> None:
    card = parse_cccd(VALID + "|abc||x y")
    assert card.extra_fields == ("abc", "", "x y")


def test_nfd_input_and_surrounding_whitespace_are_normalised() -> None:
    card = parse_cccd("  " + unicodedata.normalize("NFD", VALID) + "\r\n")
    assert card.full_name == "Trần Thị Ngọc Ánh"
    assert unicodedata.is_normalized("NFC", card.address)
    assert card.sex == "Nữ"


@pytest.mark.parametrize(
    ("payload", "field", "words_vi", "words_en"),
    [
        ("", "payload", "trống", "empty"),
        ("079303012345|x|y", "payload", "3 trường", "3 fields"),
        (VALID.replace("079303012345", "07930301234"), "id_number", "12 chữ số", "12 digits"),
        (VALID.replace("079303012345", "07930301234x"), "id_number", "chữ số", "digits only"),
        (VALID.replace("079303012345", "٠٧٩٣٠٣٠١٢٣٤٥"), "id_number", "chữ số", "digits only"),
        (VALID.replace("||", "|12345|"), "old_id", "9 hay 12", "9 or 12"),
        (VALID.replace("14032003", "31022003"), "birth_date", "ngày có thật", "real date"),
        (VALID.replace("14032003", "1403203"), "birth_date", "ddmmyyyy", "ddmmyyyy"),
        (VALID.replace("14032003", "14031803"), "birth_date", "1900", "1900"),
        (VALID.replace("21072021", "00072021"), "issue_date", "ngày có thật", "real date"),
        (VALID.replace("21072021", "21072001"), "issue_date", "trước ngày sinh", "before the birth"),
        (VALID.replace("|Nữ|", "|Female|"), "sex", "Nam", "Nam"),
        (VALID.replace("Trần Thị Ngọc Ánh", ""), "full_name", "trống", "empty"),
        (VALID.replace("Trần Thị", "Trần\x07Thị"), "full_name", "điều khiển", "control"),
    ],
)
def test_errors_name_the_field_in_both_languages(
    payload: str, field: str, words_vi: str, words_en: str
) -> None:
    with pytest.raises(CccdError) as caught:
        parse_cccd(payload)
    error = caught.value
    assert error.field == field
    assert words_vi in error.message_vi
    assert words_en in error.message_en
    assert error.message_vi in str(error) and error.message_en in str(error)


def test_error_messages_never_contain_the_id_number() -> None:
    with pytest.raises(CccdError) as caught:
        parse_cccd(VALID.replace("|Nữ|", "|X|"))
    assert "079303012345" not in str(caught.value)


def test_unknown_province_is_a_warning() -> None:
    card = parse_cccd(VALID.replace("079303012345", "999303012345"))
    assert [w.code for w in card.warnings] == ["unknown_province"]
    assert card.province is None


def test_century_sex_digit_mismatch_is_a_warning() -> None:
    card = parse_cccd(VALID.replace("079303012345", "079203012345"))  # 2 = 2000s male, card says Nữ
    assert [w.code for w in card.warnings] == ["century_sex_mismatch"]
    assert "4" in card.warnings[0].message_vi and "4th" in card.warnings[0].message_en


def test_birth_year_digits_mismatch_is_a_warning() -> None:
    card = parse_cccd(VALID.replace("079303012345", "079304012345"))
    assert [w.code for w in card.warnings] == ["birth_year_mismatch"]


@pytest.mark.parametrize(
    ("year", "sex", "digit"),
    [(1940, "Nam", "0"), (1999, "Nữ", "1"), (2000, "Nam", "2"), (2003, "Nữ", "3"), (2100, "Nữ", "5")],
)
def test_century_sex_digit(year: int, sex: str, digit: str) -> None:
    assert century_sex_digit(date(year, 1, 1), sex) == digit


def test_masked_id_hides_the_middle() -> None:
    assert masked_id("001234534567") == "001******567"
    assert masked_id("1234") == "****"
    card = parse_cccd(VALID)
    assert card.id_number_masked == "079******345"
    assert "079303012345" not in repr(card)


def test_bundled_province_table_is_the_shared_one() -> None:
    shared = (SHARED_DATA / "cccd_province_codes.tsv").read_text(encoding="utf-8")
    codes = province_codes()
    shared_rows = [line for line in shared.splitlines() if line[:3].isdigit()]
    assert len(codes) == len(shared_rows) == 63
    for row in shared_rows:
        code, name = row.split("\t")
        assert codes[code] == name


# --- property tests -------------------------------------------------------------------------------

_VIETNAMESE_LETTERS = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
)
_TEXT_ALPHABET = _VIETNAMESE_LETTERS + _VIETNAMESE_LETTERS.upper() + string.digits + " ,./-"
_clean_text = (
    st.text(alphabet=_TEXT_ALPHABET, min_size=1, max_size=60)
    .map(lambda s: unicodedata.normalize("NFC", s).strip())
    .filter(bool)
)


@st.composite
def _cards(draw: st.DrawFn) -> CccdCard:
    birth = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
    issue = draw(st.dates(min_value=birth, max_value=date(2199, 12, 31)))
    sex = draw(st.sampled_from(["Nam", "Nữ"]))
    province = draw(st.sampled_from(sorted(province_codes())))
    serial = draw(st.text(alphabet=string.digits, min_size=6, max_size=6))
    id_number = province + century_sex_digit(birth, sex) + f"{birth.year % 100:02d}" + serial
    old_id = draw(st.sampled_from(["", "013456789", "012345678901"]))
    extra = draw(st.lists(st.text(alphabet=string.ascii_letters + string.digits, max_size=8), max_size=3))
    return CccdCard(
        id_number=id_number,
        old_id=old_id,
        full_name=draw(_clean_text),
        birth_date=birth,
        sex=sex,
        address=draw(_clean_text),
        issue_date=issue,
        extra_fields=tuple(extra),
    )


@given(_cards())
def test_generated_cards_round_trip(card: CccdCard) -> None:
    parsed = parse_cccd(format_cccd(card))
    assert parsed == card
    assert parsed.warnings == ()


@given(st.text())
def test_random_text_never_crashes(payload: str) -> None:
    try:
        parse_cccd(payload)
    except CccdError as error:
        assert error.field
        assert error.message_vi and error.message_en


@given(
    st.lists(
        st.one_of(st.text(max_size=15), st.text(alphabet=string.digits, min_size=8, max_size=12)),
        min_size=0,
        max_size=10,
    )
)
def test_random_field_lists_never_crash(fields: list[str]) -> None:
    try:
        card = parse_cccd("|".join(fields))
    except CccdError:
        return
    assert len(card.id_number) == 12
