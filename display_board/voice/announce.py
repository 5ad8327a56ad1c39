"""What the board says for a call: the Vietnamese text and the ordered clips that speak it.

Clip names are stable ASCII file stems; an office may replace any clip with a studio recording of the
same name (see docs/voice.md). The inventory:

- ``chime`` — the two-tone chime before each announcement;
- ``phrase_<slug>`` — each literal part of the phrase template, e.g. ``phrase_xin_moi_cong_dan_co_so_thu_tu``;
- ``letter_a`` … ``letter_z``, ``letter_dd`` (Đ) — the Vietnamese names of the letters ("a", "bê", "xê" …);
- ``num_0`` … ``num_9`` — "không" … "chín", for digit-by-digit reading and inside number words;
- ``word_*`` — the other number words: ``word_muoi_huyen`` "mười", ``word_muoi_ngang`` "mươi",
  ``word_mot_sac`` "mốt", ``word_tu`` "tư", ``word_lam`` "lăm", ``word_tram`` "trăm", ``word_linh`` "linh",
  ``word_le`` "lẻ", ``word_nghin`` "nghìn", ``word_ngan`` "ngàn".
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from display_board.voice.numbers import (
    DIGIT_WORDS,
    MAX_NUMBER,
    FourAfterTens,
    ReadingStyle,
    Thousand,
    ZeroTens,
    digit_words,
    number_words,
)

DEFAULT_PHRASE = "Xin mời công dân có số thứ tự {ticket} đến quầy số {counter}"
CHIME_CLIP = "chime"
TEMPLATE_FIELDS = ("ticket", "counter")
CLIP_NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,80}$")
TICKET_PATTERN = re.compile(r"^(?P<prefix>[A-Za-zĐđ]{0,3})(?P<digits>[0-9]{1,6})$")
MAX_PHRASE_SLUG = 60

# Vietnamese names of the letters, as a hall announcer reads a ticket prefix. Every name must SOUND
# different: in the north "dê" and "giê" are both /ze/, so D is read "đê" (as codes usually are), Đ by
# its sound "đờ", and J "di" (espeak-ng says a bare "gi" as a lone consonant).
LETTER_NAMES: dict[str, str] = {
    "A": "a", "B": "bê", "C": "xê", "D": "đê", "Đ": "đờ", "E": "e", "F": "ép", "G": "giê", "H": "hát",
    "I": "i", "J": "di", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ", "O": "o", "P": "pê",
    "Q": "quy", "R": "e rờ", "S": "ét xì", "T": "tê", "U": "u", "V": "vê", "W": "vê kép", "X": "ích xì",
    "Y": "i dài", "Z": "dét",
}  # fmt: skip

# Number words that are not plain digits, with their clip names (tone names keep "mười"/"mươi" apart).
WORD_CLIPS: dict[str, str] = {
    "mười": "word_muoi_huyen",
    "mươi": "word_muoi_ngang",
    "mốt": "word_mot_sac",
    "tư": "word_tu",
    "lăm": "word_lam",
    "trăm": "word_tram",
    "linh": "word_linh",
    "lẻ": "word_le",
    "nghìn": "word_nghin",
    "ngàn": "word_ngan",
}


class AnnouncementError(ValueError):
    """A call that cannot be announced (bad ticket or counter); the message says why, Vietnamese first."""


class VoiceSettings(BaseModel):
    """The board's voice, from the ``[voice]`` table of the office's board config."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phrase: str = DEFAULT_PHRASE  # must hold {ticket} and {counter} once each
    number_style: Literal["digits", "words"] = "digits"  # "không hai ba" or "hai mươi ba"
    repeat: int = Field(default=1, ge=1, le=5)  # times a first call is played
    recall_repeat: int = Field(default=2, ge=1, le=5)  # times a recall is played
    pause_ms: int = Field(default=800, ge=0, le=10_000)  # silence between repetitions
    chime: bool = True  # play the chime before each repetition
    queue_limit: int = Field(default=6, ge=1, le=100)  # waiting announcements the board keeps in a burst
    clip_dir_override: Path | None = None  # studio recordings, e.g. config/<office>/voice/
    four_after_tens: FourAfterTens = "bốn"
    zero_tens: ZeroTens = "linh"
    thousand: Thousand = "nghìn"
    letter_names: dict[str, str] = Field(default_factory=dict)  # e.g. {"D": "dê", "G": "gờ"}
    espeak_voice: str = Field(default="vi", pattern=r"^[A-Za-z0-9_+-]{1,40}$")
    speed_wpm: int = Field(default=130, ge=80, le=300)

    @field_validator("phrase")
    @classmethod
    def _phrase_is_a_template(cls, phrase: str) -> str:
        parse_phrase(phrase)
        return phrase

    @field_validator("letter_names")
    @classmethod
    def _letters_are_known(cls, names: dict[str, str]) -> dict[str, str]:
        for letter, name in names.items():
            if letter.upper() not in LETTER_NAMES:
                raise ValueError(f"chữ cái không hợp lệ: {letter!r} / unknown letter (A-Z or Đ)")
            if not name.strip():
                raise ValueError(f"tên chữ {letter!r} trống / empty name for letter {letter!r}")
        cleaned = {letter.upper(): " ".join(name.split()) for letter, name in names.items()}
        spoken = LETTER_NAMES | cleaned
        same = sorted(letter for letter, name in spoken.items() if list(spoken.values()).count(name) > 1)
        if same:
            letters = ", ".join(same)
            raise ValueError(f"các chữ {letters} bị đọc giống nhau / letters {letters} would sound the same")
        return cleaned

    @property
    def reading_style(self) -> ReadingStyle:
        return ReadingStyle(
            four_after_tens=self.four_after_tens, zero_tens=self.zero_tens, thousand=self.thousand
        )

    def letter_name(self, letter: str) -> str:
        return self.letter_names.get(letter, LETTER_NAMES[letter])


