"""Telex typing: shapes, tones on the right vowel, undo by a double key, backspace, case."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.telex import TelexComposer, apply_key, place_tone, split_tone, tone_position, type_text


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("aa", "â"),
        ("aw", "ă"),
        ("ee", "ê"),
        ("oo", "ô"),
        ("ow", "ơ"),
        ("uw", "ư"),
        ("dd", "đ"),
        ("DD", "Đ"),
        ("Dd", "Đ"),
        ("w", "ư"),
        ("nhw", "như"),
        ("uow", "ươ"),
        ("aaw", "ă"),
        ("owo", "ô"),
    ],
)
def test_shapes(keys: str, expected: str) -> None:
    assert type_text(keys) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("as", "á"),
        ("af", "à"),
        ("ar", "ả"),
        ("ax", "ã"),
        ("aj", "ạ"),
        ("asz", "a"),
        ("z", "z"),
        ("bz", "bz"),
        ("bs", "bs"),  # no vowel yet: the tone key is a letter
    ],
)
def test_tone_keys(keys: str, expected: str) -> None:
    assert type_text(keys) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("vieetj", "việt"),
        ("Vieetj Nam", "Việt Nam"),
        ("nguoiwf", "người"),
        ("dduwowngf", "đường"),
        ("Traanf Thij Ngocj Anhs", "Trần Thị Ngọc Ánh"),
        ("hoaf", "hoà"),  # modern: oa, oe, uy at the end take the tone on the second vowel
        ("hoef", "hoè"),
        ("thuys", "thuý"),
        ("hoafn", "hoàn"),  # a final consonant: the last vowel
        ("toans", "toán"),
        ("muaf", "mùa"),  # ua, ia, ai ... at the end: the first vowel
        ("miaf", "mìa"),
        ("taif", "tài"),
        ("muwaf", "mừa"),
        ("oaif", "oài"),  # three vowels: the middle one
        ("khuyur", "khuỷu"),
        ("quys", "quý"),  # the u of qu belongs to the consonant
        ("quaf", "quà"),
        ("gif", "gì"),
        ("giaf", "già"),  # the i of gi before a vowel belongs to the consonant
        ("giuwax", "giữa"),
        ("tieesng", "tiếng"),
        ("tiesen", "tiến"),  # the tone moves when a shape is added later
        ("tuyeetj", "tuyệt"),
        ("cuar", "của"),
        ("phoos", "phố"),
        ("DDaawng", "Đăng"),
        ("VIEETJ", "VIỆT"),
    ],
)
def test_words(keys: str, expected: str) -> None:
    assert type_text(keys) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [("ass", "as"), ("aff", "af"), ("aaa", "aa"), ("eee", "ee"), ("ooo", "oo"), ("aww", "aw"), ("ddd", "dd")],
)
def test_double_key_undoes(keys: str, expected: str) -> None:
    assert type_text(keys) == expected


def test_changing_the_tone_replaces_it() -> None:
    assert type_text("asf") == "à"
    assert type_text("vieetjs") == "viết"


def test_backspace_deletes_what_is_seen_and_typing_goes_on() -> None:
    composer = TelexComposer()
    for key in "vieetj":
        composer.press(key)
    assert composer.backspace() == "việ"
    assert composer.press("t") == "việt"
    composer.clear()
    assert composer.text == ""


def test_punctuation_and_digits_end_words() -> None:
    assert type_text("soos 12, dduwowngf Lee Lowji") == "số 12, đường Lê Lợi"


def test_disabled_composer_types_keys_as_they_are() -> None:
    composer = TelexComposer(enabled=False)
    for key in "dd aa":
        composer.press(key)
    assert composer.text == "dd aa"


def test_one_key_at_a_time() -> None:
    with pytest.raises(ValueError, match="one key"):
        apply_key("a", "as")
    with pytest.raises(ValueError, match="one key"):
        TelexComposer().press("")


def test_split_and_place_tone_round_trip() -> None:
    assert split_tone("người") == ("ngươi", "f")
    assert place_tone("ngươi", "f") == "người"
    assert tone_position("nghiêng") == 4
    assert tone_position("bcd") is None


@given(st.text(alphabet="abcdeghiklmnopqrstuvwxyADEOW sfrxjz", max_size=24))
def test_output_is_nfc_and_never_longer_than_the_keys(keys: str) -> None:
    text = type_text(keys)
    assert unicodedata.is_normalized("NFC", text)
    assert len(text) <= len(keys)
    # Every word carries at most one tone mark.
    for word in text.split(" "):
        tones = [c for c in unicodedata.normalize("NFD", word) if c in "\u0300\u0301\u0303\u0309\u0323"]
        assert len(tones) <= 1
