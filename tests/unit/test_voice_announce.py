"""Announcements: the spoken text and the clip list for a call, settings, bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from display_board.voice.announce import (
    LETTER_NAMES,
    AnnouncementError,
    VoiceSettings,
    build_announcement,
    clip_inventory,
    is_clip_name,
    parse_phrase,
    phrase_clip_name,
)

PHRASE_START = "phrase_xin_moi_cong_dan_co_so_thu_tu"
PHRASE_COUNTER = "phrase_den_quay_so"


def test_a023_to_counter_3_digit_by_digit() -> None:
    announcement = build_announcement("A023", 3)
    assert announcement.text == "Xin mời công dân có số thứ tự A không hai ba đến quầy số ba"
    assert announcement.clips == (
        "chime",
        PHRASE_START,
        "letter_a",
        "num_0",
        "num_2",
        "num_3",
        PHRASE_COUNTER,
        "num_3",
    )
    assert announcement.repeat == 1


def test_b105_to_counter_12_as_number_words() -> None:
    announcement = build_announcement("B105", 12, VoiceSettings(number_style="words"))
    assert announcement.text == "Xin mời công dân có số thứ tự B một trăm linh năm đến quầy số mười hai"
    assert announcement.clips == (
        "chime",
        PHRASE_START,
        "letter_b",
        "num_1",
        "word_tram",
        "word_linh",
        "num_5",
        PHRASE_COUNTER,
        "word_muoi_huyen",
        "num_2",
    )


def test_b105_digit_by_digit_counter_still_as_words() -> None:
    announcement = build_announcement("B105", "12")
    assert announcement.text.endswith("B một không năm đến quầy số mười hai")
    assert announcement.clips[-2:] == ("word_muoi_huyen", "num_2")


@pytest.mark.parametrize(
    ("ticket", "counter", "settings", "tail_text", "tail_clips"),
    [
        (
            "C021",
            21,
            VoiceSettings(number_style="words"),
            "hai mươi mốt",
            ("num_2", "word_muoi_ngang", "word_mot_sac"),
        ),
        (
            "D024",
            24,
            VoiceSettings(four_after_tens="tư"),
            "hai mươi tư",
            ("num_2", "word_muoi_ngang", "word_tu"),
        ),
        ("E015", 15, VoiceSettings(), "mười lăm", ("word_muoi_huyen", "word_lam")),
        (
            "F1005",
            1005,
            VoiceSettings(thousand="ngàn", zero_tens="lẻ"),
            "một ngàn không trăm lẻ năm",
            ("num_1", "word_ngan", "num_0", "word_tram", "word_le", "num_5"),
        ),
    ],
)
def test_tricky_counter_numbers(
    ticket: str, counter: int, settings: VoiceSettings, tail_text: str, tail_clips: tuple[str, ...]
) -> None:
    announcement = build_announcement(ticket, counter, settings)
    assert announcement.text.endswith(f"đến quầy số {tail_text}")
    assert announcement.clips[-len(tail_clips) - 1 :] == (PHRASE_COUNTER, *tail_clips)


def test_letters_use_vietnamese_names_and_text_keeps_the_letter() -> None:
    announcement = build_announcement("đ7", 1)
    assert "Đ bảy" in announcement.text
    assert "letter_dd" in announcement.clips
    assert clip_inventory()["letter_dd"] == "đờ"
    assert clip_inventory()["letter_d"] == "đê"
    assert clip_inventory()["letter_c"] == "xê"
    assert clip_inventory()["letter_b"] == "bê"


def test_letter_name_override() -> None:
    settings = VoiceSettings(letter_names={"d": "dê", "g": " gờ "})
    assert clip_inventory(settings)["letter_d"] == "dê"
    assert clip_inventory(settings)["letter_g"] == "gờ"
    assert clip_inventory()["letter_d"] == "đê"


def test_letter_names_that_would_sound_the_same_are_refused() -> None:
    with pytest.raises(ValidationError, match="D, G"):
        VoiceSettings(letter_names={"G": "đê"})


def test_recall_uses_recall_repeat() -> None:
    settings = VoiceSettings(repeat=1, recall_repeat=3, pause_ms=500)
    first = build_announcement("A023", 3, settings)
    recall = build_announcement("A023", 3, settings, recall=True)
    assert (first.repeat, recall.repeat) == (1, 3)
    assert recall.clips == first.clips
    assert recall.as_dict() == {"text": first.text, "clips": list(first.clips), "repeat": 3, "pause_ms": 500}


def test_custom_phrase_and_no_chime() -> None:
    settings = VoiceSettings(phrase="Mời số {ticket}, tới quầy {counter}.", chime=False)
    announcement = build_announcement("A7", 2, settings)
    assert announcement.text == "Mời số A bảy, tới quầy hai."
    assert announcement.clips == ("phrase_moi_so", "letter_a", "num_7", "phrase_toi_quay", "num_2")


def test_counter_before_ticket_in_the_phrase() -> None:
    settings = VoiceSettings(phrase="Quầy {counter} mời số {ticket}")
    announcement = build_announcement("B2", 4, settings)
    assert announcement.text == "Quầy bốn mời số B hai"
    assert announcement.clips == ("chime", "phrase_quay", "num_4", "phrase_moi_so", "letter_b", "num_2")


@pytest.mark.parametrize("ticket", ["", "A", "ABCD1", "A-23", "A1234567", "Ä12", "12A", None, 23])
def test_bad_ticket_is_a_clear_error(ticket: object) -> None:
    with pytest.raises(AnnouncementError, match="Số thứ tự không hợp lệ"):
        build_announcement(ticket, 3)  # type: ignore[arg-type]


@pytest.mark.parametrize("counter", [0, -1, "3a", "", 1_000_000, 2.0, True, None])
def test_bad_counter_is_a_clear_error(counter: object) -> None:
    with pytest.raises(AnnouncementError, match="Số quầy không hợp lệ"):
        build_announcement("A1", counter)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phrase", "message"),
    [
        ("Xin mời {ticket}", "mỗi thứ đúng một lần"),
        ("{ticket} {ticket} {counter}", "mỗi thứ đúng một lần"),
        ("{ticket} {counter} {name}", "chỉ được dùng"),
        ("{ticket:>5} {counter}", "chỉ được dùng"),
        ("{ticket} {counter", "sai cú pháp"),
    ],
)
def test_bad_phrase_is_refused(phrase: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        VoiceSettings(phrase=phrase)


def test_settings_refuse_unknown_keys_and_bad_values() -> None:
    with pytest.raises(ValidationError, match="extra"):
        VoiceSettings.model_validate({"repat": 2})
    with pytest.raises(ValidationError):
        VoiceSettings(repeat=0)
    with pytest.raises(ValidationError):
        VoiceSettings(number_style="roman")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="chữ cái không hợp lệ"):
        VoiceSettings(letter_names={"Ö": "ô"})
    with pytest.raises(ValidationError):
        VoiceSettings(espeak_voice="vi; rm -rf /")


def test_phrase_clip_names_are_ascii_slugs() -> None:
    assert phrase_clip_name("Xin mời công dân có số thứ tự") == PHRASE_START
    assert phrase_clip_name("đến quầy số") == PHRASE_COUNTER
    assert phrase_clip_name(" , ") == ""
    assert len(phrase_clip_name("rất dài " * 30)) <= len("phrase_") + 60


def test_phrase_parts_that_collide_are_reported() -> None:
    settings = VoiceSettings(phrase="Số {ticket} sổ {counter}")
    with pytest.raises(ValueError, match="trùng tên tệp"):
        clip_inventory(settings)


def test_parse_phrase_keeps_literal_order() -> None:
    parts = parse_phrase("A {ticket} B {counter} C")
    assert [(part.text, part.field) for part in parts] == [
        ("A", ""),
        ("", "ticket"),
        ("B", ""),
        ("", "counter"),
        ("C", ""),
    ]


def test_inventory_names_are_clean_and_texts_present() -> None:
    inventory = clip_inventory()
    assert all(is_clip_name(name) for name in inventory)
    assert all(text for name, text in inventory.items() if name != "chime")
    assert len([name for name in inventory if name.startswith("letter_")]) == len(LETTER_NAMES)


settings_strategy = st.builds(
    VoiceSettings,
    number_style=st.sampled_from(["digits", "words"]),
    four_after_tens=st.sampled_from(["bốn", "tư"]),
    zero_tens=st.sampled_from(["linh", "lẻ"]),
    thousand=st.sampled_from(["nghìn", "ngàn"]),
)
tickets = st.from_regex(r"\A[A-Z]{0,3}[0-9]{1,6}\Z", fullmatch=True)


@given(tickets, st.integers(min_value=1, max_value=999_999), settings_strategy, st.booleans())
@settings(deadline=None)  # correctness only: no time limit in a test
def test_every_clip_of_any_call_is_in_the_inventory(
    ticket: str, counter: int, settings: VoiceSettings, recall: bool
) -> None:
    announcement = build_announcement(ticket, counter, settings, recall=recall)
    inventory = clip_inventory(settings)
    assert set(announcement.clips) <= inventory.keys()
    # the clips, read back as text (a letter clip standing for its letter), say exactly the text
    letters = {f"letter_{letter.lower()}": letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
    spoken = [letters.get(name, inventory[name]) for name in announcement.clips if name != "chime"]
    assert " ".join(spoken) == announcement.text