@dataclass(frozen=True)
class Announcement:
    text: str  # e.g. "Xin mời công dân có số thứ tự A không hai ba đến quầy số ba"
    clips: tuple[str, ...]  # one pass, in order
    repeat: int  # passes to play
    pause_ms: int  # silence between passes

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "clips": list(self.clips),
            "repeat": self.repeat,
            "pause_ms": self.pause_ms,
        }


@dataclass(frozen=True)
class PhrasePart:
    """A literal piece of the template (``text`` set) or a field (``field`` set)."""

    text: str = ""
    field: str = ""

    @property
    def clip(self) -> str:
        return phrase_clip_name(self.text)


def build_announcement(
    ticket: str, counter: int | str, settings: VoiceSettings | None = None, *, recall: bool = False
) -> Announcement:
    """The announcement of ``ticket`` (e.g. "A023") called to ``counter`` (e.g. 3)."""
    settings = settings or VoiceSettings()
    prefix, ticket_words, ticket_clips = _ticket_speech(ticket, settings)
    counter_words = number_words(_counter_number(counter), settings.reading_style)
    spoken = {"ticket": " ".join([*prefix, *ticket_words]), "counter": " ".join(counter_words)}
    speech = {"ticket": ticket_clips, "counter": [_word_clip(word) for word in counter_words]}
    clips: list[str] = [CHIME_CLIP] if settings.chime else []
    for part in parse_phrase(settings.phrase):
        clips += speech[part.field] if part.field else [part.clip] if part.clip else []
    text = " ".join(settings.phrase.format(**spoken).split())
    repeat = settings.recall_repeat if recall else settings.repeat
    return Announcement(text, tuple(clips), repeat, settings.pause_ms)


