"""Words on the kiosk's screens: Vietnamese first, English second.

`Text` is one message in both languages; `T` is the catalogue of fixed wording (kiosk/strings/*.toml,
one file per language, for a native speaker to read in one place), looked up by key;
`say(text, language)` picks the language (the .kv files call it through the app).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, NamedTuple


class Text(NamedTuple):
    vi: str
    en: str

    def __call__(self, language: str) -> str:
        return self.en if language == "en" else self.vi

    def fill(self, **values: Any) -> Text:
        """The text with its {names} filled in; a value may itself be a Text (each language its own)."""
        vi = {k: v.vi if isinstance(v, Text) else v for k, v in values.items()}
        en = {k: v.en if isinstance(v, Text) else v for k, v in values.items()}
        return Text(self.vi.format(**vi), self.en.format(**en))


EMPTY = Text("", "")
STRINGS = Path(__file__).parent / "strings"
UNPREFIXED = "common"  # keys of this table are used without the table's name ("back", "next", …)


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = key if prefix in ("", UNPREFIXED) else f"{prefix}.{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, key if not prefix else name))
        else:
            flat[name] = str(value)
    return flat


def load_catalogue(folder: Path = STRINGS) -> dict[str, Text]:
    """Every fixed text, from one file per language (kiosk/strings/vi.toml, en.toml).

    Both files must have the same keys: a text missing in one language is a mistake, found here.
    """
    vi = _flatten(tomllib.loads((folder / "vi.toml").read_text(encoding="utf-8")))
    en = _flatten(tomllib.loads((folder / "en.toml").read_text(encoding="utf-8")))
    if set(vi) != set(en):
        raise ValueError(
            f"kiosk strings: keys only in vi: {sorted(set(vi) - set(en))}, "
            f"only in en: {sorted(set(en) - set(vi))}"
        )
    return {key: Text(vi[key], en[key]) for key in vi}


T: dict[str, Text] = load_catalogue()


def say(text: Text | str | None, language: str) -> str:
    """The text in a language; a key of T is looked up, a plain string is shown as it is."""
    if text is None:
        return ""
    if isinstance(text, Text):
        return text(language)
    if isinstance(text, tuple | list) and len(text) == 2:
        return str(text[1] if language == "en" else text[0])
    found = T.get(text)
    return found(language) if found else text


def minutes(seconds: int | float | None) -> int | None:
    """A wait in whole minutes, as the printed ticket says it (one rule: the screen and the paper agree)."""
    from devices.printers.layout import wait_minutes

    return wait_minutes(seconds)
