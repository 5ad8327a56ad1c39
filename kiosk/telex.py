"""Telex typing for the on-screen Vietnamese keyboard: letters in, Vietnamese words out.

    aa→â  aw→ă  ee→ê  oo→ô  ow→ơ  uw→ư (uow→ươ, a lone w→ư)  dd→đ
    s→sắc  f→huyền  r→hỏi  x→ngã  j→nặng  z→no tone
    pressing the same key again undoes it and types the letter itself: "ass"→"as", "aaa"→"aa"

Tones go on the vowel the modern rules ("kiểu mới") choose: a vowel with a mark (â ă ê ô ơ ư; ơ in ươ)
first; else the last vowel when a consonant ends the syllable; else the middle of three vowels; of two,
the second in oa, oe, uy (hoà, thuý) and the first otherwise (mía, mùa, tài). The u of "qu" and the i
of "gi" before another vowel belong to the consonant (quý, già).

Words are edited as text, not as key histories, so backspace deletes the last letter seen on screen and
typing goes on from there. Standard library only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

TONE_MARKS: dict[str, str] = {
    "s": "\u0301",  # sắc
    "f": "\u0300",  # huyền
    "r": "\u0309",  # hỏi
    "x": "\u0303",  # ngã
    "j": "\u0323",  # nặng
}
_MARK_TONES = {mark: key for key, mark in TONE_MARKS.items()}
CIRCUMFLEX, BREVE, HORN = "\u0302", "\u0306", "\u031b"
VOWELS = frozenset("aăâeêioôơuưy")
# (base letter, key) -> the letter with its shape mark
_SHAPES: dict[tuple[str, str], str] = {
    ("a", "a"): "â",
    ("e", "e"): "ê",
    ("o", "o"): "ô",
    ("a", "w"): "ă",
    ("o", "w"): "ơ",
    ("u", "w"): "ư",
}
_UNSHAPE = {shaped: base for (base, _key), shaped in _SHAPES.items()}
# A letter with the other mark takes the new one: âw→ă, ôw→ơ, ăa→â, ơo→ô.
_RESHAPE: dict[tuple[str, str], str] = {("â", "w"): "ă", ("ô", "w"): "ơ", ("ă", "a"): "â", ("ơ", "o"): "ô"}
_SECOND_VOWEL_PAIRS = ("oa", "oe", "uy")
# The marks bar: each mark is the Telex key that makes it ("hat" is the vowel itself: aa→â).
MARK_KEYS = {"acute": "s", "grave": "f", "hook": "r", "tilde": "x", "dot": "j", "horn": "w", "stroke": "d"}


def is_word_letter(char: str) -> bool:
    """A letter that can be part of a Vietnamese word (Latin letters with any Vietnamese marks, đ)."""
    return char.isalpha() and (split_tone(char.lower())[0] in VOWELS or char.isascii() or char in "đĐ")


def split_tone(word: str) -> tuple[str, str | None]:
    """The word without its tone mark, and the tone's key (s/f/r/x/j) or None. Shape marks are kept."""
    plain: list[str] = []
    tone: str | None = None
    for char in word:
        decomposed = unicodedata.normalize("NFD", char)
        kept = "".join(c for c in decomposed if c not in _MARK_TONES)
        for c in decomposed:
            if c in _MARK_TONES:
                tone = _MARK_TONES[c]
        plain.append(unicodedata.normalize("NFC", kept))
    return "".join(plain), tone


def _vowel_span(lower: str) -> tuple[int, int] | None:
    """(start, end) of the syllable's vowel nucleus in a tone-less lower-case word, or None."""
    start = next((i for i, c in enumerate(lower) if c in VOWELS), None)
    if start is None:
        return None
    end = start
    while end < len(lower) and lower[end] in VOWELS:
        end += 1
    # "qu" and "gi" followed by another vowel: the u / i belongs to the consonant.
    if end - start > 1 and (
        (lower[start] == "u" and start > 0 and lower[start - 1] == "q")
        or (lower[start] == "i" and start > 0 and lower[start - 1] == "g" and start == 1)
    ):
        start += 1
    return start, end


def tone_position(plain: str) -> int | None:
    """Index of the letter that carries the tone in a tone-less word, by the modern rules."""
    lower = plain.lower()
    span = _vowel_span(lower)
    if span is None:
        return None
    start, end = span
    nucleus = lower[start:end]
    if "ươ" in nucleus:
        return start + nucleus.index("ươ") + 1
    for offset, char in enumerate(nucleus):
        if char in "ăâêôơư":
            return start + offset
    if end < len(lower):  # a final consonant follows
        return end - 1
    if len(nucleus) >= 3:
        return start + 1
    if len(nucleus) == 2:
        return start + 1 if nucleus in _SECOND_VOWEL_PAIRS else start
    return start


def place_tone(plain: str, tone: str | None) -> str:
    """Put a tone (key s/f/r/x/j, or None) on a tone-less word."""
    if tone is None:
        return plain
    position = tone_position(plain)
    if position is None:
        return plain
    marked = unicodedata.normalize("NFC", plain[position] + TONE_MARKS[tone])
    return plain[:position] + marked + plain[position + 1 :]


