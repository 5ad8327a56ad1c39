"""The kiosk's words, answers, marks, page fingerprints and screen sizes (no window, no server)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
os.environ.setdefault("KIVY_NO_FILELOG", "1")

import numpy as np
import pytest

from kiosk.config import KioskConfig
from kiosk.display import choose_display
from kiosk.presenters import answers
from kiosk.presenters.identify import grouped_id
from kiosk.telex import TelexComposer
from kiosk.text import STRINGS, T, load_catalogue
from kiosk.ui import views

TODAY = date(2026, 3, 10)
KV = Path(__file__).resolve().parents[2] / "kiosk" / "kv"


def test_every_word_has_both_languages_with_the_same_blanks() -> None:
    catalogue = load_catalogue()
    for key, text in catalogue.items():
        assert text.vi and text.en, key
        assert set(re.findall(r"{(\w+)}", text.vi)) == set(re.findall(r"{(\w+)}", text.en)), key


def test_a_key_missing_in_one_language_is_found(tmp_path: Path) -> None:
    (tmp_path / "vi.toml").write_text('[a]\nx = "một"\ny = "hai"\n', encoding="utf-8")
    (tmp_path / "en.toml").write_text('[a]\nx = "one"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"a\.y"):
        load_catalogue(tmp_path)


def test_one_form_of_address_and_no_internal_words() -> None:
    vi = (STRINGS / "vi.toml").read_text(encoding="utf-8")
    assert "Ông/Bà" in vi
    for word in (r"\bbạn\b", r"\bBạn\b", "quý khách", 'Hoa"', "Xác định công dân", "Trạng thái", "idempot"):
        assert not re.search(word, vi), word


def test_every_key_the_screens_use_is_in_the_catalogue() -> None:
    used = set()
    for kv in KV.rglob("*.kv"):
        used |= set(re.findall(r'app\.t\("([\w.]+)"', kv.read_text(encoding="utf-8")))
    assert used and used <= set(T), sorted(used - set(T))


def test_the_id_number_reads_in_groups_of_three() -> None:
    assert grouped_id("079056001234") == "079 056 001 234"
    assert grouped_id("07905") == "079 05"
    assert grouped_id("") == ""


def test_a_date_is_typed_as_digits_and_shown_with_its_slashes() -> None:
    assert answers.date_from_digits("0102") == "01/02"
    assert answers.date_from_digits("01021999") == "01/02/1999"
    assert answers.date_from_digits("0102199977") == "01/02/1999"


@pytest.mark.parametrize(
    ("spec", "typed", "problem"),
    [
        ({"type": "text", "required": True}, "", "prepare.required"),
        ({"type": "text"}, "", None),
        ({"type": "date", "required": True}, "31/02/2020", "prepare.date_unreal"),
        ({"type": "date", "past": True}, "01/01/2030", "prepare.date_future"),
        ({"type": "date"}, "1/2", "prepare.date_format"),
        ({"type": "email"}, "an@example", "prepare.bad_email"),
        ({"type": "email"}, "an.b_c@example.vn", None),
        ({"type": "phone"}, "12345", "prepare.bad_phone"),
        ({"type": "phone"}, "0912345678", None),
        ({"type": "personal_id"}, "00109900456", "prepare.bad_id"),
        ({"type": "text", "min_length": 2}, "A", "prepare.too_short"),
    ],
)
def test_each_answer_is_checked_in_plain_words(
    spec: dict[str, object], typed: str, problem: str | None
) -> None:
    found = answers.check(spec, typed, TODAY)
    assert found == (T[problem] if problem else None)


def test_choices_are_buttons_with_their_wording_never_their_codes() -> None:
    reason = {
        "type": "choice",
        "choices": [
            {"value": "first", "label_vi": "Cấp lần đầu", "label_en": "First card"},
            {"value": "renew", "label_vi": "Cấp đổi", "label_en": "Renewal"},
        ],
    }
    assert answers.input_kind(reason) == "choice"
    items = views.choice_items([{"name": "reason", **reason}], {"reason": "renew"}, "reason")
    assert [(i["label"].vi, i["selected"]) for i in items] == [("Cấp lần đầu", False), ("Cấp đổi", True)]
    rows = views.review_answers(
        [{"name": "reason", "label_vi": "Lý do đề nghị", **reason}], {"reason": "renew"}, "vi"
    )
    assert rows[0]["value"] == "Cấp đổi"
    assert answers.input_kind({"type": "boolean"}) == "choice"
    assert answers.input_kind({"type": "date"}) == "keypad"
    assert answers.input_kind({"type": "email"}) == "email"


def test_a_missing_paper_is_said_in_words() -> None:
    rows = views.review_papers([{"type": "X", "name_vi": "Giấy X", "needed": True}], {}, "vi")
    assert rows[0]["value"] == T["submit.not_given"].vi and rows[0]["value"] != "—"


def test_marks_bar_puts_accents_without_telex() -> None:
    composer = TelexComposer("Nguyen")
    composer.mark("hat")
    assert composer.mark("tilde") == "Nguyễn"
    plain = TelexComposer("tuong", enabled=False)  # even where Telex is off
    assert plain.mark("horn") == "tương"
    assert TelexComposer("").mark("acute") == ""


def test_the_same_page_twice_is_one_page() -> None:
    from devices.scanners.document_photo import process_photo
    from kiosk.demo_frames import page_photo
    from kiosk.presenters.scan import page_hash, same_page

    first = process_photo(page_photo(seed=7), long_side=800).page
    again = process_photo(page_photo(seed=9, tilt=2.0), long_side=800).page
    other = np.full_like(first, 255)
    other[: other.shape[0] // 2] = 30
    assert first is not None and again is not None
    assert same_page(page_hash(first), page_hash(again))
    assert not same_page(page_hash(first), page_hash(other))


@pytest.mark.parametrize(
    ("settings", "fullscreen", "screen", "expected"),
    [
        ({}, True, (1920, 1080), (1920, 1080, False)),
        ({}, True, (1080, 1920), (1080, 1920, True)),
        ({}, False, (1080, 1920), (1280, 800, False)),
        ({"display_width": 1080, "display_height": 1920}, False, None, (1080, 1920, True)),
        ({"orientation": "portrait"}, True, (1920, 1080), (1920, 1080, True)),
    ],
)
def test_the_window_takes_the_screen_size_and_its_orientation(
    settings: dict[str, object],
    fullscreen: bool,
    screen: tuple[int, int] | None,
    expected: tuple[int, int, bool],
) -> None:
    display = choose_display(KioskConfig(**settings), fullscreen, screen)  # type: ignore[arg-type]
    assert (display.width, display.height, display.portrait) == expected


def test_the_review_masks_id_numbers_until_the_citizen_asks_to_see_one() -> None:
    fields = [
        {"name": "personal_id", "label_vi": "Số định danh cá nhân", "type": "personal_id"},
        {"name": "head_personal_id", "label_vi": "Số định danh của chủ hộ", "type": "personal_id"},
        {"name": "phone", "label_vi": "Số điện thoại", "type": "phone"},
    ]
    values = {"personal_id": "001199004567", "head_personal_id": "079056001234", "phone": "0912345678"}
    rows = views.review_answers(fields, values, "vi")
    assert [(r["value"], r.get("reveal")) for r in rows] == [
        ("001******567", "show"),
        ("079******234", "show"),
        ("0912345678", None),
    ]
    shown = views.review_answers(fields, values, "vi", ["personal_id"])
    assert [(r["value"], r.get("reveal")) for r in shown[:2]] == [
        ("001 199 004 567", "hide"),
        ("079******234", "show"),
    ]


def test_the_own_id_filled_in_from_the_card_stays_masked_on_its_question() -> None:
    fields = [
        {"name": "personal_id", "type": "personal_id"},
        {"name": "head_personal_id", "type": "personal_id"},
    ]
    values = {"personal_id": "001199004567", "head_personal_id": "0790560012"}
    own = "001199004567"
    assert views.answer_text(fields, values, "personal_id", "keypad", "vi", own) == "001******567|"
    # Someone else's number is being typed: shown in threes, as on the identify screen.
    assert views.answer_text(fields, values, "head_personal_id", "keypad", "vi", own) == "079 056 001 2|"
    # Changed by the citizen (a digit rubbed out): what they type is theirs to see, in threes.
    values["personal_id"] = "00119900456"
    assert views.answer_text(fields, values, "personal_id", "keypad", "vi", own) == "001 199 004 56|"