def parse_phrase(phrase: str) -> list[PhrasePart]:
    """Split a template such as DEFAULT_PHRASE into literal parts and its two fields."""
    parts: list[PhrasePart] = []
    try:
        pieces = list(string.Formatter().parse(phrase))
    except ValueError as error:
        raise ValueError(f"mẫu câu sai cú pháp: {error} / bad phrase template: {phrase!r}") from error
    for literal, field, spec, conversion in pieces:
        if literal.strip():
            parts.append(PhrasePart(text=" ".join(literal.split())))
        if field is None:
            continue
        if field not in TEMPLATE_FIELDS or spec or conversion:
            raise ValueError(
                f"mẫu câu chỉ được dùng {{ticket}} và {{counter}}, không dùng {{{field}}} "
                f"/ phrase may only use {{ticket}} and {{counter}}"
            )
        parts.append(PhrasePart(field=field))
    fields = [part.field for part in parts if part.field]
    if sorted(fields) != sorted(TEMPLATE_FIELDS):
        raise ValueError(
            f"mẫu câu phải có {{ticket}} và {{counter}}, mỗi thứ đúng một lần: {phrase!r} "
            "/ phrase needs {ticket} and {counter} exactly once each"
        )
    return parts


def phrase_clip_name(text: str) -> str:
    """ASCII file stem of a phrase part: "đến quầy số" -> "phrase_den_quay_so" ("" if no letters)."""
    folded = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(char for char in folded if not unicodedata.combining(char)).lower()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")
    return f"phrase_{slug[:MAX_PHRASE_SLUG].rstrip('_')}" if slug else ""


def clip_inventory(settings: VoiceSettings | None = None) -> dict[str, str]:
    """Every clip an announcement under ``settings`` can use, name -> Vietnamese text ("" for the chime)."""
    settings = settings or VoiceSettings()
    inventory: dict[str, str] = {CHIME_CLIP: ""}
    for part in parse_phrase(settings.phrase):
        if part.clip and inventory.setdefault(part.clip, part.text) != part.text:
            raise ValueError(
                f"hai đoạn của mẫu câu trùng tên tệp {part.clip}: {inventory[part.clip]!r}, {part.text!r} "
                "/ two phrase parts map to the same clip name; reword one of them"
            )
    inventory |= {letter_clip_name(letter): settings.letter_name(letter) for letter in LETTER_NAMES}
    inventory |= {f"num_{digit}": word for digit, word in enumerate(DIGIT_WORDS)}
    inventory |= {clip: word for word, clip in WORD_CLIPS.items()}
    return inventory


def letter_clip_name(letter: str) -> str:
    return "letter_dd" if letter == "Đ" else f"letter_{letter.lower()}"


def is_clip_name(name: str) -> bool:
    """True for a well-formed clip stem (lower-case ASCII letters, digits, underscores): no paths."""
    return bool(CLIP_NAME_PATTERN.match(name))


def _ticket_speech(ticket: str, settings: VoiceSettings) -> tuple[list[str], list[str], list[str]]:
    """(prefix letters as written, number words, clips) of a ticket such as "A023"."""
    match = TICKET_PATTERN.match(ticket.strip()) if isinstance(ticket, str) else None
    if match is None:
        raise AnnouncementError(
            f"Số thứ tự không hợp lệ: {ticket!r} (cần tối đa 3 chữ cái và 1-6 chữ số, ví dụ A023) "
            "/ invalid ticket number: up to 3 letters then 1-6 digits, e.g. A023"
        )
    prefix = [letter.upper() for letter in match["prefix"]]
    digits = match["digits"]
    if settings.number_style == "digits":
        words = digit_words(digits)
    else:
        words = number_words(int(digits), settings.reading_style)
    clips = [letter_clip_name(letter) for letter in prefix] + [_word_clip(word) for word in words]
    return prefix, words, clips


def _counter_number(counter: int | str) -> int:
    if isinstance(counter, str) and counter.strip().isascii() and counter.strip().isdigit():
        counter = int(counter.strip())
    if isinstance(counter, bool) or not isinstance(counter, int) or not 1 <= counter <= MAX_NUMBER:
        raise AnnouncementError(
            f"Số quầy không hợp lệ: {counter!r} (cần số nguyên 1..{MAX_NUMBER}) "
            f"/ invalid counter number: an integer 1..{MAX_NUMBER}"
        )
    return counter


def _word_clip(word: str) -> str:
    if word in WORD_CLIPS:
        return WORD_CLIPS[word]
    return f"num_{DIGIT_WORDS.index(word)}"