def _with_case(letter: str, like: str) -> str:
    return letter.upper() if like.isupper() else letter


def _apply_tone(plain: str, tone: str | None, key: str) -> tuple[str, str | None]:
    wanted = "" if key.lower() == "z" else key.lower()
    if _vowel_span(plain.lower()) is None:
        return plain + key, tone
    if wanted == "":
        return (plain, None) if tone is not None else (plain + key, None)
    if tone == wanted:  # the same tone key again: undo it and type the letter
        return plain + key, None
    return plain, wanted


def _apply_d(plain: str, key: str) -> str:
    if plain[:1].lower() == "d":
        return _with_case("đ", plain[0]) + plain[1:]
    if plain[:1].lower() == "đ" and len(plain) == 1:
        return _with_case("d", plain[0]) + key
    return plain + key


def _apply_shape(plain: str, key: str) -> str:
    lower = plain.lower()
    span = _vowel_span(lower)
    letter = key.lower()
    if letter == "w":
        return _apply_horn(plain, span, key)
    if span is None:
        return plain + key
    start, end = span
    for index in range(end - 1, start - 1, -1):
        current = lower[index]
        if current == letter or (current, letter) in _RESHAPE:
            return plain[:index] + _with_case(_SHAPES[(letter, letter)], plain[index]) + plain[index + 1 :]
        if _UNSHAPE.get(current) == letter and _SHAPES[(letter, letter)] == current:
            return plain[:index] + _with_case(letter, plain[index]) + plain[index + 1 :] + key
    return plain + key


def _apply_horn(plain: str, span: tuple[int, int] | None, key: str) -> str:
    lower = plain.lower()
    if span is None:  # a w with no vowel to shape types ư ("nhw" -> "như")
        return plain + _with_case("ư", key)
    start, end = span
    nucleus = lower[start:end]
    for pair in ("uo", "ưo", "uơ"):
        if pair in nucleus:
            at = start + nucleus.index(pair)
            return plain[:at] + _with_case("ư", plain[at]) + _with_case("ơ", plain[at + 1]) + plain[at + 2 :]
    for index in range(end - 1, start - 1, -1):
        shaped = _SHAPES.get((lower[index], "w")) or _RESHAPE.get((lower[index], "w"))
        if shaped:
            return plain[:index] + _with_case(shaped, plain[index]) + plain[index + 1 :]
    if plain == "ư" or plain == "Ư":  # "ww" -> "w"
        return key
    if any(c in "ăơư" for c in nucleus):  # already shaped: undo and type the w ("aww" -> "aw")
        unshaped = "".join(_with_case(_UNSHAPE.get(c.lower(), c.lower()), c) for c in plain[start:end])
        return plain[:start] + unshaped + plain[end:] + key
    return plain + key


def apply_key(word: str, key: str) -> str:
    """The word after one more key. `word` is the Vietnamese text typed so far (tones included)."""
    if len(key) != 1:
        raise ValueError(f"one key at a time, got {key!r}")
    if not word:
        return _with_case("ư", key) if key.lower() == "w" else key
    plain, tone = split_tone(word)
    letter = key.lower()
    if letter in TONE_MARKS or letter == "z":
        plain, tone = _apply_tone(plain, tone, key)
    elif letter == "d":
        plain = _apply_d(plain, key)
    elif letter in ("a", "e", "o", "w"):
        plain = _apply_shape(plain, key)
    else:
        plain += key
    return place_tone(plain, tone)


def type_text(keys: str) -> str:
    """What the keys typed one after another give (spaces and punctuation end a word)."""
    composer = TelexComposer()
    for key in keys:
        composer.press(key)
    return composer.text


@dataclass
class TelexComposer:
    """A text field's content under Telex typing: press keys, backspace, read `text`."""

    text: str = ""
    enabled: bool = True  # off: every key is typed as it is (numbers, codes, e-mail addresses)

    def _word_start(self) -> int:
        start = len(self.text)
        while start > 0 and is_word_letter(self.text[start - 1]):
            start -= 1
        return start

    def press(self, key: str) -> str:
        if len(key) != 1:
            raise ValueError(f"one key at a time, got {key!r}")
        if not self.enabled or not key.isascii() or not key.isalpha():
            self.text += key
            return self.text
        start = self._word_start()
        self.text = self.text[:start] + apply_key(self.text[start:], key)
        return self.text

    def mark(self, kind: str) -> str:
        """A mark from the keyboard's marks bar on the word just typed (for people who do not know
        Telex): a tone (acute, grave, hook, tilde, dot), a hat (â ê ô), a horn or breve (ơ ư ă), đ."""
        start = self._word_start()
        word = self.text[start:]
        if not word:
            return self.text
        if kind == "hat":
            plain = split_tone(word)[0].lower()
            key = next((c for c in reversed(plain) if c in "aeo"), "")
        else:
            key = MARK_KEYS.get(kind, "")
        if key:
            self.text = self.text[:start] + apply_key(word, key)
        return self.text

    def backspace(self) -> str:
        self.text = self.text[:-1]
        return self.text

    def clear(self) -> None:
        self.text = ""
