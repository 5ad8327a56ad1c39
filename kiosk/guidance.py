"""What the 🔊 guide says on each screen: the screen's instruction from the catalogue ([voice] in
kiosk/strings/*.toml), with the question, the paper or the number of the moment filled in.

Ticket numbers are read as the board calls them: the letter by its Vietnamese name, then digit by digit
("A023" → "a không hai ba"), so the kiosk and the hall's loudspeaker say a number the same way.
"""

from __future__ import annotations

from typing import Any

from kiosk.text import T, Text

# The board's letter names (display_board/voice/announce.py): every letter sounds different in the hall.
LETTER_NAMES: dict[str, str] = {
    "A": "a", "B": "bê", "C": "xê", "D": "đê", "Đ": "đờ", "E": "e", "F": "ép", "G": "giê", "H": "hát",
    "I": "i", "J": "di", "K": "ca", "L": "e lờ", "M": "em mờ", "N": "en nờ", "O": "o", "P": "pê",
    "Q": "quy", "R": "e rờ", "S": "ét xì", "T": "tê", "U": "u", "V": "vê", "W": "vê kép", "X": "ích xì",
    "Y": "i dài", "Z": "dét",
}  # fmt: skip
DIGITS_VI = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
DIGITS_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def spoken_number(number: str) -> Text:
    """A ticket number as it is called: "A023" → "a không hai ba" / "A zero two three"."""
    vi, en = [], []
    for char in number.upper():
        if char.isdigit():
            vi.append(DIGITS_VI[int(char)])
            en.append(DIGITS_EN[int(char)])
        elif char.isalpha():
            vi.append(LETTER_NAMES.get(char, char.lower()))
            en.append(char)
    return Text(" ".join(vi), " ".join(en))


def screen_words(flow: Any) -> Text | None:
    """The instruction of the screen the citizen sees now (None while it has nothing to say yet)."""
    if flow.help.showing:
        return T["voice.help"]
    screen = flow.screen
    if screen == "question":
        fields, active = flow.prepare.form_fields, flow.prepare.active
        field = next((f for f in fields if f["name"] == active), None)
        if field is None:
            return None
        label_vi = str(field.get("label_vi") or active)
        question = Text(label_vi, str(field.get("label_en") or label_vi))
        return T["voice.question"].fill(question=question)
    if screen == "scan":
        papers, index = flow.scan.papers, int(flow.scan.index)
        if not papers or index >= len(papers):
            return None
        name = papers[index]["name"]
        paper = Text(*name) if isinstance(name, tuple | list) else Text(str(name), str(name))
        return T["voice.scan"].fill(paper=paper)
    if screen == "ticket":
        ticket = flow.ticket
        if not ticket.number:
            return None
        ahead = (
            T["ticket.ahead"].fill(ahead=int(ticket.people_ahead))
            if ticket.people_ahead
            else T["ticket.ahead.none"]
        )
        return T["voice.ticket"].fill(number=spoken_number(ticket.number), ahead=ahead)
    return T.get(f"voice.{screen}")
